"""Perceptual error maps: NVIDIA's FLIP (the ``flip-evaluator`` package; offline, no learned weights).

FLIP models how different two images look to a viewer at a given distance (67 pixels per degree by
default): 0 where they look the same, up to 1. Error maps in levels say how far pixels are; FLIP says
what a viewer will notice, which is what photographers compare by eye.
"""

from __future__ import annotations

import numpy as np

from ..errors import Cancelled, InvalidInputError
from ..ops.tiling import CancelCheck

# FLIP costs about 0.8 s per megapixel on a 2-core CPU, and flip_evaluator holds the GIL throughout a
# call: in an app's worker thread one call on a 1024-px image froze the GUI thread for 0.8 s (measured).
# Tiles of this edge hold it for about 60 ms each (the margins cost ~40% more work), and a cancel acts
# between them.
FLIP_TILE = 256
# FLIP's filters at 67 pixels per degree reach about 10 pixels (its spatial filter and its edge and point
# detectors, applied side by side, never one after another): a tile computed with this margin and then
# cropped equals the whole image's map.
FLIP_MARGIN = 24


def _flip(test: np.ndarray, reference: np.ndarray) -> np.ndarray:
    import flip_evaluator

    error, _mean, _parameters = flip_evaluator.evaluate(
        np.ascontiguousarray(reference, dtype=np.float32),
        np.ascontiguousarray(np.clip(test, 0, 1), dtype=np.float32),
        "LDR",
        applyMagma=False,
    )
    return np.asarray(error, dtype=np.float32).reshape(test.shape[:2])


def flip_map(
    test: np.ndarray,
    reference: np.ndarray,
    *,
    tile: int = FLIP_TILE,
    cancel: CancelCheck | None = None,
) -> tuple[np.ndarray, float]:
    """(FLIP map (H, W) float32 in [0, 1], its mean) of an (H, W, 3) sRGB image in [0, 1] against a reference.

    Images larger than ``tile`` pixels on a side are computed tile by tile (each with FLIP_MARGIN pixels of
    context, cropped), checking ``cancel`` (an Event) between tiles (raises Cancelled); other threads run
    between tiles, as FLIP itself keeps the GIL."""
    if test.shape != reference.shape or test.ndim != 3 or test.shape[2] != 3:
        raise InvalidInputError(f"FLIP needs two (H, W, 3) images of one size, got {test.shape} and {reference.shape}")
    h, w = test.shape[:2]
    if h <= tile and w <= tile:
        out = _flip(test, reference)
        return out, float(out.mean())
    out = np.empty((h, w), np.float32)
    for top in range(0, h, tile):
        for left in range(0, w, tile):
            if cancel is not None and cancel.is_set():
                raise Cancelled("FLIP map cancelled")
            r0, c0 = max(top - FLIP_MARGIN, 0), max(left - FLIP_MARGIN, 0)
            r1, c1 = min(top + tile + FLIP_MARGIN, h), min(left + tile + FLIP_MARGIN, w)
            part = _flip(test[r0:r1, c0:c1], reference[r0:r1, c0:c1])
            out[top : top + tile, left : left + tile] = part[top - r0 : top - r0 + tile, left - c0 : left - c0 + tile]
    return out, float(out.mean(dtype=np.float64))
