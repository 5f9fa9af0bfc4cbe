"""Perceptual error maps: NVIDIA's FLIP (the ``flip-evaluator`` package; offline, no learned weights).

FLIP models how different two images look to a viewer at a given distance (67 pixels per degree by
default): 0 where they look the same, up to 1. Error maps in levels say how far pixels are; FLIP says
what a viewer will notice, which is what photographers compare by eye.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError

# FLIP costs about 1 s per megapixel on a 2-core CPU: comparisons compute it up to this size only.
FLIP_MAX_PIXELS = 1_500_000


def flip_map(test: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, float]:
    """(FLIP map (H, W) float32 in [0, 1], its mean) of an (H, W, 3) sRGB image in [0, 1] against a reference."""
    if test.shape != reference.shape or test.ndim != 3 or test.shape[2] != 3:
        raise InvalidInputError(f"FLIP needs two (H, W, 3) images of one size, got {test.shape} and {reference.shape}")
    import flip_evaluator

    error, mean, _parameters = flip_evaluator.evaluate(
        np.ascontiguousarray(reference, dtype=np.float32),
        np.ascontiguousarray(np.clip(test, 0, 1), dtype=np.float32),
        "LDR",
        applyMagma=False,
    )
    return np.asarray(error, dtype=np.float32).reshape(test.shape[:2]), float(mean)
