"""Speed figures (``irn speed``): ms per HR megapixel each way, the arithmetic rate achieved against
IRN's cost, peak memory, and optionally the official network timed side by side in the same process."""

from __future__ import annotations

import importlib
import resource
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..device import device_description, keep_freed_memory, pick_device
from ..errors import InvalidInputError
from ..io.checkpoints import bundled_weights_path, load_irn
from ..nn.irn import BLOCKS_PER_STAGE, IRN, HaarDownsampling, InvBlockExp, build_irn
from ..rescaler import IRNRescaler
from .peak import best_seconds, measure_peak


def irn_flops_per_megapixel(net: IRN) -> float:
    """Floating-point operations of one pass (either way) per HR megapixel: 2 x the convolutions' MACs.

    Each convolution runs at its stage's resolution, 1/4 of the pixels after each Haar transform.
    Bundled architecture: 0.83 TFLOP/MP at x2, 1.17 at x4.
    """
    macs, pixel_share = 0.0, 1.0
    for op in net.operations:
        if isinstance(op, HaarDownsampling):
            pixel_share /= 4
        elif isinstance(op, InvBlockExp):
            for conv in op.modules():
                if isinstance(conv, torch.nn.Conv2d):
                    kh, kw = conv.kernel_size
                    macs += conv.out_channels * conv.in_channels * kh * kw * pixel_share
    return 2 * macs * 1e6


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_official_network(codes: str | Path, net: IRN) -> torch.nn.Module:
    """The official InvRescaleNet from a checkout's ``codes/`` folder, holding ``net``'s weights (strict)."""
    codes = Path(codes)
    if not (codes / "models" / "modules" / "Inv_arch.py").is_file():
        raise InvalidInputError(
            f"expected the official code's codes/ folder (with models/modules/Inv_arch.py), got {codes}"
        )
    sys.path.insert(0, str(codes))
    try:
        inv_arch = importlib.import_module("models.modules.Inv_arch")
        subnet = importlib.import_module("models.modules.Subnet_constructor").subnet
    finally:
        sys.path.remove(str(codes))
    stages = int(np.log2(net.scale))
    official = inv_arch.InvRescaleNet(3, 3, subnet("DBNet", "xavier"), [BLOCKS_PER_STAGE] * stages, stages)
    official.load_state_dict(net.state_dict(), strict=True)
    return official.to(next(net.parameters()).device).eval()


def time_official_roundtrip(codes: str | Path, *, scale: int, size: int, device: torch.device, repeats: int) -> float:
    """Seconds per HR megapixel of the official network's round trip as its test code runs it (fp32,
    contiguous, LR quantised, z drawn), on the bundled weights and the same input as ``measure_speed``."""
    path = bundled_weights_path(scale)
    net = (load_irn(path) if path else build_irn(scale)).to(device)
    official = load_official_network(codes, net)
    hr = np.random.default_rng(0).random((size, size, 3), dtype=np.float32)
    x = torch.from_numpy(hr).permute(2, 0, 1).unsqueeze(0).contiguous().to(device)

    @torch.inference_mode()
    def roundtrip() -> None:
        out = official(x)
        lr = torch.round(out[:, :3].clamp(0, 1) * 255) / 255
        official(torch.cat((lr, torch.randn_like(out[:, 3:])), 1), rev=True)

    roundtrip()
    return best_seconds(roundtrip, repeats, device.type == "cuda") / (size * size / 1e6)


@dataclass
class SpeedFigures:
    """One scale's figures: seconds per HR megapixel each way, and the official round trip if timed
    (as shipped, i.e. under glibc's default allocator, and under the allocator setting we use)."""

    scale: int
    device: str
    precision: str
    down_s_per_mp: float
    up_s_per_mp: float
    tflop_per_mp: float
    memory: str
    official_s_per_mp: dict[str, float] = field(default_factory=dict)
    peak_gflops: float | None = None

    @property
    def roundtrip_s_per_mp(self) -> float:
        return self.down_s_per_mp + self.up_s_per_mp

    @property
    def gflops(self) -> float:
        """Arithmetic rate achieved over a round trip, GFLOP/s."""
        return 2 * self.tflop_per_mp * 1e3 / self.roundtrip_s_per_mp

    def line(self) -> str:
        text = (
            f"x{self.scale} {self.precision}: downscale {self.down_s_per_mp * 1000:6.0f} ms/MP, "
            f"upscale {self.up_s_per_mp * 1000:6.0f} ms/MP, {self.gflops:5.0f} GFLOP/s "
            f"(of {self.tflop_per_mp:.2f} TFLOP/MP each way), {self.memory}"
        )
        if self.peak_gflops:
            text += f"; {self.gflops / self.peak_gflops:.0%} of the measured peak"
        for how, seconds in self.official_s_per_mp.items():
            text += f"; official round trip {how} {seconds * 1000:.0f} ms/MP: {seconds / self.roundtrip_s_per_mp:.2f}x"
        return text


def measure_speed(
    *, scale: int, size: int = 512, device: str = "auto", precision: str = "auto", repeats: int = 3
) -> SpeedFigures:
    """Time downscale and upscale of a size x size image (one tile, best of ``repeats``) with the bundled
    weights and the rescaler's defaults."""
    path = bundled_weights_path(scale)
    net = load_irn(path) if path else build_irn(scale)
    rescaler = IRNRescaler(net, device=device, precision=precision, tile_hr=max(size, 64))
    cuda = rescaler.device.type == "cuda"
    hr = np.random.default_rng(0).random((size, size, 3), dtype=np.float32)
    megapixels = size * size / 1e6
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    lr = rescaler.downscale(hr)
    rescaler.upscale(lr, seed=0)  # warm-up
    down = best_seconds(lambda: rescaler.downscale(hr), repeats, cuda)
    up = best_seconds(lambda: rescaler.upscale(lr, seed=0), repeats, cuda)
    memory = (
        f"GPU peak {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB"
        if cuda
        else f"process peak RSS {_peak_rss_mib():.0f} MiB"
    )
    return SpeedFigures(
        scale,
        device_description(rescaler.device),
        rescaler.precision,
        down / megapixels,
        up / megapixels,
        irn_flops_per_megapixel(net) / 1e12,
        memory,
    )


def speed_report(
    *,
    scales: list[int],
    size: int,
    device: str = "auto",
    precision: str = "auto",
    repeats: int = 3,
    official_codes: str | Path | None = None,
    peak: bool = False,
) -> list[str]:
    """Lines for ``irn speed``: the device, threads and precision chosen, then one line per scale.

    With ``peak`` the machine's measured peak in the same precision (``analysis.peak``) comes first, and
    each scale's line says what share of it IRN reaches.

    With ``official_codes`` the official network is timed first, under glibc's default allocator (as
    its users run it), and again after ``keep_freed_memory`` (as ours runs from the CLI and the app).
    """
    torch_device = pick_device(device)
    as_shipped = {}
    if official_codes is not None:
        for scale in scales:
            as_shipped[scale] = time_official_roundtrip(
                official_codes, scale=scale, size=size, device=torch_device, repeats=repeats
            )
    keep_freed_memory()
    lines: list[str] = []
    measured_peak = measure_peak(device=device, precision=precision, repeats=repeats) if peak else None
    for scale in scales:
        figures = measure_speed(scale=scale, size=size, device=device, precision=precision, repeats=repeats)
        figures.peak_gflops = measured_peak.peak if measured_peak else None
        if official_codes is not None:
            figures.official_s_per_mp["as shipped"] = as_shipped[scale]
            figures.official_s_per_mp["same allocator"] = time_official_roundtrip(
                official_codes, scale=scale, size=size, device=torch_device, repeats=repeats
            )
        if not lines:
            lines.append(
                f"device: {figures.device}, precision {figures.precision} (asked: {precision}), "
                f"image {size}x{size}, best of {repeats}"
            )
            if measured_peak is not None:
                lines.append(measured_peak.line())
        lines.append(figures.line())
    return lines
