"""Speed of IRN Studio on a lent GPU, in one short device call: ms per HR megapixel each way at x2 and
x4 in fp32, bf16 and fp16, what each reduced precision costs in PSNR-Y against fp32, and the wall time
of a 3840x2160 x4 round trip (file I/O excluded) at the default precision.

Device call: command "python3 scripts/lent_gpu_speed.py --out $OUT", timeout_s 300. It prints its table
and writes gpu_speed.json to --out. Figures go into docs/RESULTS.md ("Speed").

The dB cost is measured on Set5 when gpu_data/Set5 travelled with the call (see lent_gpu_train.py),
else on scikit-image's astronaut and coffee, which are always there.

A dry run on a CPU: python scripts/lent_gpu_speed.py --allow-cpu --size 256 --uhd 512x384 --precisions fp32,bf16
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from irn_core import IRNRescaler, load_irn  # noqa: E402  (the repo, not an installed copy)
from irn_core.device import pick_device  # noqa: E402
from irn_core.errors import InvalidInputError  # noqa: E402
from irn_core.io.images import list_images, read_image  # noqa: E402
from irn_core.ops.metrics import mod_crop, psnr  # noqa: E402


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def best_seconds(fn, device: torch.device, repeats: int = 5) -> float:
    fn()  # warm-up: cuDNN picks its algorithms
    times = []
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return min(times)


def test_images(scale: int) -> tuple[str, list[np.ndarray]]:
    set5 = REPO / "gpu_data" / "Set5"
    if set5.is_dir():
        return "Set5", [mod_crop(read_image(p).pixels, scale) for p in list_images(set5)]
    from skimage import data

    return "astronaut+coffee", [mod_crop(f().astype(np.float32) / 255, scale) for f in (data.astronaut, data.coffee)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=".", help="folder for gpu_speed.json")
    parser.add_argument("--size", type=int, default=1024, help="edge of the timed square image")
    parser.add_argument("--uhd", default="3840x2160", help="WxH of the round trip timed end to end")
    parser.add_argument("--precisions", default="fp32,bf16,fp16")
    parser.add_argument("--allow-cpu", action="store_true", help="run without a GPU (a dry run)")
    args = parser.parse_args()
    device = pick_device()
    if device.type != "cuda" and not args.allow_cpu:
        print("no CUDA device; pass --allow-cpu for a dry run", file=sys.stderr)
        return 2
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {name}; torch {torch.__version__}", flush=True)
    rng = np.random.default_rng(0)
    hr = rng.random((args.size, args.size, 3), dtype=np.float32)
    megapixels = args.size**2 / 1e6
    report: dict = {"device": name, "torch": torch.__version__, "size": args.size, "rows": []}
    for scale in (2, 4):
        dataset, images = test_images(scale)
        reference = None
        for precision in args.precisions.split(","):
            try:
                rescaler = IRNRescaler(load_irn(scale=scale), device=device, precision=precision, tile_hr=args.size)
            except InvalidInputError as error:
                print(f"x{scale} {precision}: skipped ({error})", flush=True)
                continue
            lr = rescaler.downscale(hr)
            down = best_seconds(lambda: rescaler.downscale(hr), device) / megapixels
            up = best_seconds(lambda r=rescaler, x=lr: r.upscale(x, seed=0), device) / megapixels
            scores = []
            for image in images:
                _, restored = rescaler.roundtrip(image, seed=0)
                scores.append(psnr(restored, image, crop_border=scale, y_channel=True))
            score = float(np.mean(scores))
            reference = score if precision == "fp32" else reference
            cost = None if reference is None else reference - score
            row = {
                "scale": scale,
                "precision": rescaler.precision,
                "down_ms_per_mp": 1000 * down,
                "up_ms_per_mp": 1000 * up,
                "psnr_y": score,
                "db_cost_vs_fp32": cost,
                "dataset": dataset,
            }
            report["rows"].append(row)
            print(
                f"x{scale} {rescaler.precision:>4}: down {1000 * down:8.1f} ms/MP, up {1000 * up:8.1f} ms/MP, "
                f"{dataset} PSNR-Y {score:.4f}" + ("" if cost is None else f" (cost vs fp32 {cost:+.4f} dB)"),
                flush=True,
            )
    width, height = (int(v) for v in args.uhd.split("x"))
    photo = rng.random((height, width, 3), dtype=np.float32)
    rescaler = IRNRescaler(load_irn(scale=4), device=device)  # defaults: auto precision, tiles from free memory
    rescaler.roundtrip(photo, seed=0)  # warm-up at this size
    sync(device)
    start = time.perf_counter()
    rescaler.roundtrip(photo, seed=0)
    sync(device)
    seconds = time.perf_counter() - start
    report["uhd_roundtrip"] = {
        "size": args.uhd,
        "precision": rescaler.precision,
        "max_patch_hr_megapixels": (rescaler.max_patch_lr_pixels or 0) * 16 / 1e6,
        "seconds": seconds,
    }
    patch = (rescaler.max_patch_lr_pixels or 0) * 16 / 1e6
    print(f"{args.uhd} x4 round trip ({rescaler.precision}, patches up to {patch:.1f} MP): {seconds * 1000:.0f} ms")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_speed.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
