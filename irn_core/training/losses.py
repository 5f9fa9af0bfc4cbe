"""The official IRN losses, each summed over pixels and averaged over the batch."""

from __future__ import annotations

import torch


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
