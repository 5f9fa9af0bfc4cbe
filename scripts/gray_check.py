"""How well IRN restores grayscale photos when its outputs stay gray (as `irn downscale/roundtrip` write them),
against bicubic, on gray versions of a benchmark set.

    python scripts/gray_check.py --dataset ../shared/datasets/Set5 --scales 2,4

Each image is made gray (8-bit luma, PIL "L"), then: IRN with a gray LR (the channel mean of IRN's LR) and a
gray restored image, as the file pipeline does; IRN with its colour LR kept and only the restored image made
gray (what a gray LR costs); bicubic down and up. PSNR on the single channel, `scale` border pixels cropped,
mean over images (one latent draw, seed 0).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from irn_core import IRNRescaler, imresize, mod_crop, psnr  # noqa: E402
from irn_core.analysis.files import as_gray  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--scales", default="2,4")
    args = parser.parse_args()
    paths = sorted(Path(args.dataset).glob("*.png"))
    print("| scale | images | IRN, gray LR | IRN, colour LR | bicubic |")
    print("|---|---|---|---|---|")
    for scale in (int(s) for s in args.scales.split(",")):
        rescaler = IRNRescaler.from_weights(None, scale=scale, precision="fp32")
        rows = []
        for path in paths:
            gray = np.asarray(Image.open(path).convert("L"), np.float32) / 255
            hr = mod_crop(np.repeat(gray[:, :, None], 3, axis=2), scale)
            lr_colour = rescaler.downscale(hr)
            lr_gray = as_gray(lr_colour)
            restored_gray = as_gray(rescaler.upscale(lr_gray, seed=0, output_size=hr.shape[:2]))
            restored_colour = as_gray(rescaler.upscale(lr_colour, seed=0, output_size=hr.shape[:2]))
            h, w = hr.shape[:2]
            bicubic = imresize(imresize(hr, scale=1 / scale), output_shape=(h, w))
            rows.append(
                [psnr(x[..., 0], hr[..., 0], crop_border=scale) for x in (restored_gray, restored_colour, bicubic)]
            )
        mean = np.mean(rows, axis=0)
        print(f"| x{scale} | {len(paths)} | {mean[0]:.2f} | {mean[1]:.2f} | {mean[2]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
