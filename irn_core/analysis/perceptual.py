"""Perceptual error maps: NVIDIA's FLIP (``irn_core.ops.flip``, held to the ``flip-evaluator`` reference
implementation by the tests; offline, no learned weights).

FLIP models how different two images look to a viewer at a given distance (67 pixels per degree by
default): 0 where they look the same, up to 1. Error maps in levels say how far pixels are; FLIP says
what a viewer will notice, which is what photographers compare by eye.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from ..errors import Cancelled, InvalidInputError
from ..ops.flip import filter_reach, flip_error_map

if TYPE_CHECKING:
    from ..ops.tiling import CancelCheck

# About 0.35 s per megapixel in these tiles on two AVX2 cores (flip-evaluator: 1.7 s). Tiles of this edge
# keep the temporaries near 100 MB and let a cancel act within about 0.1 s.
FLIP_TILE = 512
# FLIP's filters reach filter_reach() = 10 pixels at 67 pixels per degree (its contrast filters and its edge
# and point detectors, applied side by side, never one after another): a tile computed with this margin and
# then cropped equals the whole image's map (to the bit with flip-evaluator on a 1500x1500 photo in 512-px
# tiles for margins of 10-24; 8 differed by up to 0.004).
FLIP_MARGIN = filter_reach() + 2


def _as_tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32)).permute(2, 0, 1)[None]


def _flip(test: np.ndarray, reference: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        return flip_error_map(_as_tensor(test), _as_tensor(reference))[0].numpy()


def flip_map(
    test: np.ndarray,
    reference: np.ndarray,
    *,
    tile: int = FLIP_TILE,
    cancel: CancelCheck | None = None,
) -> tuple[np.ndarray, float]:
    """(FLIP map (H, W) float32 in [0, 1], its mean) of an (H, W, 3) sRGB image in [0, 1] against a reference.

    Images larger than ``tile`` pixels on a side are computed tile by tile (each with FLIP_MARGIN pixels of
    context, cropped), checking ``cancel`` (an Event) between tiles (raises Cancelled)."""
    if test.shape != reference.shape or test.ndim != 3 or test.shape[2] != 3:
        raise InvalidInputError(f"FLIP needs two (H, W, 3) images of one size, got {test.shape} and {reference.shape}")
    h, w = test.shape[:2]
    if h <= tile and w <= tile:
        out = _flip(test, reference)
        return out, float(out.mean(dtype=np.float64))
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
