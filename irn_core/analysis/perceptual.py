"""Perceptual error maps: NVIDIA's FLIP (the ``flip-evaluator`` package; offline, no learned weights).

FLIP models how different two images look to a viewer at a given distance (67 pixels per degree by
default): 0 where they look the same, up to 1. Error maps in levels say how far pixels are; FLIP says
what a viewer will notice, which is what photographers compare by eye.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

import numpy as np

from ..errors import Cancelled, InvalidInputError
from .flip_worker import flip_error

if TYPE_CHECKING:
    from ..ops.tiling import CancelCheck

# FLIP costs about 0.8 s per megapixel on a 2-core CPU, and flip_evaluator holds the GIL throughout a
# call: in an app's worker thread one call on a 1024-px image froze the GUI thread for 0.8 s (measured).
# Tiles of this edge hold it for about 60 ms each idle (the margins cost ~40% more work), and a cancel acts
# between them; a program whose GUI must not wait at all computes them in a process (``run_in_process``).
FLIP_TILE = 256
FLIP_PROCESS_TILE = 512  # margins cost 20% more work instead of 41%; a cancel still acts within 0.3 s
# FLIP's filters at 67 pixels per degree reach about 10 pixels (its spatial filter and its edge and point
# detectors, applied side by side, never one after another): a tile computed with this margin and then
# cropped equals the whole image's map.
FLIP_MARGIN = 24

_pool_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_use_process = False


def run_in_process(enabled: bool = True) -> None:
    """From now on compute FLIP tiles in one worker process (True), or in the calling thread (False, the
    default; shuts the process down). A choice for the program, as ``device.keep_freed_memory`` is: while
    flip_evaluator holds the GIL, no other thread of the process runs Python, and under load a tile holds it
    for over 100 ms at a time, each time a GUI thread asks for it between two of its own steps. The process
    (spawned: the caller may run threads) starts on the first tile and imports only numpy and FLIP."""
    global _pool, _use_process
    with _pool_lock:
        _use_process = enabled
        if not enabled and _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None


def _flip(test: np.ndarray, reference: np.ndarray) -> np.ndarray:
    global _pool
    with _pool_lock:
        if _use_process and _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        pool = _pool
    if pool is None:
        return flip_error(test, reference)
    try:
        return pool.submit(flip_error, test, reference).result()  # waits without the GIL
    except BrokenProcessPool:  # the process died (killed, out of memory): this tile here, a new one next
        with _pool_lock:
            _pool = None if _pool is pool else _pool
        return flip_error(test, reference)


def flip_map(
    test: np.ndarray,
    reference: np.ndarray,
    *,
    tile: int | None = None,
    cancel: CancelCheck | None = None,
) -> tuple[np.ndarray, float]:
    """(FLIP map (H, W) float32 in [0, 1], its mean) of an (H, W, 3) sRGB image in [0, 1] against a reference.

    Images larger than ``tile`` pixels on a side (default FLIP_TILE, FLIP_PROCESS_TILE with
    ``run_in_process``) are computed tile by tile (each with FLIP_MARGIN pixels of context, cropped), checking
    ``cancel`` (an Event) between tiles (raises Cancelled); in a thread, other threads run between tiles, as
    FLIP itself keeps the GIL."""
    if tile is None:  # in a process a tile holds no one up: larger tiles, less margin computed twice
        tile = FLIP_PROCESS_TILE if _use_process else FLIP_TILE
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
