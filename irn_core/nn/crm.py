"""The compression-restoration module (CRM) of a JPEG-robust IRN.

IRN hides the detail it discards in small changes to the LR; JPEG removes exactly such changes, and the
reverse pass then restores a JPEG-stored LR worse than bicubic does. The official code's IRN-CRM
(pkuxmq/Invertible-Image-Rescaling, train_IRN-Compression.py) answers with a network that maps the
decoded JPEG LR back towards the LR IRN wrote, before the reverse pass. Ours is a small residual CNN
of the same role, small enough to train on a CPU.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

CRM_FEATURES = 48
CRM_CONVS = 8
CRM_ARCHITECTURE = "CRM/residual-CNN"


class CompressionRestorer(nn.Module):
    """(N, 3, h, w) decoded LR in [0, 1] -> (N, 3, h, w) estimate of the LR before compression.

    ``convs`` 3x3 convolutions with LeakyReLU(0.2) predict a residual added to the input; the last
    convolution starts at zero, so an untrained module is the identity.
    """

    def __init__(self, *, features: int = CRM_FEATURES, convs: int = CRM_CONVS):
        super().__init__()
        channels = [3] + [features] * (convs - 1) + [3]
        convs_list = [nn.Conv2d(a, b, 3, 1, 1) for a, b in zip(channels, channels[1:])]
        nn.init.zeros_(convs_list[-1].weight)
        nn.init.zeros_(convs_list[-1].bias)  # type: ignore[arg-type]
        self.body = nn.ModuleList(convs_list)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for index, conv in enumerate(self.body):
            out = conv(out)
            if index < len(self.body) - 1:
                out = F.leaky_relu(out, 0.2)
        return x + out
