"""The one tile engine: runs a network over an image in overlapping tiles, IRN and SR alike.

Tiles are planned on the LR grid. Each tile is computed with ``overlap`` extra LR pixels of context
on every side, which are then dropped, and its core is written into a preallocated output, so memory
stays bounded by the tile size whatever the image size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from ..errors import Cancelled

ProgressCallback = Callable[[float, int], None]
"""progress(tiles_done, tiles_total): tiles_done counts finished tiles plus the share of the current one."""

StepCallback = Callable[[int, int], None]
"""step(done, total) from inside a tile's computation (e.g. IRN's invertible blocks)."""


class CancelCheck(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Tile:
    """A tile in LR pixel coordinates: the core [row0, row1) x [col0, col1) it produces."""

    row0: int
    row1: int
    col0: int
    col1: int


@dataclass(frozen=True)
class KnownTile:
    """A core computed before (the region a person looked at first): ``tile`` in LR pixels and its output,
    (1, C, rows * out_factor, cols * out_factor) float32 on the CPU. A pass given it plans its tiles around
    it and copies it in: nothing is computed twice."""

    tile: Tile
    pixels: torch.Tensor


TileCallback = Callable[[Tile, np.ndarray], None]
# Where a person looks, in LR (row, col): fixed, or asked again before each tile (a view that moves while a
# large image is computed re-orders the tiles left, nearest first; finished tiles stay finished).
Priority = tuple[float, float] | Callable[[], tuple[float, float] | None] | None


def _distance(tile: Tile, point: tuple[float, float]) -> float:
    """Squared distance from ``point`` to the tile's core (0 inside it)."""
    pr, pc = point
    return max(tile.row0 - pr, 0, pr - tile.row1) ** 2 + max(tile.col0 - pc, 0, pc - tile.col1) ** 2


def _next_tile(remaining: list[Tile], priority: Priority) -> Tile:
    point = priority() if callable(priority) else None
    if point is None:
        return remaining.pop(0)
    nearest = min(range(len(remaining)), key=lambda i: _distance(remaining[i], point))
    return remaining.pop(nearest)


def _split(length: int, count: int) -> list[int]:
    return [i * length // count for i in range(count + 1)]  # parts differ by at most one pixel


def _grid(lr_height: int, lr_width: int, tile: int, overlap: int, max_patch_pixels: int) -> tuple[int, int]:
    """(rows, cols) of the fewest tiles whose patches (core plus context) stay within ``max_patch_pixels``
    and whose cores stay within ``tile``; among equals, the least context computed."""
    best: tuple[int, int, int, int] | None = None  # (tiles, pixels computed, rows, cols)
    for rows in range(-(-lr_height // tile), lr_height + 1):
        patch_h = -(-lr_height // rows) + (2 * overlap if rows > 1 else 0)  # the largest part
        width_room = max_patch_pixels // patch_h
        for cols in range(-(-lr_width // tile), lr_width + 1):
            patch_w = -(-lr_width // cols) + (2 * overlap if cols > 1 else 0)
            if patch_w <= width_room:
                candidate = (rows * cols, rows * cols * patch_h * patch_w, rows, cols)
                best = candidate if best is None or candidate < best else best
                break
        if best is not None and rows > best[0]:
            break
    return (best[2], best[3]) if best else (lr_height, lr_width)


def _bands_around(lr_height: int, lr_width: int, known: Tile) -> list[Tile]:
    """The parts of the grid outside ``known``: full-width bands above and below it, and the parts of its
    rows left and right of it (empty parts left out)."""
    bands = [
        Tile(0, known.row0, 0, lr_width),
        Tile(known.row0, known.row1, 0, known.col0),
        Tile(known.row0, known.row1, known.col1, lr_width),
        Tile(known.row1, lr_height, 0, lr_width),
    ]
    return [b for b in bands if b.row1 > b.row0 and b.col1 > b.col0]


def plan_tiles(
    lr_height: int,
    lr_width: int,
    tile: int,
    *,
    overlap: int = 0,
    max_patch_pixels: int | None = None,
    priority: tuple[float, float] | None = None,
    around: Tile | None = None,
) -> list[Tile]:
    """Split an LR grid into tiles of near-equal size, cores at most ``tile`` x ``tile``; nearest ``priority``
    (row, col) first. With ``max_patch_pixels`` (LR pixels of a core plus ``overlap`` of context on each
    inner side), the fewest tiles that fit it, whatever their aspect: memory follows a patch's area.
    ``around``: a core already computed; the tiles cover everything else, each band beside it planned alone."""
    if around is not None:
        tiles = [
            Tile(t.row0 + band.row0, t.row1 + band.row0, t.col0 + band.col0, t.col1 + band.col0)
            for band in _bands_around(lr_height, lr_width, around)
            for t in plan_tiles(
                band.row1 - band.row0, band.col1 - band.col0, tile, overlap=overlap, max_patch_pixels=max_patch_pixels
            )  # fmt: skip
        ]
        if priority is not None:
            tiles.sort(key=lambda t: _distance(t, priority))
        return tiles
    if max_patch_pixels is None:
        rows, cols = -(-lr_height // tile), -(-lr_width // tile)
    else:
        rows, cols = _grid(lr_height, lr_width, tile, overlap, max_patch_pixels)
    row_edges, col_edges = _split(lr_height, rows), _split(lr_width, cols)
    tiles = [
        Tile(r0, r1, c0, c1) for r0, r1 in zip(row_edges, row_edges[1:]) for c0, c1 in zip(col_edges, col_edges[1:])
    ]
    if priority is not None:
        tiles.sort(key=lambda t: _distance(t, priority))
    return tiles


def check_cancel(cancel: CancelCheck | None) -> None:
    """Raise Cancelled when ``cancel`` is set: the one check of the tile engine and the pipelines above it."""
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def run_tiled(
    fn: Callable[[torch.Tensor, StepCallback], torch.Tensor],
    source: torch.Tensor,
    *,
    lr_shape: tuple[int, int],
    in_factor: int,
    out_factor: int,
    out_channels: int,
    tile_lr: int,
    overlap: int,
    device: torch.device,
    max_patch_pixels: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    on_tile: TileCallback | None = None,
    priority: Priority = None,
    known: KnownTile | None = None,
) -> torch.Tensor:
    """Apply ``fn`` to ``source`` tile by tile; returns the float32 CPU output (1, out_channels, H', W').

    source: (1, C, lr_h * in_factor, lr_w * in_factor) on the CPU. fn(patch, step) maps a patch on
    ``device`` of (1, C, h * in_factor, w * in_factor) to (1, >= out_channels, h * out_factor, w * out_factor),
    and may call step(done, total) as it goes: progress then moves within a tile, and cancel is checked
    there too, so a large tile stops within one step. on_tile(tile, pixels) gets each finished core's first
    three channels as (rows, cols, 3) in [0, 1]; ``priority`` (LR row, col, or a function giving it, asked
    before each tile) runs the nearest tiles first. ``known``: a core computed before, copied in (and sent
    to on_tile first) instead of computed, the other tiles planned around it, when that computes fewer
    pixels than the plain plan (not for an image that fits one tile: there its context would cost more).
    Raises Cancelled before a tile or step when ``cancel.is_set()``. See ``plan_tiles`` for the tile
    limits ``tile_lr`` and ``max_patch_pixels``.
    """
    lr_h, lr_w = lr_shape
    out = torch.empty((1, out_channels, lr_h * out_factor, lr_w * out_factor))
    start = priority() if callable(priority) else priority
    around = None if known is None else _check_known(known, lr_h, lr_w, out_channels, out_factor)
    tiles = plan_tiles(lr_h, lr_w, tile_lr, overlap=overlap, max_patch_pixels=max_patch_pixels, priority=start)
    if around is not None:
        # Planning around the known core adds tiles, and their context; worth it only when it computes less.
        beside = plan_tiles(lr_h, lr_w, tile_lr, overlap=overlap, max_patch_pixels=max_patch_pixels,
                            priority=start, around=around)  # fmt: skip
        if patch_pixels(beside, lr_h, lr_w, overlap) < patch_pixels(tiles, lr_h, lr_w, overlap):
            tiles = beside
        else:
            around = None
    remaining = list(tiles)
    done = 0
    if known is not None and around is not None:
        k = around
        target = out[:, :, k.row0 * out_factor : k.row1 * out_factor, k.col0 * out_factor : k.col1 * out_factor]
        target.copy_(known.pixels[:, :out_channels])
        if on_tile is not None:
            on_tile(k, target[0, :3].clamp(0, 1).permute(1, 2, 0).numpy())

    def step(finished: int, total: int) -> None:
        check_cancel(cancel)
        if progress is not None and finished < total:
            progress(done + finished / total, len(tiles))

    for done in range(len(tiles)):
        check_cancel(cancel)
        t = _next_tile(remaining, priority)
        r0, r1 = max(0, t.row0 - overlap), min(lr_h, t.row1 + overlap)
        c0, c1 = max(0, t.col0 - overlap), min(lr_w, t.col1 + overlap)
        patch = source[:, :, r0 * in_factor : r1 * in_factor, c0 * in_factor : c1 * in_factor]
        if device.type == "cuda":  # page-locked memory: the copy to the GPU runs without a staging buffer
            patch = patch.pin_memory()
        with torch.inference_mode():
            result = fn(patch.to(device, non_blocking=True), step)
        core = result[
            :,
            :out_channels,
            (t.row0 - r0) * out_factor : (t.row1 - r0) * out_factor,
            (t.col0 - c0) * out_factor : (t.col1 - c0) * out_factor,
        ]
        target = out[:, :, t.row0 * out_factor : t.row1 * out_factor, t.col0 * out_factor : t.col1 * out_factor]
        target.copy_(core)  # copy_ converts dtype and device in one step, into the preallocated output
        if on_tile is not None:
            on_tile(t, target[0, :3].clamp(0, 1).permute(1, 2, 0).numpy())
        if progress is not None:
            progress(done + 1, len(tiles))
    return out


def patch_pixels(tiles: list[Tile], lr_h: int, lr_w: int, overlap: int) -> int:
    """LR pixels a plan computes: every tile's core with its context, clipped to the grid."""
    rows = [min(lr_h, t.row1 + overlap) - max(0, t.row0 - overlap) for t in tiles]
    cols = [min(lr_w, t.col1 + overlap) - max(0, t.col0 - overlap) for t in tiles]
    return sum(r * c for r, c in zip(rows, cols))


def _check_known(known: KnownTile, lr_h: int, lr_w: int, channels: int, out_factor: int) -> Tile:
    from ..errors import InvalidInputError

    t = known.tile
    expected = (t.row1 - t.row0) * out_factor, (t.col1 - t.col0) * out_factor
    if not (0 <= t.row0 < t.row1 <= lr_h and 0 <= t.col0 < t.col1 <= lr_w):
        raise InvalidInputError(f"expected a known tile inside the {lr_w}x{lr_h} LR grid, got {t}")
    if known.pixels.dim() != 4 or known.pixels.shape[1] < channels or tuple(known.pixels.shape[2:]) != expected:
        raise InvalidInputError(
            f"expected the known tile's output as (1, {channels}, {expected[0]}, {expected[1]}), "
            f"got {tuple(known.pixels.shape)}"
        )
    return t


def image_to_tensor(img: np.ndarray, name: str) -> torch.Tensor:
    """(H, W, 3) float RGB -> (1, 3, H, W) float32 tensor; InvalidInputError for another shape."""
    from ..errors import InvalidInputError

    if not isinstance(img, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(img).__name__}")  # a caller's bug
    if img.ndim != 3 or img.shape[2] != 3:
        raise InvalidInputError(f"{name} must be (H, W, 3) RGB, got shape {img.shape}")
    if img.shape[0] < 1 or img.shape[1] < 1:
        raise InvalidInputError(f"{name} is empty: shape {img.shape}")
    return torch.from_numpy(np.ascontiguousarray(img, dtype=np.float32).transpose(2, 0, 1)).unsqueeze(0)


def tensor_to_image(x: torch.Tensor) -> np.ndarray:
    """(1, 3, H, W) tensor -> (H, W, 3) float32 numpy clipped to [0, 1]; clamps ``x`` in place (one copy
    of a large image fewer: callers pass outputs they own)."""
    return x[0, :3].clamp_(0, 1).permute(1, 2, 0).contiguous().numpy()
