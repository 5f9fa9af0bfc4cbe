"""The Invertible Rescaling Net (Xiao et al., ECCV 2020) as invertible modules.

Every module here follows one convention (FrEIA's): ``forward(x, rev=False)`` maps
forward when ``rev`` is false and inverts when it is true, and keeps no state between
calls. ``forward(..., jac=True)`` also returns the per-sample log-determinant of the
Jacobian, a tensor of shape (N,).

Parameter and buffer names follow the official implementation
(pkuxmq/Invertible-Image-Rescaling, ``codes/models/modules/Inv_arch.py``), so that
its checkpoints load with strict key checking: ``operations.{i}.haar_weights`` for a
Haar stage and ``operations.{i}.{F,G,H}.conv{1..5}.{weight,bias}`` for a coupling block.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

SUPPORTED_SCALES = (2, 4, 8)
BLOCKS_PER_STAGE = 8
IMAGE_CHANNELS = 3
ARCHITECTURE = "IRN/InvBlockExp/DBNet-gc32/8-blocks-per-haar"
STEPS_PER_OPERATION = 3  # progress and cancel points per invertible operation: one per dense block


def official_haar_weights(channels: int) -> torch.Tensor:
    """The official 2x2 Haar filters, tiled for a grouped convolution: (4*channels, 1, 2, 2).

    Filter k of every channel: 0 = average, 1 = horizontal detail, 2 = vertical detail,
    3 = diagonal detail. Kept only so that official checkpoints (which store this tensor)
    load strictly and can be checked; the transform itself is computed without a convolution.
    """
    w = torch.ones(4, 1, 2, 2)
    w[1, 0, 0, 1] = w[1, 0, 1, 1] = -1
    w[2, 0, 1, 0] = w[2, 0, 1, 1] = -1
    w[3, 0, 1, 0] = w[3, 0, 0, 1] = -1
    return torch.cat([w] * channels, 0)


def _is_channels_last(x: torch.Tensor) -> bool:
    return x.dim() == 4 and x.shape[1] > 1 and x.stride(1) == 1


class HaarDownsampling(nn.Module):
    """Invertible 2x2 Haar transform: (N, C, H, W) <-> (N, 4C, H/2, W/2).

    Output channels are grouped by sub-band (all C average channels first, then the C
    horizontal, vertical and diagonal detail channels), and the forward transform divides
    by 4, exactly as the official module. H and W must be even.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.channels = channels
        self.register_buffer("haar_weights", official_haar_weights(channels))

    def forward(self, x: torch.Tensor, rev: bool = False, *, jac: bool = False):
        n = x.shape[0]
        if not rev:
            c, h, w = x.shape[1:]
            if c != self.channels or h % 2 or w % 2:
                raise ValueError(f"HaarDownsampling expects (N, {self.channels}, even H, even W), got {tuple(x.shape)}")
            # Reading the four pixels of each 2x2 cell as strided views costs one pass over
            # memory, several times cheaper than the official grouped convolution.
            q = x.reshape(n, c, h // 2, 2, w // 2, 2)
            a, b = q[:, :, :, 0, :, 0], q[:, :, :, 0, :, 1]
            cc, d = q[:, :, :, 1, :, 0], q[:, :, :, 1, :, 1]
            ab_plus, ab_minus = a + b, a - b
            cd_plus, cd_minus = cc + d, cc - d
            y = torch.cat((ab_plus + cd_plus, ab_minus + cd_minus, ab_plus - cd_plus, ab_minus - cd_minus), 1) * 0.25
            if _is_channels_last(x):
                y = y.contiguous(memory_format=torch.channels_last)
            log_det = -math.log(16.0) * (x[0].numel() / 4)
        else:
            c4, h, w = x.shape[1:]
            if c4 != 4 * self.channels:
                raise ValueError(f"HaarDownsampling(rev) expects (N, {4 * self.channels}, H, W), got {tuple(x.shape)}")
            ll, h1, h2, h3 = x.chunk(4, dim=1)
            s_plus, s_minus = ll + h2, ll - h2
            t_plus, t_minus = h1 + h3, h1 - h3
            a, b = s_plus + t_plus, s_plus - t_plus
            cc, d = s_minus + t_minus, s_minus - t_minus
            top = torch.stack((a, b), dim=-1)
            bottom = torch.stack((cc, d), dim=-1)
            y = torch.stack((top, bottom), dim=3).reshape(n, self.channels, 2 * h, 2 * w)
            if _is_channels_last(x):
                # Keep the caller's layout: the next convolutions run ~1.5x faster in channels_last on CPU.
                y = y.contiguous(memory_format=torch.channels_last)
            log_det = math.log(16.0) * (x[0].numel() / 4)
        if jac:
            return y, torch.full((n,), log_det, dtype=torch.float32, device=x.device)
        return y


class DenseBlock(nn.Module):
    """Five 3x3 convolutions with dense connections (growth 32) and LeakyReLU(0.2).

    (N, channels_in, H, W) -> (N, channels_out, H, W). The first four convolutions are
    Xavier-initialised and scaled by 0.1, the last one is zero, so that a fresh coupling
    block is the identity (the official initialisation).
    """

    def __init__(self, channels_in: int, channels_out: int, *, growth: int = 32):
        super().__init__()
        self.conv1 = nn.Conv2d(channels_in, growth, 3, 1, 1)
        self.conv2 = nn.Conv2d(channels_in + growth, growth, 3, 1, 1)
        self.conv3 = nn.Conv2d(channels_in + 2 * growth, growth, 3, 1, 1)
        self.conv4 = nn.Conv2d(channels_in + 3 * growth, growth, 3, 1, 1)
        self.conv5 = nn.Conv2d(channels_in + 4 * growth, channels_out, 3, 1, 1)
        for conv in (self.conv1, self.conv2, self.conv3, self.conv4):
            nn.init.xavier_normal_(conv.weight)
            conv.weight.data.mul_(0.1)
            nn.init.zeros_(conv.bias)  # type: ignore[arg-type]
        nn.init.zeros_(self.conv5.weight)
        nn.init.zeros_(self.conv5.bias)  # type: ignore[arg-type]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = F.leaky_relu(self.conv1(x), 0.2)
        x2 = F.leaky_relu(self.conv2(torch.cat((x, x1), 1)), 0.2)
        x3 = F.leaky_relu(self.conv3(torch.cat((x, x1, x2), 1)), 0.2)
        x4 = F.leaky_relu(self.conv4(torch.cat((x, x1, x2, x3), 1)), 0.2)
        return self.conv5(torch.cat((x, x1, x2, x3, x4), 1))


def _no_part(_k: int) -> None:
    pass


class InvBlockExp(nn.Module):
    """Affine coupling block with an exponential, clamped scale.

    Forward: y1 = x1 + F(x2); s = clamp*(2*sigmoid(H(y1)) - 1); y2 = x2*exp(s) + G(y1),
    with x1 the first ``split`` channels (the LR image's 3) and x2 the rest.
    """

    def __init__(self, channels: int, split: int = IMAGE_CHANNELS, *, clamp: float = 1.0):
        super().__init__()
        self.split = split
        self.clamp = clamp
        # nn.Module: reduced_precision_copy swaps in ReducedPrecisionDenseBlock for inference
        self.F: nn.Module = DenseBlock(channels - split, split)
        self.G: nn.Module = DenseBlock(split, channels - split)
        self.H: nn.Module = DenseBlock(split, channels - split)

    def _log_scale(self, y1: torch.Tensor) -> torch.Tensor:
        return self.clamp * (torch.sigmoid(self.H(y1)) * 2 - 1)

    def forward(
        self, x: torch.Tensor, rev: bool = False, *, jac: bool = False, on_part: Callable[[int], None] | None = None
    ):
        """on_part(k) is called after the k-th (1, 2) of its three dense blocks: where a caller may stop
        by raising, a third of a block's time apart."""
        part = on_part if on_part is not None else _no_part
        x1, x2 = x[:, : self.split], x[:, self.split :]
        if not rev:
            y1 = x1 + self.F(x2)
            part(1)
            s = self._log_scale(y1)
            part(2)
            y2 = x2 * torch.exp(s) + self.G(y1)
            log_det = s.flatten(1).sum(1)
        else:
            s = self._log_scale(x1)
            part(1)
            y2 = (x2 - self.G(x1)) * torch.exp(-s)
            part(2)
            y1 = x1 - self.F(y2)
            log_det = -s.flatten(1).sum(1)
        y = torch.cat((y1, y2), 1)
        return (y, log_det.float()) if jac else y


class IRN(nn.Module):
    """Invertible Rescaling Net: (N, 3, H, W) <-> (N, 3*scale**2, H/scale, W/scale).

    Channels 0-2 of the forward output are the LR image, the rest are the latent z.
    H and W must be multiples of ``scale``; IRNRescaler pads images that are not.
    """

    scale: int
    # Set by io.checkpoints.load_model as plain attributes (not submodules, so the state_dict stays the
    # official one): the file's record, and a JPEG-robust file's compression-restoration module.
    metadata: dict[str, str] = {}
    restorer: nn.Module | None = None

    def __init__(self, scale: int, *, blocks_per_stage: int = BLOCKS_PER_STAGE):
        super().__init__()
        if scale not in SUPPORTED_SCALES:
            raise ValueError(f"scale must be one of {SUPPORTED_SCALES}, got {scale!r}")
        self.scale = scale
        operations: list[nn.Module] = []
        channels = IMAGE_CHANNELS
        for _ in range(int(math.log2(scale))):
            operations.append(HaarDownsampling(channels))
            channels *= 4
            operations.extend(InvBlockExp(channels) for _ in range(blocks_per_stage))
        self.operations = nn.ModuleList(operations)

    def forward(
        self,
        x: torch.Tensor,
        rev: bool = False,
        *,
        jac: bool = False,
        on_step: Callable[[int, int], None] | None = None,
    ):
        """on_step(done, total) is called after each dense block, ``STEPS_PER_OPERATION`` per invertible
        operation (a Haar stage counts as one call of that many): a place to report progress within a large
        image, or to stop by raising (the tile engine's cancel)."""
        log_det = torch.zeros(x.shape[0], device=x.device) if jac else None
        operations = list(reversed(self.operations)) if rev else list(self.operations)
        total = STEPS_PER_OPERATION * len(operations)
        for index, op in enumerate(operations):
            done = STEPS_PER_OPERATION * index
            parts: dict = {}
            if on_step is not None and isinstance(op, InvBlockExp):
                parts["on_part"] = lambda k, done=done: on_step(done + k, total)
            if jac:
                x, op_log_det = op(x, rev, jac=True, **parts)
                log_det = log_det + op_log_det
            else:
                x = op(x, rev, **parts)
            if on_step is not None:
                on_step(done + STEPS_PER_OPERATION, total)
        return (x, log_det) if jac else x


def build_irn(scale: int) -> IRN:
    """A randomly initialised IRN for ``scale`` in (2, 4, 8), as the official code initialises it."""
    if isinstance(scale, bool) or not isinstance(scale, int):
        raise TypeError(f"scale must be an int, got {type(scale).__name__}")
    return IRN(scale)


def count_parameters(net: nn.Module) -> int:
    """Number of trainable parameters (the Haar filters are a fixed buffer, not counted)."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)
