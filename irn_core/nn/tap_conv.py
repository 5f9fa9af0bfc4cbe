"""A 3x3 convolution with few output channels, computed as one matrix product per input part.

oneDNN's CPU convolution kernels vectorise over output channels: with three of them (the last convolution of
IRN's F subnet, whose output is added to the image channels) a float32 convolution over 137 input channels ran
at about 17 GFLOP/s on an avx512_bf16 CPU, where the 32-output convolutions beside it ran at about 230, and
the concatenation it reads (bf16 features promoted to float32) cost as much again. Written as matrix
products, every pixel's input channels times a (channels, 9 x outputs) matrix, the per-tap partial sums
are computed at matrix-product speed and then added with their shifts: the same float32 arithmetic in
another order (differences of float32 rounding, about 1e-6 relative). docs/RESULTS.md has the figures.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def conv3x3_few_outputs(parts: list[torch.Tensor], weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """``F.conv2d(torch.cat(parts, 1).float(), weight, bias, padding=1)`` in float32 without the concatenation.

    parts: (N, C_k, H, W) tensors of any float dtype (bf16 parts are widened exactly); channels_last parts are
    read in place. weight: float32 (O, sum C_k, 3, 3); bias: float32 (O,) or None. Returns float32
    (N, O, H, W) in channels_last layout. Meant for small O (a handful of outputs): for wide layers the
    (N·H·W, 9·O) partial sums cost more memory traffic than the convolution they replace.
    """
    n, _, h, w = parts[0].shape
    outputs = weight.shape[0]
    expected = sum(p.shape[1] for p in parts)
    if weight.shape[1:] != (expected, 3, 3) or any(p.shape[0] != n or p.shape[2:] != (h, w) for p in parts):
        raise ValueError(
            f"expected parts of one (N, H, W) = {(n, h, w)} and weights ({outputs}, {expected}, 3, 3), got parts "
            f"{[tuple(p.shape) for p in parts]} and weights {tuple(weight.shape)}"
        )
    taps = None  # (N·H·W, 3·3·O): each pixel's contribution to each tap's output
    start = 0
    for part in parts:
        channels = part.shape[1]
        # (O, C, 3, 3) -> (C, (row tap, column tap, output))
        matrix = weight[:, start : start + channels].permute(1, 2, 3, 0).reshape(channels, 9 * outputs)
        start += channels
        pixels = part.permute(0, 2, 3, 1).reshape(n * h * w, channels).float()
        taps = pixels @ matrix if taps is None else taps.addmm_(pixels, matrix)
    assert taps is not None
    # Output (r, c) takes tap (i, j) of input pixel (r + i - 1, c + j - 1), zero outside the image (padding 1):
    # with one pixel of zeros around the partial sums that is padded[r + i, c + j].
    padded = F.pad(taps.view(n, h, w, 3, 3, outputs), (0, 0, 0, 0, 0, 0, 1, 1, 1, 1))
    out = (
        torch.zeros(n, h, w, outputs, dtype=torch.float32, device=weight.device)
        if bias is None
        else bias.to(torch.float32).expand(n, h, w, outputs).clone()
    )
    for i in range(3):
        for j in range(3):
            out += padded[:, i : i + h, j : j + w, i, j]
    return out.permute(0, 3, 1, 2)
