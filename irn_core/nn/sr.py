"""Our super-resolution baseline network.

The compact VGG-style design of Real-ESRGAN ("SRVGGNetCompact": a stack of 3x3 convolutions with
PReLU at LR resolution, a pixel-shuffle upsampler, and the nearest-upsampled input added as a
residual). We implement and train it ourselves; its parameter names follow that design's usual layout
(``body.N``), so our files also load through spandrel like third-party checkpoints.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SR_FEATURES = 48
SR_CONVS = 12
COMPACT_ARCHITECTURE = "SRVGGNetCompact"


class CompactSR(nn.Module):
    """(N, 3, h, w) in [0, 1] -> (N, 3, h*scale, w*scale). Conv-PReLU stack at LR size + pixel shuffle."""

    scale: int

    def __init__(self, *, scale: int, features: int = SR_FEATURES, convs: int = SR_CONVS):
        super().__init__()
        self.scale = scale
        layers: list[nn.Module] = [nn.Conv2d(3, features, 3, 1, 1), nn.PReLU(features)]
        for _ in range(convs):
            layers += [nn.Conv2d(features, features, 3, 1, 1), nn.PReLU(features)]
        layers.append(nn.Conv2d(features, 3 * scale * scale, 3, 1, 1))
        self.body = nn.ModuleList(layers)
        self.upsampler = nn.PixelShuffle(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for layer in self.body:
            out = layer(out)
        return self.upsampler(out) + F.interpolate(x, scale_factor=self.scale, mode="nearest")
