"""The comparison pipeline: IRN against the baselines on one image, as a stream of events.

``run_comparison`` (an HR image) and ``restore_lr`` (an LR image, with or without its original) run
synchronously and pass every event to ``on_event`` as it happens: ``Progress``, ``TileReady`` (restored
parts as they finish, nearest the point of interest first), ``ResultReady`` (a ``Result`` with its
provenance and metrics) and ``Notice``. They check ``cancel`` before every tile and stage and raise
``Cancelled``; they touch no GUI, so the CLI, the bench and the app drive the same code, and tests
drive it directly.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..baselines import Baseline, BicubicBaseline, LanczosBaseline, bicubic_downscale, make_baseline
from ..device import device_description
from ..errors import InvalidInputError, IRNError
from ..io.lrfile import JPEG_LR_WARNING
from ..ops.codecs import jpeg_roundtrip, pad_to_multiple
from ..ops.metrics import Region, measure, psnr, ssim
from ..ops.tiling import CancelCheck, KnownTile, Priority, Tile, check_cancel
from ..rescaler import IRNRescaler
from .events import Event, EventSink, Notice, Progress, RegionMeasured, ResultReady, TileReady, ignore
from .maps import LUMA_WEIGHTS, error_map, largest_difference, signed_error_map
from .perceptual import flip_map
from .results import (
    BASELINE_INPUTS,
    IRN_HR_INPUTS,
    IRN_LR_INPUTS,
    SR_INPUTS,
    ComparisonSettings,
    Provenance,
    Result,
)

__all__ = [  # the pipeline and, for its callers, the events and maps it uses
    "Event", "EventSink", "Notice", "Progress", "RegionMeasured", "ResultReady", "TileReady",
    "LUMA_WEIGHTS", "error_map", "largest_difference", "signed_error_map",
    "Comparison", "comparison_baselines", "metrics_of", "publish_with_maps", "restore_lr", "run_comparison",
    "upscale_with_baselines",
]  # fmt: skip

# Shares of a comparison's time (measured on CPU: the baselines take a few percent).
DOWN_SHARE, UP_SHARE = 0.47, 0.47


def metrics_of(pixels: np.ndarray, reference: np.ndarray, scale: int, region: Region | None = None) -> dict:
    """``ops.metrics.measure``: PSNR/SSIM on Y (paper conventions, ``scale`` border cropped from the whole
    image) and on RGB; NaN where an image is too small to measure."""
    return measure(pixels, reference, scale=scale, region=region)


def comparison_baselines(settings: ComparisonSettings, *, device: str = "auto") -> tuple[list[Baseline], list[str]]:
    """(bicubic, Lanczos and the SR baseline, notices): the SR one is left out, with a notice, when no
    SR model exists for the scale."""
    baselines: list[Baseline] = [BicubicBaseline(scale=settings.scale), LanczosBaseline(scale=settings.scale)]
    try:
        baselines.append(make_baseline("sr", scale=settings.scale, path=settings.sr_model, device=device))
    except IRNError as exc:
        return baselines, [f"SR baseline unavailable: {exc}"]
    return baselines, []


def _irn_provenance(rescaler: IRNRescaler, settings, weights_name, *, inputs, latent="", seconds=0.0, **extra):
    return Provenance(
        method="irn",
        settings=settings,
        inputs=inputs,
        weights_name=weights_name,
        fingerprint=rescaler.fingerprint,
        latent=latent,
        device=device_description(rescaler.device),
        precision=rescaler.precision,
        seconds=seconds,
        **extra,
    )


def publish_with_maps(
    result: Result, reference: np.ndarray | None, on_event: EventSink, cancel: CancelCheck | None = None
) -> None:
    """Send ``result`` and, against a reference of its size, its error maps: mean |x - HR| over RGB
    ("error:KIND"), the signed luma difference ("signed:KIND") and, last because it is the slowest (about
    1 s per megapixel), its FLIP map ("flip:KIND", whose metrics hold the mean FLIP as "flip", as do the
    result's own metrics afterwards)."""
    on_event(ResultReady(result))
    if reference is None or result.pixels.shape != reference.shape:
        return
    on_event(ResultReady(Result(f"error:{result.kind}", error_map(result.pixels, reference), result.provenance)))
    signed = signed_error_map(result.pixels, reference)
    on_event(ResultReady(Result(f"signed:{result.kind}", signed, result.provenance)))
    flip_pixels, flip_mean = flip_map(result.pixels, reference, cancel=cancel)
    flip = Result(f"flip:{result.kind}", flip_pixels, result.provenance)
    flip.metrics = {"flip": flip_mean}
    if result.metrics is not None:
        result.metrics["flip"] = flip_mean
    on_event(ResultReady(flip))


def restore_lr(
    lr: np.ndarray,
    *,
    rescaler: IRNRescaler,
    settings: ComparisonSettings,
    weights_name: str = "",
    reference: np.ndarray | None = None,
    output_size: tuple[int, int] | None = None,
    oracle_latent: np.ndarray | None = None,
    known: KnownTile | None = None,
    cancel: CancelCheck | None = None,
    priority: Priority = None,
    on_event: EventSink = ignore,
    span: tuple[float, float] = (0.0, 1.0),
) -> Result:
    """Upscale an IRN LR (h, w, 3) with the settings' latent; returns the restored ``Result`` ("irn_hr")
    and sends it (and, with a ``reference`` HR, its error map; metrics are on the result) to ``on_event``.

    The LR is first stored as the settings say (JPEG or lossless). ``oracle_latent`` (C, h, w) is used
    when ``settings.oracle_z``; otherwise z is the settings' seeded draw, and ``known`` (a region restored
    before with the same LR, settings and draw) is reused, not recomputed, when the LR is stored losslessly. output_size
    defaults to the reference's size, else the full h*s x w*s. span: the part of a longer pipeline's
    progress this restoration covers.
    """
    scale = rescaler.scale
    stored = jpeg_roundtrip(lr, settings.jpeg_quality)
    if settings.jpeg_quality is not None and rescaler.restorer is None:
        on_event(Notice("warning", JPEG_LR_WARNING))
    use_oracle = settings.oracle_z and oracle_latent is not None and oracle_latent.shape[1:] == lr.shape[:2]
    if settings.oracle_z and not use_oracle:
        on_event(
            Notice(
                "warning",
                "oracle z needs the forward latent of this LR (run IRN on the original): "
                "restored with a drawn z instead",
            )
        )
    if output_size is None and reference is not None:
        output_size = reference.shape[:2]

    def on_tile(tile: Tile, pixels: np.ndarray) -> None:
        on_event(TileReady("irn_hr", tile.row0 * scale, tile.col0 * scale, pixels))

    def on_progress(done: float, total: int) -> None:
        on_event(Progress(span[0] + (span[1] - span[0]) * done / total, f"IRN upscale: {_tiles_text(done, total)}"))

    started = time.perf_counter()
    restored = rescaler.upscale(
        stored,
        temperature=settings.temperature,
        seed=settings.seed,
        z=oracle_latent if use_oracle else None,
        output_size=output_size,
        progress=on_progress,
        cancel=cancel,
        on_tile=on_tile,
        priority=priority,
        known=known if not use_oracle and settings.jpeg_quality is None else None,
    )
    provenance = _irn_provenance(
        rescaler,
        settings,
        weights_name,
        inputs=IRN_HR_INPUTS,
        latent="oracle" if use_oracle else "drawn",
        seconds=time.perf_counter() - started,
    )
    result = Result("irn_hr", restored, provenance)
    if reference is not None and restored.shape == reference.shape:
        result.metrics = metrics_of(restored, reference, scale)
    publish_with_maps(result, reference, on_event, cancel)
    return result


def _tiles_text(done: float, total: int) -> str:
    return f"tile {min(int(done) + 1, total)} of {total}" if total > 1 else "one tile"


@dataclass
class Comparison:
    """Everything one comparison computed: results by kind, the IRN latent, and the LR fidelity
    (PSNR/SSIM-Y of IRN's LR against the bicubic LR: how close IRN's LR looks to a plain downscale)."""

    results: dict[str, Result]
    latent: np.ndarray | None = None
    lr_fidelity: dict[str, float] | None = None


def run_comparison(
    hr: np.ndarray,
    *,
    rescaler: IRNRescaler,
    settings: ComparisonSettings,
    baselines: list[Baseline],
    weights_name: str = "",
    cancel: CancelCheck | None = None,
    priority: Priority = None,
    known_lr: KnownTile | None = None,
    known_hr: KnownTile | None = None,
    on_event: EventSink = ignore,
) -> Comparison:
    """IRN down and up, then each baseline, on an (H, W, 3) HR image; results carry metrics against it.

    Sends, in order: the IRN LR ("irn_lr"), the restored IRN image with its tiles as they finish (nearest
    ``priority`` first), the bicubic LR, then each baseline (kind = its name, "sr" for any SR model), each
    with its error map. known_lr / known_hr: a region-first pass's IRN parts (LR and z; restored pixels with
    the same settings, irn_core.analysis.region), copied in instead of recomputed.
    """
    if settings.scale != rescaler.scale:
        raise InvalidInputError(f"settings ask for x{settings.scale}, but the rescaler's IRN is x{rescaler.scale}")
    scale = settings.scale
    h, w = hr.shape[:2]
    started = time.perf_counter()
    on_event(Progress(0.0, "IRN downscale"))  # said before its first tile, which can take seconds
    lr, latent = rescaler.encode(
        hr,
        cancel=cancel,
        known=known_lr,
        progress=lambda d, n: on_event(Progress(DOWN_SHARE * d / n, f"IRN downscale: {_tiles_text(d, n)}")),
    )
    lr_result = Result(
        "irn_lr",
        lr,
        _irn_provenance(rescaler, settings, weights_name, inputs=IRN_LR_INPUTS, seconds=time.perf_counter() - started),
    )
    on_event(ResultReady(lr_result))
    results = {"irn_lr": lr_result}
    results["irn_hr"] = restore_lr(
        lr,
        rescaler=rescaler,
        settings=settings,
        weights_name=weights_name,
        reference=hr,
        oracle_latent=latent,
        known=known_hr,
        cancel=cancel,
        priority=priority,
        on_event=on_event,
        span=(DOWN_SHARE, DOWN_SHARE + UP_SHARE),
    )
    bicubic_lr = bicubic_downscale(pad_to_multiple(hr, scale), scale=scale)
    results["bicubic_lr"] = Result("bicubic_lr", bicubic_lr, Provenance("bicubic", settings, BASELINE_INPUTS))
    on_event(ResultReady(results["bicubic_lr"]))
    for index, baseline in enumerate(baselines):
        check_cancel(cancel)
        on_event(Progress(DOWN_SHARE + UP_SHARE + (1 - DOWN_SHARE - UP_SHARE) * index / len(baselines), baseline.name))
        kind = baseline.name if baseline.name in ("bicubic", "lanczos") else "sr"
        started = time.perf_counter()
        _, restored = baseline.roundtrip(hr, cancel=cancel)
        inputs = SR_INPUTS if kind == "sr" else BASELINE_INPUTS
        result = Result(
            kind, restored, Provenance(baseline.name, settings, inputs, seconds=time.perf_counter() - started)
        )
        result.metrics = metrics_of(restored, hr, scale)
        results[kind] = result
        publish_with_maps(result, hr, on_event, cancel)
    check_cancel(cancel)
    on_event(Progress(0.99, "LR fidelity"))
    fidelity = {
        "psnr_y": psnr(lr, bicubic_lr, y_channel=True),
        "ssim_y": ssim(lr, bicubic_lr, y_channel=True) if min(lr.shape[:2]) >= 11 else math.nan,
    }
    on_event(Progress(1.0, "done"))
    return Comparison(results=results, latent=latent, lr_fidelity=fidelity)


def upscale_with_baselines(
    lr: np.ndarray,
    *,
    settings: ComparisonSettings,
    baselines: list[Baseline],
    output_size: tuple[int, int] | None = None,
    cancel: CancelCheck | None = None,
    on_event: EventSink = ignore,
) -> dict[str, Result]:
    """Each baseline's upscaler on the same (h, w, 3) LR that IRN restores: what someone who only has the
    LR can compare (no metrics without an original). Kinds as in ``run_comparison``."""
    results = {}
    for index, baseline in enumerate(baselines):
        check_cancel(cancel)
        on_event(Progress(index / len(baselines), f"{baseline.name} on the same LR"))
        kind = baseline.name if baseline.name in ("bicubic", "lanczos") else "sr"
        started = time.perf_counter()
        up = baseline.upscale(lr, output_size=output_size, cancel=cancel)
        inputs = SR_INPUTS if kind == "sr" else BASELINE_INPUTS
        results[kind] = Result(
            kind, up, Provenance(baseline.name, settings, inputs, seconds=time.perf_counter() - started)
        )
        on_event(ResultReady(results[kind]))
    return results
