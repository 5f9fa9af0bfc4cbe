"""The paper's tables on a folder of images (``irn bench``)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from ..baselines import make_baseline
from ..errors import InvalidInputError
from ..io.checkpoints import bundled_weights_path
from ..io.images import list_images, read_image
from ..ops.metrics import Y_OFFICIAL, Y_ROUNDED, measure, mod_crop
from ..rescaler import IRNRescaler
from .studies import sample_draws


def _metrics(restored: np.ndarray, hr: np.ndarray, scale: int, grayscale: bool, round_y: bool) -> tuple[float, float]:
    """PSNR-Y, SSIM-Y by ``ops.metrics.measure`` (a grayscale image on its single channel, as the paper)."""
    m = measure(restored, hr, scale=scale, round_y=round_y, gray=grayscale)
    return m["psnr_y"], m["ssim_y"]


JPEG_ROBUST = "irn_jpeg"  # the bundled JPEG-robust IRN of the scale, as a method beside "irn"


def _bench_irn(rescaler: IRNRescaler, images: list, *, scale: int, draws: int, jpeg, round_y: bool, bar) -> dict:
    """One IRN's row: each draw's dataset mean, then their mean and spread (psnr_y_std)."""
    per_draw = np.zeros((draws, len(images), 2))
    start = time.perf_counter()
    for i, (_name, hr, gray) in enumerate(images):
        sample = sample_draws(
            rescaler, rescaler.downscale(hr), draws=draws, seed=0, jpeg_quality=jpeg, output_size=hr.shape[:2]
        )
        for d, draw in enumerate(sample.draws):
            per_draw[d, i] = _metrics(draw.image, hr, scale, gray, round_y)
        if bar is not None:
            bar.update(1)
    draw_means = per_draw.mean(axis=1)
    return {
        "psnr_y": float(draw_means[:, 0].mean()),
        "ssim_y": float(draw_means[:, 1].mean()),
        "psnr_y_std": float(draw_means[:, 0].std()),
        "ssim_y_std": float(draw_means[:, 1].std()),
        "draws": draws,
        "seconds": time.perf_counter() - start,
        "per_image": [
            {"name": n, "psnr_y": float(per_draw[:, i, 0].mean()), "ssim_y": float(per_draw[:, i, 1].mean())}
            for i, (n, _, _) in enumerate(images)
        ],
    }


def run_bench(
    *,
    dataset: str | Path,
    scale: int,
    methods: list[str],
    draws: int = 5,
    weights: str | None = None,
    sr_models: tuple[str, ...] | list[str] = (),
    device: str = "auto",
    precision: str = "fp32",
    jpeg: int | None = None,
    round_y: bool = False,
    progress: bool = True,
    limit: int = 0,
) -> dict:
    """Evaluate methods on a folder of HR images exactly as the paper's tables do.

    methods: "irn" (``weights``, bundled by default), "irn_jpeg" (the bundled JPEG-robust IRN of the scale,
    beside "irn" with ``jpeg``), and the baselines "bicubic", "lanczos", "sr".

    Returns {"dataset", "scale", "results": {method: {"psnr_y", "ssim_y", "seconds", "per_image", ...}}}.
    For IRN, each draw's dataset mean is computed and their mean and spread (psnr_y_std) reported.
    precision: IRN's precision (fp32 unless asked: the published figures are fp32; "auto" measures the
    default's cost). jpeg: store every LR as JPEG of this quality before upscaling. round_y: Y rounded to integer levels
    (MATLAB, the SR literature's bicubic rows) instead of the official IRN test code's unrounded Y.
    """
    paths = list_images(dataset)[: limit or None]
    if not paths:
        raise InvalidInputError(f"no images in {dataset}; expected a folder of PNG, JPEG, TIFF, BMP or WebP files")
    images = []
    for p in paths:
        loaded = read_image(p)
        images.append((p.stem, mod_crop(loaded.pixels, scale), loaded.grayscale))
    upscalers = {}
    for method in methods:
        if method in ("irn", JPEG_ROBUST):
            continue
        upscalers[method] = make_baseline(method, scale=scale, device=device)
    for model_path in sr_models:
        baseline = make_baseline("spandrel", scale=scale, device=device, path=model_path)
        upscalers[baseline.name] = baseline
    results: dict[str, dict] = {}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=len(images) * (len(upscalers) + ("irn" in methods) + (JPEG_ROBUST in methods)),
            desc=f"bench x{scale}",
            file=sys.stderr,
            dynamic_ncols=True,
        )
    irn_models = {}
    if "irn" in methods:
        irn_models["irn"] = IRNRescaler.from_weights(weights, scale=scale, device=device, precision=precision)
    if JPEG_ROBUST in methods:
        bundled = bundled_weights_path(scale, variant="jpeg")
        if bundled is None:
            raise InvalidInputError(
                f"no JPEG-robust IRN is bundled for x{scale} (expected irn_x{scale}_jpeg.safetensors); "
                f"use --weights FILE with the method irn"
            )
        irn_models[JPEG_ROBUST] = IRNRescaler.from_weights(
            str(bundled), scale=scale, device=device, precision=precision
        )
    for method, rescaler in irn_models.items():
        results[method] = _bench_irn(rescaler, images, scale=scale, draws=draws, jpeg=jpeg, round_y=round_y, bar=bar)
    for method, upscaler in upscalers.items():
        start = time.perf_counter()
        per_image = []
        for name, hr, gray in images:
            _, restored = upscaler.roundtrip(hr, jpeg_quality=jpeg)
            psnr_y, ssim_y = _metrics(restored, hr, scale, gray, round_y)
            per_image.append({"name": name, "psnr_y": psnr_y, "ssim_y": ssim_y})
            if bar is not None:
                bar.update(1)
        results[method] = {
            "psnr_y": float(np.mean([r["psnr_y"] for r in per_image])),
            "ssim_y": float(np.mean([r["ssim_y"] for r in per_image])),
            "seconds": time.perf_counter() - start,
            "per_image": per_image,
        }
    if bar is not None:
        bar.close()
    out = {
        "dataset": Path(dataset).name,
        "scale": scale,
        "images": len(images),
        "y_convention": Y_ROUNDED if round_y else Y_OFFICIAL,
        "irn_precision": next(iter(irn_models.values())).precision if irn_models else None,
        "results": results,
    }
    if jpeg is not None:
        out["jpeg_quality"] = jpeg
    return out


def format_table(report: dict) -> str:
    lines = [
        f"{report['dataset']} x{report['scale']} ({report['images']} images)"
        + (f", LR stored as JPEG q{report['jpeg_quality']}" if "jpeg_quality" in report else "")
        + f"; {report.get('y_convention', Y_OFFICIAL)}"
        + (f"; IRN in {report['irn_precision']}" if report.get("irn_precision") not in (None, "fp32") else ""),
        f"{'method':<24}{'PSNR-Y':>10}{'SSIM-Y':>10}{'seconds':>10}",
    ]
    for method, r in report["results"].items():
        spread = f" ±{r['psnr_y_std']:.3f}" if "psnr_y_std" in r else ""
        lines.append(f"{method:<24}{r['psnr_y']:>10.2f}{r['ssim_y']:>10.4f}{r['seconds']:>10.1f}{spread}")
    return "\n".join(lines)
