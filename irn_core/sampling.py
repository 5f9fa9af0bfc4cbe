"""Latent sampling studies: many z draws of one LR, temperature sweeps, and JPEG-compressed LRs.

Used by ``irn sample`` and by the app's latent explorer; images are numpy float32 HWC RGB [0, 1].
"""
from __future__ import annotations

import csv
import io as _io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from .metrics import psnr, ssim


@dataclass
class DrawResult:
    index: int
    seed: int
    temperature: float
    image: np.ndarray
    psnr_y: float | None = None
    ssim_y: float | None = None
    psnr_rgb: float | None = None


@dataclass
class SampleSet:
    """Draws of one LR image, with their per-pixel mean and standard deviation (H, W, 3)."""

    draws: list[DrawResult] = field(default_factory=list)
    mean: np.ndarray | None = None
    std: np.ndarray | None = None


def jpeg_roundtrip(img: np.ndarray, quality: int | None) -> np.ndarray:
    """``img`` after storing it as a JPEG of ``quality`` (None: unchanged, i.e. lossless PNG)."""
    if quality is None:
        return img
    if not 1 <= int(quality) <= 100:
        raise ValueError(f"JPEG quality must be 1-100, got {quality}")
    from .io import to_uint8
    ok, buf = cv2.imencode(".jpg", to_uint8(img)[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1].astype(np.float32) / 255.0


def _scores(image: np.ndarray, reference: np.ndarray | None, scale: int) -> dict[str, float | None]:
    if reference is None:
        return {"psnr_y": None, "ssim_y": None, "psnr_rgb": None}
    return {"psnr_y": psnr(image, reference, crop_border=scale, y_channel=True),
            "ssim_y": ssim(image, reference, crop_border=scale, y_channel=True),
            "psnr_rgb": psnr(image, reference, crop_border=scale)}


def sample_draws(rescaler, lr: np.ndarray, *, draws: int, seed: int = 0, temperature: float = 1.0,
                 reference: np.ndarray | None = None, output_size: tuple[int, int] | None = None,
                 on_draw: Callable[[DrawResult], None] | None = None, cancel=None) -> SampleSet:
    """Restore ``lr`` with ``draws`` latents (seeds seed, seed+1, ...); metrics against ``reference``.

    on_draw receives each draw as it finishes. The mean and std are accumulated in float64.
    """
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    result = SampleSet()
    total = total_sq = None
    for i in range(draws):
        image = rescaler.upscale(lr, seed=seed + i, temperature=temperature, output_size=output_size,
                                 cancel=cancel)
        draw = DrawResult(i, seed + i, temperature, image, **_scores(image, reference, rescaler.scale))
        result.draws.append(draw)
        x = image.astype(np.float64)
        total = x if total is None else total + x
        total_sq = x * x if total_sq is None else total_sq + x * x
        if on_draw is not None:
            on_draw(draw)
    mean = total / draws
    result.mean = mean.astype(np.float32)
    result.std = np.sqrt(np.maximum(total_sq / draws - mean * mean, 0)).astype(np.float32)
    return result


def temperature_sweep(rescaler, lr: np.ndarray, reference: np.ndarray, *, temperatures, seed: int = 0,
                      draws: int = 1, on_point: Callable[[float, float], None] | None = None,
                      cancel=None) -> list[tuple[float, float]]:
    """[(temperature, mean PSNR-Y over ``draws``)] for each temperature."""
    points = []
    for t in temperatures:
        values = []
        for d in range(draws):
            image = rescaler.upscale(lr, seed=seed + d, temperature=float(t), output_size=reference.shape[:2],
                                     cancel=cancel)
            values.append(psnr(image, reference, crop_border=rescaler.scale, y_channel=True))
        points.append((float(t), float(np.mean(values))))
        if on_point is not None:
            on_point(*points[-1])
    return points


def draws_csv(sample: SampleSet) -> str:
    out = _io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["draw", "seed", "temperature", "psnr_y", "ssim_y", "psnr_rgb"])
    for d in sample.draws:
        writer.writerow([d.index, d.seed, d.temperature] +
                        [("" if v is None else f"{v:.4f}") for v in (d.psnr_y, d.ssim_y, d.psnr_rgb)])
    return out.getvalue()


def add_sample_parser(sub) -> None:
    p = sub.add_parser("sample", help="many latent draws of one image: each draw, mean.png, std.png, metrics.csv")
    p.add_argument("input", help="an HR image (downscaled first) or an LR PNG written by IRN Studio")
    p.add_argument("-o", "--output", required=True, help="output folder (created; existing files are kept)")
    p.add_argument("--scale", type=int, choices=(2, 4, 8))
    p.add_argument("--draws", type=int, default=8)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--weights")
    p.add_argument("--device", default="auto")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=_cmd_sample)


def _cmd_sample(args) -> int:
    import sys

    from .figure import colorize
    from .io import read_image, write_bytes_atomic, write_png
    from .lrfile import read_lr_info
    from .rescaler import IRNRescaler
    from .weights import load_irn, resolve_weights
    image = read_image(args.input)
    info = read_lr_info(image)
    scale = args.scale or (info.scale if info else None) or (None if args.weights else 4)
    rescaler = IRNRescaler(load_irn(resolve_weights(args.weights, scale), scale=scale), device=args.device)
    if info is not None:
        lr, reference, size = image.pixels, None, info.original_size
    else:
        lr, reference, size = rescaler.downscale(image.pixels), image.pixels, image.pixels.shape[:2]
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    names = [f"draw_{i:03d}.png" for i in range(args.draws)] + ["mean.png", "std.png", "metrics.csv"]
    clashes = [n for n in names if (out / n).exists()]
    if clashes and not args.overwrite:
        raise ValueError(f"{out} already holds {', '.join(clashes[:3])}…; use --overwrite or another folder")

    def on_draw(draw: DrawResult) -> None:
        write_png(out / f"draw_{draw.index:03d}.png", draw.image, overwrite=args.overwrite)
        if not args.quiet:
            score = f", PSNR-Y {draw.psnr_y:.2f} dB" if draw.psnr_y is not None else ""
            print(f"draw {draw.index} (seed {draw.seed}){score}", file=sys.stderr)
    sample = sample_draws(rescaler, lr, draws=args.draws, seed=args.seed, temperature=args.temperature,
                          reference=reference, output_size=size, on_draw=on_draw)
    write_png(out / "mean.png", sample.mean, overwrite=args.overwrite)
    write_png(out / "std.png", colorize(sample.std.mean(axis=2)), overwrite=args.overwrite)
    write_bytes_atomic(out / "metrics.csv", draws_csv(sample).encode(), overwrite=args.overwrite)
    print(f"wrote {args.draws} draws, mean.png, std.png and metrics.csv to {out} "
          f"(mean per-pixel std {sample.std.mean() * 255:.2f} levels)")
    return 0
