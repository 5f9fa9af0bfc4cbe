"""The one call a FLIP worker process runs: kept apart from the rest of the library so that the process
imports only numpy and flip_evaluator (no torch), and starts in a fraction of a second."""

from __future__ import annotations

import numpy as np


def flip_error(test: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """FLIP map (H, W) float32 in [0, 1] of an (H, W, 3) sRGB image in [0, 1] against a reference."""
    import flip_evaluator

    error, _mean, _parameters = flip_evaluator.evaluate(
        np.ascontiguousarray(reference, dtype=np.float32),
        np.ascontiguousarray(np.clip(test, 0, 1), dtype=np.float32),
        "LDR",
        applyMagma=False,
    )
    return np.asarray(error, dtype=np.float32).reshape(test.shape[:2])
