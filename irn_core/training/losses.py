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


def jpeg_straight_through(lr: torch.Tensor, qualities: list[int | None]) -> torch.Tensor:
    """(N,3,h,w) 8-bit-level LR in [0, 1] -> the same after a real JPEG file of ``qualities[i]`` for row i
    (None: kept lossless). The gradient passes the codec unchanged: JPEG has none, and the identity is the
    derivative of a codec that keeps most of an image."""
    pictures = lr.detach().float().permute(0, 2, 3, 1).cpu().numpy()
    stored = np.stack([jpeg_roundtrip(picture, quality) for picture, quality in zip(pictures, qualities, strict=True)])
    decoded = torch.from_numpy(stored).permute(0, 3, 1, 2).to(lr.device, lr.dtype)
    return lr + (decoded - lr).detach()
