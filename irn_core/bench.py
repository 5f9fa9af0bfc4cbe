"""``irn bench`` (the paper's tables) and ``irn speed`` (ms per megapixel, peak memory)."""
from __future__ import annotations

import json
import math
import resource
import sys
import time
from pathlib import Path

import numpy as np

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def speed_report(*, scales: list[int], size: int, device: str = "auto", precision: str = "fp32",
                 repeats: int = 3) -> list[str]:
    """Lines reporting ms per megapixel of HR for downscale and upscale at each scale."""
    import torch

    from .model import build_irn
    from .rescaler import IRNRescaler, device_description
    from .weights import bundled_weights_path, load_irn
    lines = []
    rng = np.random.default_rng(0)
    hr = rng.random((size, size, 3), dtype=np.float32)
    megapixels = size * size / 1e6
    for scale in scales:
        path = bundled_weights_path(scale)
        net = load_irn(path) if path else build_irn(scale)
        rescaler = IRNRescaler(net, device=device, precision=precision, tile_hr=max(size, 64))
        if not lines:
            lines.append(f"device: {device_description(rescaler.device)}, precision {rescaler.precision}, "
                         f"image {size}x{size}, best of {repeats}")
        if rescaler.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        lr = rescaler.downscale(hr)
        rescaler.upscale(lr, seed=0)

        def best(fn):
            times = []
            for _ in range(repeats):
                if rescaler.device.type == "cuda":
                    torch.cuda.synchronize()
                t = time.perf_counter()
                fn()
                if rescaler.device.type == "cuda":
                    torch.cuda.synchronize()
                times.append(time.perf_counter() - t)
            return min(times)
        down = best(lambda: rescaler.downscale(hr))
        up = best(lambda: rescaler.upscale(lr, seed=0))
        memory = (f"GPU peak {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB"
                  if rescaler.device.type == "cuda" else f"process peak RSS {_peak_rss_mib():.0f} MiB")
        lines.append(f"x{scale}: downscale {down * 1000 / megapixels:8.1f} ms/MP, "
                     f"upscale {up * 1000 / megapixels:8.1f} ms/MP, {memory}")
    return lines


def _metrics(restored: np.ndarray, hr: np.ndarray, scale: int, grayscale: bool) -> tuple[float, float]:
    from .metrics import psnr, ssim
    if grayscale:  # the paper compares a grayscale image on its single channel
        restored, hr = restored @ LUMA, hr[:, :, 0]
        return psnr(restored, hr, crop_border=scale), ssim(restored, hr, crop_border=scale)
    return (psnr(restored, hr, crop_border=scale, y_channel=True),
            ssim(restored, hr, crop_border=scale, y_channel=True))


def run_bench(*, dataset: str | Path, scale: int, methods: list[str], draws: int = 5,
              weights: str | None = None, sr_models: list[str] = (), device: str = "auto",
              jpeg: int | None = None, progress: bool = True, limit: int = 0) -> dict:
    """Evaluate methods on a folder of HR images exactly as the paper's tables do.

    Returns {"dataset", "scale", "results": {method: {"psnr_y", "ssim_y", "seconds", "per_image", ...}}}.
    For IRN, each draw's dataset mean is computed and their mean and spread (psnr_y_std) reported.
    jpeg: store every LR as JPEG of this quality before upscaling.
    """
    from .baselines import bicubic_downscale, make_baseline
    from .io import list_images, read_image
    from .metrics import mod_crop
    from .sampling import jpeg_roundtrip
    paths = list_images(dataset)[: limit or None]
    if not paths:
        raise ValueError(f"no images in {dataset}")
    images = []
    for p in paths:
        loaded = read_image(p)
        images.append((p.stem, mod_crop(loaded.pixels, scale), any("grayscale" in n for n in loaded.notes)))
    upscalers = {}
    for method in methods:
        if method == "irn":
            continue
        upscalers[method] = make_baseline(method, scale=scale, device=device)
    for model_path in sr_models:
        baseline = make_baseline("spandrel", scale=scale, device=device, path=model_path)
        upscalers[baseline.name] = baseline
    results: dict[str, dict] = {}
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(images) * (len(upscalers) + ("irn" in methods)), desc=f"bench x{scale}",
                   file=sys.stderr, dynamic_ncols=True)
    if "irn" in methods:
        from .rescaler import IRNRescaler
        from .weights import load_irn, resolve_weights
        rescaler = IRNRescaler(load_irn(resolve_weights(weights, scale), scale=scale), device=device)
        per_draw = np.zeros((draws, len(images), 2))
        start = time.perf_counter()
        for i, (name, hr, gray) in enumerate(images):
            lr = jpeg_roundtrip(rescaler.downscale(hr), jpeg)
            for d in range(draws):
                restored = rescaler.upscale(lr, seed=d, output_size=hr.shape[:2])
                per_draw[d, i] = _metrics(restored, hr, scale, gray)
            if bar is not None:
                bar.update(1)
        draw_means = per_draw.mean(axis=1)
        results["irn"] = {
            "psnr_y": float(draw_means[:, 0].mean()), "ssim_y": float(draw_means[:, 1].mean()),
            "psnr_y_std": float(draw_means[:, 0].std()), "ssim_y_std": float(draw_means[:, 1].std()),
            "draws": draws, "seconds": time.perf_counter() - start,
            "per_image": [{"name": n, "psnr_y": float(per_draw[:, i, 0].mean()),
                           "ssim_y": float(per_draw[:, i, 1].mean())} for i, (n, _, _) in enumerate(images)]}
    for method, upscaler in upscalers.items():
        start = time.perf_counter()
        per_image = []
        for name, hr, gray in images:
            lr = jpeg_roundtrip(bicubic_downscale(hr, scale=scale), jpeg)
            restored = upscaler.upscale(lr)[: hr.shape[0], : hr.shape[1]]
            p, s = _metrics(restored, hr, scale, gray)
            per_image.append({"name": name, "psnr_y": p, "ssim_y": s})
            if bar is not None:
                bar.update(1)
        results[method] = {"psnr_y": float(np.mean([r["psnr_y"] for r in per_image])),
                           "ssim_y": float(np.mean([r["ssim_y"] for r in per_image])),
                           "seconds": time.perf_counter() - start, "per_image": per_image}
    if bar is not None:
        bar.close()
    out = {"dataset": Path(dataset).name, "scale": scale, "images": len(images), "results": results}
    if jpeg is not None:
        out["jpeg_quality"] = jpeg
    return out


def format_table(report: dict) -> str:
    lines = [f"{report['dataset']} x{report['scale']} ({report['images']} images)"
             + (f", LR stored as JPEG q{report['jpeg_quality']}" if "jpeg_quality" in report else ""),
             f"{'method':<24}{'PSNR-Y':>10}{'SSIM-Y':>10}{'seconds':>10}"]
    for method, r in report["results"].items():
        spread = f" ±{r['psnr_y_std']:.3f}" if "psnr_y_std" in r else ""
        lines.append(f"{method:<24}{r['psnr_y']:>10.2f}{r['ssim_y']:>10.4f}{r['seconds']:>10.1f}{spread}")
    return "\n".join(lines)


def add_bench_parser(sub) -> None:
    p = sub.add_parser("bench", help="the paper's PSNR-Y/SSIM-Y table on a folder of HR images")
    p.add_argument("--dataset", required=True, help="folder of HR images (e.g. Set5)")
    p.add_argument("--scale", type=int, required=True, choices=(2, 4, 8))
    p.add_argument("--methods", default="irn,bicubic,lanczos",
                   help="comma-separated: irn, bicubic, lanczos, sr (our SR network)")
    p.add_argument("--draws", type=int, default=5, help="latent draws for IRN")
    p.add_argument("--weights", help="IRN weights (default: bundled)")
    p.add_argument("--sr-model", action="append", default=[], help="an SR checkpoint spandrel can load")
    p.add_argument("--jpeg", type=int, help="store each LR as JPEG of this quality first")
    p.add_argument("--device", default="auto")
    p.add_argument("--json", help="write the results here")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=_cmd_bench)


def _cmd_bench(args) -> int:
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    report = run_bench(dataset=args.dataset, scale=args.scale, methods=methods, draws=args.draws,
                       weights=args.weights, sr_models=args.sr_model, device=args.device,
                       jpeg=args.jpeg, progress=not args.quiet)
    print(format_table(report))
    if args.json:
        from .io import write_bytes_atomic
        write_bytes_atomic(args.json, json.dumps(report, indent=2).encode(), overwrite=True)
        print(f"wrote {args.json}")
    return 0
