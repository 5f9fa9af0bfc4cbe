"""FLIP maps: irn_core's implementation against NVIDIA's flip-evaluator, side by side in one process.

A bicubic x4 restoration of a tiled astronaut (W x H) against it, both through ``perceptual.flip_map``'s tiles
(512 px, 12 px of context) and each on the whole image at once; prints seconds per megapixel, the ratio and
the largest difference between the maps. Needs flip-evaluator (the test extra).

    python scripts/flip_speed.py --size 4000 3000
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np
from skimage import data

from irn_core.analysis import perceptual
from irn_core.device import keep_freed_memory


def reference_flip(test: np.ndarray, reference: np.ndarray) -> np.ndarray:
    import flip_evaluator

    error, _mean, _parameters = flip_evaluator.evaluate(reference, test, "LDR", applyMagma=False)
    return np.asarray(error, dtype=np.float32).reshape(test.shape[:2])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, nargs=2, default=(2000, 1500), metavar=("W", "H"))
    p.add_argument("--repeats", type=int, default=2, help="timed repeats of each (the best is reported)")
    args = p.parse_args()
    keep_freed_memory()
    w, h = args.size
    base = data.astronaut().astype(np.float32) / 255
    hr = np.ascontiguousarray(np.tile(base, (-(-h // 512), -(-w // 512), 1))[:h, :w])
    lr = cv2.resize(hr, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    test = np.ascontiguousarray(np.clip(cv2.resize(lr, (w, h), interpolation=cv2.INTER_CUBIC), 0, 1))
    megapixels = w * h / 1e6

    def best(fn) -> tuple[float, np.ndarray]:
        times, out = [], None
        for _ in range(args.repeats):
            started = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - started)
        return min(times), out

    ours_s, ours = best(lambda: perceptual.flip_map(test, hr)[0])
    original = perceptual._flip
    perceptual._flip = reference_flip  # the same tiles, each through flip-evaluator
    try:
        theirs_s, theirs = best(lambda: perceptual.flip_map(test, hr)[0])
    finally:
        perceptual._flip = original
    print(f"{w}x{h} ({megapixels:.1f} MP), 512-px tiles with {perceptual.FLIP_MARGIN} px of context:")
    print(f"  irn_core.ops.flip  {ours_s:7.2f} s  {ours_s / megapixels:5.2f} s/MP")
    print(f"  flip-evaluator     {theirs_s:7.2f} s  {theirs_s / megapixels:5.2f} s/MP  ({theirs_s / ours_s:.1f}x ours)")
    print(f"  largest difference between the maps: {np.abs(ours - theirs).max():.2e}, means {ours.mean():.7f} "
          f"and {theirs.mean():.7f}")  # fmt: skip


if __name__ == "__main__":
    main()
