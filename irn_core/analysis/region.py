"""Region first: every method of a comparison on the region a person looks at, before the whole image.

IRN is fully convolutional with a bounded receptive field, and the tile engine already relies on that: a
region computed with the rescaler's tile context (``IRNRescaler.overlap`` LR pixels) equals the whole-image
result inside the region within the tile engine's bound (under one 8-bit level), and the restoration uses the
whole image's z there, so its pixels are the final result's. Bicubic and Lanczos (kernels of 4 and 6 taps
per scale) and the SR network (a receptive field well under the context) agree likewise. The region's z is
its part of the seed's latent field (``irn_core.ops.latent``): the blocks under it, drawn alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..analysis.results import ComparisonSettings
from ..baselines import Baseline
from ..errors import InvalidInputError
from ..ops.metrics import measure
from ..ops.tiling import CancelCheck, KnownTile, Priority, Tile, check_cancel
from ..rescaler import IRNRescaler
from .compare import Comparison, run_comparison
from .events import Event, EventSink, Progress, RegionMeasured, TileReady, ignore
from .maps import error_map, signed_error_map
from .perceptual import flip_map

Region = tuple[tuple[int, int], tuple[int, int]]


@dataclass
class RegionComparison:
    """region: ((r0, r1), (c0, c1)) in HR pixels, aligned to the scale; pixels: kind -> (r1-r0, c1-c0, 3) of
    every method inside it; metrics: kind -> PSNR/SSIM of the region against the original's region;
    known_lr / known_hr: IRN's LR and z, and its restored pixels, there, for the whole pass to reuse (None
    where the region ends on a partial LR pixel at the image's edge)."""

    region: Region
    pixels: dict[str, np.ndarray]
    metrics: dict[str, dict[str, float]]
    known_lr: KnownTile | None = None
    known_hr: KnownTile | None = None


def aligned_region(region: Region, shape: tuple[int, ...], scale: int) -> Region:
    """``region`` clipped to an image of ``shape`` and widened to the LR grid (multiples of ``scale``)."""
    (r0, r1), (c0, c1) = region
    h, w = shape[:2]
    r0, c0 = max(0, r0) // scale * scale, max(0, c0) // scale * scale
    r1, c1 = min(h, math.ceil(min(r1, h) / scale) * scale), min(w, math.ceil(min(c1, w) / scale) * scale)
    if r1 <= r0 or c1 <= c0:
        raise InvalidInputError(f"expected a region inside the {w}x{h} image, got rows {region[0]}, cols {region[1]}")
    return (r0, r1), (c0, c1)


def compare_region(
    hr: np.ndarray,
    region: Region,
    *,
    rescaler: IRNRescaler,
    settings: ComparisonSettings,
    baselines: list[Baseline],
    cancel: CancelCheck | None = None,
    on_event: EventSink = ignore,
    share: float = 1.0,
) -> RegionComparison:
    """IRN down and up (with the region's part of the settings' seeded latent field, which the whole image's
    restoration draws too) and every baseline on the (H, W, 3) ``hr`` inside ``region``, each sent as a
    ``TileReady`` at its HR position as it is done; then the region's metrics (``RegionMeasured``, also on the
    result) and each method's error, signed and FLIP maps there, as (rows, cols) ``TileReady`` of
    "error:KIND", "signed:KIND" and "flip:KIND". ``Progress`` fractions run from 0 to ``share`` (the region's
    part of a larger job)."""
    s = rescaler.scale
    if settings.scale != s:
        raise InvalidInputError(f"settings ask for x{settings.scale}, but the rescaler's IRN is x{s}")
    h, w = hr.shape[:2]
    (r0, r1), (c0, c1) = aligned_region(region, hr.shape, s)
    context = rescaler.overlap * s
    top, left = max(0, r0 - context), max(0, c0 - context)
    bottom, right = min(h, r1 + context), min(w, c1 + context)
    crop = hr[top:bottom, left:right]
    inner = (slice(r0 - top, r1 - top), slice(c0 - left, c1 - left))
    reference = hr[r0:r1, c0:c1]
    pixels: dict[str, np.ndarray] = {}
    steps = 2 + len(baselines)
    # Each progress says what is being computed from then on, so a status line never names a finished step.
    next_steps = [b.name for b in baselines] + ["metrics and maps"]

    crops: dict[str, np.ndarray] = {}

    def send(kind: str, restored: np.ndarray, done: int) -> None:
        crops[kind] = restored
        pixels[kind] = np.ascontiguousarray(restored[inner])
        on_event(TileReady(kind, r0, c0, pixels[kind]))
        on_event(Progress(done / steps * share, f"the region in view: {next_steps[done - 2]}"))

    check_cancel(cancel)
    on_event(Progress(0.0, f"view {c1 - c0}×{r1 - r0}: IRN down and up"))  # its longest step
    lr, forward_z = rescaler.encode(crop, cancel=cancel)
    z = rescaler.draw_latent(
        *lr.shape[:2], temperature=settings.temperature, seed=settings.seed, top=top // s, left=left // s
    )
    send("irn_hr", rescaler.upscale(lr, z=z, output_size=crop.shape[:2], cancel=cancel), 2)
    known_lr = known_hr = None
    if r1 % s == 0 and c1 % s == 0:
        tile = Tile(r0 // s, r1 // s, c0 // s, c1 // s)
        rows = slice(tile.row0 - top // s, tile.row1 - top // s)
        cols = slice(tile.col0 - left // s, tile.col1 - left // s)
        forward = np.concatenate((lr[rows, cols].transpose(2, 0, 1), forward_z[:, rows, cols]), axis=0)
        known_lr = KnownTile(tile, torch.from_numpy(np.ascontiguousarray(forward))[None])
        known_hr = KnownTile(tile, torch.from_numpy(pixels["irn_hr"].transpose(2, 0, 1).copy())[None])
    for index, baseline in enumerate(baselines):
        check_cancel(cancel)
        kind = baseline.name if baseline.name in ("bicubic", "lanczos") else "sr"
        send(kind, baseline.roundtrip(crop, cancel=cancel)[1], 3 + index)
    metrics = {}
    for kind, p in pixels.items():  # a region's SSIMs take a few tenths of a second each: cancel between them
        check_cancel(cancel)
        metrics[kind] = measure(p, reference, scale=s)
    on_event(RegionMeasured(((r0, r1), (c0, c1)), metrics))
    for kind, p in pixels.items():
        check_cancel(cancel)
        on_event(TileReady(f"error:{kind}", r0, c0, error_map(p, reference)))
        on_event(TileReady(f"signed:{kind}", r0, c0, signed_error_map(p, reference)))
    for kind, restored in crops.items():  # FLIP filters spatially: computed with the crop's context, then cut
        check_cancel(cancel)
        on_event(TileReady(f"flip:{kind}", r0, c0, flip_map(restored, crop, cancel=cancel)[0][inner]))
    return RegionComparison(((r0, r1), (c0, c1)), pixels, metrics, known_lr, known_hr)


MIN_REGION_EDGE = 64


def region_for_view(shape: tuple[int, ...], view: Region | None) -> Region:
    """What to compute first for a view (HR region a pane shows, None before it is laid out): the view itself,
    clipped, when it is no larger than FIRST_REGION_EDGE on a side (zoomed in), else FIRST_REGION_EDGE around
    its centre (at Fit: the image's centre, where a first zoom goes); never under MIN_REGION_EDGE a side.
    Images of at most REGION_FIRST_MIN_PIXELS (compared first only from FIRST_LOOK_MIN_PIXELS) take
    FIRST_LOOK_EDGE instead: a look at their centre within seconds."""
    h, w = shape[:2]
    edge = FIRST_REGION_EDGE if h * w > REGION_FIRST_MIN_PIXELS else min(FIRST_REGION_EDGE, FIRST_LOOK_EDGE)
    if view is None:
        return first_region(shape, None, edge=edge)
    (r0, r1), (c0, c1) = view
    r0, r1, c0, c1 = max(0, r0), min(h, r1), max(0, c0), min(w, c1)
    centre = ((r0 + r1) / 2, (c0 + c1) / 2)
    if r1 - r0 > edge or c1 - c0 > edge or r1 <= r0 or c1 <= c0:
        return first_region(shape, centre, edge=edge)
    if r1 - r0 < MIN_REGION_EDGE or c1 - c0 < MIN_REGION_EDGE:
        return first_region(shape, centre, edge=MIN_REGION_EDGE)
    return (r0, r1), (c0, c1)


def first_region(shape: tuple[int, ...], centre: tuple[float, float] | None, *, edge: int) -> Region:
    """The square of ``edge`` HR pixels (or the image, if smaller) around ``centre`` (row, col; None: the
    image's centre, where a person looks first at Fit), kept inside the image."""
    h, w = shape[:2]
    row, col = centre if centre is not None else (h / 2, w / 2)
    eh, ew = min(edge, h), min(edge, w)
    r0 = int(np.clip(row - eh / 2, 0, h - eh))
    c0 = int(np.clip(col - ew / 2, 0, w - ew))
    return (r0, r0 + eh), (c0, c0 + ew)


REGION_FIRST_MIN_PIXELS = 1_000_000  # a large photo: the region in view first, wherever the view goes
FIRST_REGION_EDGE = 768  # HR pixels: a 1280x720 window's panes at 1:1, with room to pan
# From a quarter of a megapixel (the demo's 512x512 sample) the whole image takes several seconds on a CPU
# (about 7 s at x4 on two AVX2 cores in fp32): its centre comes first, then the whole image.
FIRST_LOOK_MIN_PIXELS = 200_000
FIRST_LOOK_EDGE = 256


def wants_region_first(shape: tuple[int, ...], settings: ComparisonSettings, *, first_look: bool = False) -> bool:
    """Large images with a drawn latent and a lossless LR: where the whole pass takes long enough to wait for.
    With ``first_look``, also images from FIRST_LOOK_MIN_PIXELS (a comparison's first look at their centre);
    without it, photos over REGION_FIRST_MIN_PIXELS only (where the region in view leads while one pans)."""
    least = min(REGION_FIRST_MIN_PIXELS, FIRST_LOOK_MIN_PIXELS) if first_look else REGION_FIRST_MIN_PIXELS
    return shape[0] * shape[1] > least and not settings.oracle_z and settings.jpeg_quality is None


def run_region_first(
    hr: np.ndarray,
    *,
    rescaler: IRNRescaler,
    settings: ComparisonSettings,
    baselines: list[Baseline],
    region: Region | None = None,
    weights_name: str = "",
    cancel: CancelCheck | None = None,
    priority: Priority = None,
    on_event: EventSink = ignore,
) -> tuple[RegionComparison | None, Comparison]:
    """``compare_region`` on ``region`` (None: ``region_for_view`` of no view: the centre), then the whole
    ``run_comparison`` (whose restoration draws the same latent field), its tiles nearest ``priority`` first
    (LR row, col, or a function asked before each tile: where the user looks now; default the region's
    centre). For images where ``wants_region_first`` is False, the whole comparison alone. The whole pass
    copies IRN's region in rather than computing it again (the baselines, a few percent of the time, run
    whole)."""
    if not wants_region_first(hr.shape, settings, first_look=True):
        return None, run_comparison(hr, rescaler=rescaler, settings=settings, baselines=baselines,
                                    weights_name=weights_name, cancel=cancel, priority=priority,
                                    on_event=on_event)  # fmt: skip
    s = rescaler.scale
    h, w = hr.shape[:2]
    region = region or region_for_view(hr.shape, None)
    (a0, a1), (b0, b1) = aligned_region(region, hr.shape, s)
    # The region's share of the job's work, by pixels with their context: the basis of the time estimate.
    context = 2 * rescaler.overlap * s
    region_pixels = (a1 - a0 + context) * (b1 - b0 + context)
    share = region_pixels / (region_pixels + h * w)

    def whole_progress(event: Event) -> None:
        if isinstance(event, Progress):
            event = Progress(share + (1 - share) * event.fraction, f"whole image: {event.text}")
        on_event(event)

    first = compare_region(hr, region, rescaler=rescaler, settings=settings, baselines=baselines, cancel=cancel,
                           on_event=on_event, share=share)  # fmt: skip
    (r0, r1), (c0, c1) = first.region
    whole = run_comparison(
        hr, rescaler=rescaler, settings=settings, baselines=baselines, weights_name=weights_name, cancel=cancel,
        priority=priority or ((r0 + r1) / 2 / s, (c0 + c1) / 2 / s),
        known_lr=first.known_lr, known_hr=first.known_hr, on_event=whole_progress,
    )  # fmt: skip
    return first, whole
