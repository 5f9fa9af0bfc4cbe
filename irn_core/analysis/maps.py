"""Per-pixel error maps of a result against its original, and where two results differ most."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError


def error_map(pixels: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(H, W) mean |pixels - reference| over RGB, in [0, 1]: what an error pane shows."""
    return np.abs(pixels - reference).mean(axis=2)


LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # BT.601


def signed_error_map(pixels: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(H, W) luma of ``pixels`` minus luma of ``reference`` (BT.601), in [-1, 1]: where a result is
    brighter (positive) or darker (negative) than the original, which |x - HR| cannot say."""
    return (pixels - reference) @ LUMA_WEIGHTS


def largest_difference(a: np.ndarray, b: np.ndarray, *, window: int = 64) -> tuple[int, int]:
    """(row, col) of the centre of the ``window``-pixel square where two (H, W, 3) float images in [0, 1]
    differ most (mean |luma a - luma b|): where a viewer should look first. The square stays inside the
    image; for an image smaller than it, its centre."""
    if a.shape != b.shape or a.ndim != 3:
        raise InvalidInputError(f"expected two (H, W, 3) images of one size, got {a.shape} and {b.shape}")
    h, w = a.shape[:2]
    size = max(1, min(window, h, w))
    difference = np.abs(signed_error_map(a, b)).astype(np.float64)
    # Window sums from the summed-area table: exact, and no border handling to get wrong.
    table = np.pad(difference.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sums = table[size:, size:] - table[:-size, size:] - table[size:, :-size] + table[:-size, :-size]
    top, left = np.unravel_index(int(np.argmax(sums)), sums.shape)
    return int(top) + size // 2, int(left) + size // 2
