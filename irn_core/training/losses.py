"""The official IRN losses, each summed over pixels and averaged over the batch."""

from __future__ import annotations

import numpy as np
import torch

from ..ops.codecs import jpeg_roundtrip


def quantize_straight_through(x: torch.Tensor) -> torch.Tensor:
    """Clamp to [0, 1] and round to 8-bit levels; the gradient passes through unchanged."""
    quantized = torch.round(x.clamp(0, 1) * 255.0) / 255.0
    return x + (quantized - x).detach()


def forward_fit_loss(lr: torch.Tensor, lr_reference: torch.Tensor) -> torch.Tensor:
    """Sum of squared differences to the bicubic LR, per sample: (N,3,h,w) -> scalar."""
    return ((lr - lr_reference) ** 2).flatten(1).sum(1).mean()


def backward_reconstruction_loss(restored: torch.Tensor, hr: torch.Tensor, *, eps: float = 1e-6) -> torch.Tensor:
    """Charbonnier distance sum(sqrt(d^2 + eps)), per sample: (N,3,H,W) -> scalar."""
    return torch.sqrt((restored - hr) ** 2 + eps).flatten(1).sum(1).mean()


def distribution_loss(z: torch.Tensor) -> torch.Tensor:
    """Sum of z^2 per sample: pushes the latent towards a standard normal's mode."""
    return (z**2).flatten(1).sum(1).mean()


def jpeg_straight_through(
    lr: torch.Tensor, *, qualities: tuple[int, int], lossless_share: float, rng: np.random.Generator
) -> torch.Tensor:
    """(N,3,h,w) 8-bit-level LR in [0, 1] -> the same after a real JPEG file of a random quality in
    ``qualities`` (each row; a ``lossless_share`` of rows unchanged). The gradient passes the codec
    unchanged: JPEG has none, and the identity is the derivative of a codec that keeps most of an image."""
    pictures = lr.detach().float().permute(0, 2, 3, 1).cpu().numpy()
    stored = np.stack(
        [
            picture
            if rng.random() < lossless_share
            else jpeg_roundtrip(picture, int(rng.integers(qualities[0], qualities[1] + 1)))
            for picture in pictures
        ]
    )
    decoded = torch.from_numpy(stored).permute(0, 3, 1, 2).to(lr.device, lr.dtype)
    return lr + (decoded - lr).detach()
