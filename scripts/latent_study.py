"""What the bundled models' latent z does: statistics of the forward z, and PSNR-Y against temperature.

    python scripts/latent_study.py --dataset ../shared/datasets/Set5 [--json docs/results/latent_study.json]
    python scripts/latent_study.py --dataset ../shared/datasets/Set5 --scales 2 --weights run.safetensors

For each bundled IRN: the forward z's mean and std (pooled over Set5), the restoration with the forward z
itself (oracle), and with drawn z ~ N(0, T^2 I) for T in 0 ... 1.25 (seeds 0 and 1; official Y convention,
fp32). Figures go into docs/RESULTS.md ("The latent").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from irn_core import IRNRescaler, load_irn  # noqa: E402
from irn_core.io.images import list_images, read_image  # noqa: E402
from irn_core.ops.metrics import mod_crop, psnr  # noqa: E402

TEMPERATURES = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--json")
    parser.add_argument("--scales", default="2,4", help="comma-separated scales (default 2,4)")
    parser.add_argument("--weights", help="IRN weights to study instead of the bundled ones (one scale)")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    if args.weights and len(scales) != 1:
        parser.error("--weights studies one model: give one scale with --scales")
    report = {}
    for scale in scales:
        rescaler = IRNRescaler(load_irn(args.weights, scale=scale), precision="fp32")
        images = [mod_crop(read_image(p).pixels, scale) for p in list_images(args.dataset)]
        latents, oracle, by_t = [], [], {t: [] for t in TEMPERATURES}
        for hr in images:
            lr, z = rescaler.encode(hr)
            latents.append(z.reshape(z.shape[0], -1))
            restored = rescaler.upscale(lr, z=z, output_size=hr.shape[:2])
            oracle.append(psnr(restored, hr, crop_border=scale, y_channel=True))
            for t in TEMPERATURES:
                scores = [
                    psnr(
                        rescaler.upscale(lr, temperature=t, seed=seed, output_size=hr.shape[:2]),
                        hr,
                        crop_border=scale,
                        y_channel=True,
                    )
                    for seed in (0, 1)
                ]
                by_t[t].append(float(np.mean(scores)))
        z_all = np.concatenate(latents, axis=1)
        channel_std = z_all.std(axis=1)
        row = {
            "z_mean": float(z_all.mean()),
            "z_std": float(z_all.std()),
            "z_channel_std_min": float(channel_std.min()),
            "z_channel_std_max": float(channel_std.max()),
            "z_abs_max": float(np.abs(z_all).max()),
            "oracle_psnr_y": float(np.mean(oracle)),
            "psnr_y_by_temperature": {str(t): float(np.mean(v)) for t, v in by_t.items()},
        }
        report[f"x{scale}"] = row
        print(
            f"x{scale}: forward z mean {row['z_mean']:+.4f}, std {row['z_std']:.4f} "
            f"(channels {row['z_channel_std_min']:.4f}-{row['z_channel_std_max']:.4f}, "
            f"|z| max {row['z_abs_max']:.3f}); "
            f"oracle z {row['oracle_psnr_y']:.2f} dB; "
            + ", ".join(f"T={t} {v:.2f}" for t, v in row["psnr_y_by_temperature"].items()),
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
