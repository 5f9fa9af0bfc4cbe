"""Set5 PSNR-Y of an IRN with its LR stored the way the app and `irn downscale --format jpeg` store it:
a Pillow JPEG file (4:2:0) read back from disk, then upscaled with latent draws 0..N-1 (official Y, fp32).

    python scripts/jpeg_file_check.py --dataset ../shared/datasets/Set5 --weights irn_x2_jpeg --quality 90

`irn bench --jpeg Q` stores the LR with OpenCV instead; this checks that the file the tools write scores alike.
"""

from __future__ import annotations

import argparse
import io

import numpy as np
from PIL import Image

from irn_core import IRNRescaler
from irn_core.io.images import list_images, read_image
from irn_core.io.writing import encode_jpeg
from irn_core.ops.metrics import mod_crop, psnr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--weights", default="irn_x2_jpeg")
    parser.add_argument("--quality", type=int, default=90)
    parser.add_argument("--draws", type=int, default=5)
    args = parser.parse_args()
    rescaler = IRNRescaler.from_weights(args.weights, precision="fp32")
    scores = []
    for path in list_images(args.dataset):
        hr = mod_crop(read_image(path).pixels, rescaler.scale)
        stored = encode_jpeg(rescaler.downscale(hr), quality=args.quality)
        lr = np.asarray(Image.open(io.BytesIO(stored)).convert("RGB"), dtype=np.float32) / 255.0
        restored = (rescaler.upscale(lr, seed=seed, output_size=hr.shape[:2]) for seed in range(args.draws))
        draws = [psnr(out, hr, crop_border=rescaler.scale, y_channel=True) for out in restored]
        scores.append(float(np.mean(draws)))
        print(f"{path.stem}: {scores[-1]:.2f} dB ({len(stored)} bytes)")
    where = f"{args.weights}, LR as Pillow JPEG q{args.quality}, {args.draws} draws"
    print(f"mean PSNR-Y {np.mean(scores):.2f} dB, {where}")


if __name__ == "__main__":
    main()
