"""This machine's measured arithmetic peak (``irn speed --peak``): what IRN's GFLOP/s is a share of.

A peak read off a data sheet says little about two shared cloud cores; the rate the same libraries reach
on their best-suited work does. Two microbenchmarks, in the precision IRN runs in: a large square GEMM
(MKL/oneDNN's best case) and the 3x3 convolutions IRN's dense blocks run most (oneDNN, channels_last, at
the shapes of a block's middle convolutions). The peak is the faster of the two.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..device import pick_device, precision_dtype, resolve_precision

GEMM_SIZES = (1024, 2048)
# (input channels, output channels) of IRN dense-block convolutions at x4's second stage (48 channels in,
# growth 32): conv2 and conv4, on a 256x256 feature map.
CONV_SHAPES = ((48 - 3 + 32, 32), (48 - 3 + 96, 32))
CONV_EDGE = 256


@dataclass(frozen=True)
class PeakFigures:
    """GFLOP/s of each microbenchmark (name -> rate) and the best of them, on ``device`` in ``precision``."""

    device: str
    precision: str
    rates: dict[str, float]

    @property
    def peak(self) -> float:
        return max(self.rates.values())

    def line(self) -> str:
        parts = ", ".join(f"{name} {rate:.0f}" for name, rate in self.rates.items())
        return f"measured peak ({self.precision}): {self.peak:.0f} GFLOP/s [{parts} GFLOP/s]"


def best_seconds(fn: Callable[[], object], repeats: int, cuda: bool) -> float:
    """The fastest of ``repeats`` timed calls of ``fn`` (CUDA synchronised around each)."""
    times = []
    for _ in range(repeats):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return min(times)


def _rate(flops: float, fn: Callable[[], object], *, repeats: int, cuda: bool) -> float:
    fn()  # warm-up: kernels chosen, memory touched
    return flops / best_seconds(fn, repeats, cuda) / 1e9


def _conv3x3(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.conv2d(x, w, padding=1)


def measure_peak(*, device: str = "auto", precision: str = "auto", repeats: int = 3) -> PeakFigures:
    """GEMM and IRN-shaped 3x3 convolution rates (GFLOP/s, 2 x multiply-adds per second) on ``device`` in
    the precision ``precision`` resolves to there (the same policy as the rescaler)."""
    torch_device = pick_device(device)
    resolved, _note = resolve_precision(precision, torch_device)
    dtype = precision_dtype(resolved)
    cuda = torch_device.type == "cuda"
    generator = torch.Generator().manual_seed(0)
    rates: dict[str, float] = {}
    with torch.inference_mode():
        for n in GEMM_SIZES:
            a = torch.randn(n, n, generator=generator).to(torch_device, dtype)
            b = torch.randn(n, n, generator=generator).to(torch_device, dtype)
            rates[f"GEMM {n}"] = _rate(2 * n**3, functools.partial(torch.matmul, a, b), repeats=repeats, cuda=cuda)
        for cin, cout in CONV_SHAPES:
            x = torch.randn(1, cin, CONV_EDGE, CONV_EDGE, generator=generator).to(torch_device, dtype)
            x = x.contiguous(memory_format=torch.channels_last)
            w = torch.randn(cout, cin, 3, 3, generator=generator).to(torch_device, dtype)
            w = w.contiguous(memory_format=torch.channels_last)
            flops = 2 * cin * cout * 9 * CONV_EDGE**2
            rates[f"conv3x3 {cin}->{cout}"] = _rate(
                flops, functools.partial(_conv3x3, x, w), repeats=repeats, cuda=cuda
            )
    return PeakFigures(str(torch_device), resolved, rates)
