"""What the app's workers run: library pipelines, their events turned into typed messages for the
GUI thread (``ctx.emit(payload)``), and the conversions for display done here, off the GUI thread."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from irn_core.analysis import compare, studies
from irn_core.analysis.files import lr_record
from irn_core.analysis.models import ModelCache
from irn_core.analysis.results import ComparisonSettings
from irn_core.io.checkpoints import bundled_weights_path
from irn_core.io.images import LoadedImage, write_bytes_atomic, write_png
from irn_core.io.lrfile import LRInfo, lr_warnings
from irn_core.io.metadata import display_srgb
from irn_core.ops.codecs import to_uint8

from ..model.session import SessionResult
from ..model.wording import progress_text
from .jobs import JobContext


@dataclass(frozen=True)
class Tile:
    kind: str
    row: int
    col: int
    pixels: np.ndarray  # uint8 (rows, cols, 3)


@dataclass(frozen=True)
class Notice:
    level: str
    text: str


@dataclass(frozen=True)
class RunOutcome:
    """What a comparison or restoration leaves besides its results."""

    latent: np.ndarray | None = None
    lr_fidelity: dict[str, float] | None = None


PROGRESS_STEPS = 1000


def _forward(ctx: JobContext, icc: bytes | None = None):
    """An ``on_event`` for the library pipelines that passes events to the GUI thread as typed messages."""
    started = time.perf_counter()

    def on_event(event: compare.Event) -> None:
        if isinstance(event, compare.Progress):
            text = progress_text(event.text, event.fraction, time.perf_counter() - started)
            ctx.progress(round(event.fraction * PROGRESS_STEPS), PROGRESS_STEPS, text)
        elif isinstance(event, compare.TileReady):
            ctx.emit(Tile(event.kind, event.row, event.col, display_srgb(to_uint8(event.pixels), icc)))
        elif isinstance(event, compare.ResultReady):
            r = event.result
            ctx.emit(SessionResult.of(r.kind, r.pixels, r.provenance, metrics=r.metrics, icc=icc))
        elif isinstance(event, compare.Notice):
            ctx.emit(Notice(event.level, event.text))

    return on_event


def comparison_task(
    ctx: JobContext, models: ModelCache, settings: ComparisonSettings, hr: np.ndarray, priority, icc=None
) -> RunOutcome:
    weights = models.weights_path(settings)
    ctx.progress(0, 0, f"loading {weights.name}")
    rescaler = models.rescaler(settings)
    baselines, notices = models.baselines(settings)
    for text in notices:
        ctx.emit(Notice("warning", text))
    result = compare.run_comparison(
        hr,
        rescaler=rescaler,
        settings=settings,
        baselines=baselines,
        weights_name=weights.name,
        cancel=ctx.cancel,
        priority=priority,
        on_event=_forward(ctx, icc),
    )
    return RunOutcome(latent=result.latent, lr_fidelity=result.lr_fidelity)


def restore_task(
    ctx: JobContext,
    models: ModelCache,
    settings: ComparisonSettings,
    lr: np.ndarray,
    *,
    reference: np.ndarray | None,
    output_size,
    oracle_latent: np.ndarray | None,
    image: LoadedImage | None = None,
    lr_info: LRInfo | None = None,
    priority=None,
    icc: bytes | None = None,
) -> RunOutcome:
    """Upscale the session's LR again. For an LR file (``image`` given): first say why its restoration may be
    poor, then upscale the same LR with the baselines, the comparison someone with only the LR wants."""
    weights = models.weights_path(settings)
    ctx.progress(0, 0, f"loading {weights.name}")
    rescaler = models.rescaler(settings)
    if image is not None:
        for text in lr_warnings(
            image,
            lr_info,
            scale=settings.scale,
            fingerprint=rescaler.fingerprint,
            jpeg_robust=rescaler.restorer is not None,
        ):
            ctx.emit(Notice("warning", text))
    compare.restore_lr(
        lr,
        rescaler=rescaler,
        settings=settings,
        weights_name=weights.name,
        reference=reference,
        output_size=output_size,
        oracle_latent=oracle_latent,
        cancel=ctx.cancel,
        priority=priority,
        on_event=_forward(ctx, icc),
    )
    if image is not None:
        baselines, notices = models.baselines(settings)
        for text in notices:
            ctx.emit(Notice("warning", text))
        compare.upscale_with_baselines(
            lr,
            settings=settings,
            baselines=baselines,
            output_size=output_size,
            cancel=ctx.cancel,
            on_event=_forward(ctx, icc),
        )
    return RunOutcome()


def sample_task(
    ctx: JobContext,
    models: ModelCache,
    settings: ComparisonSettings,
    lr,
    reference,
    output_size,
    draws: int,
    icc: bytes | None = None,
) -> None:
    rescaler = models.rescaler(settings)

    def on_draw(draw: studies.DrawResult) -> None:
        ctx.emit(draw)
        ctx.progress(draw.index + 1, draws, f"draw {draw.index + 1}/{draws}")

    sample = studies.sample_draws(
        rescaler,
        lr,
        draws=draws,
        seed=settings.seed,
        temperature=settings.temperature,
        jpeg_quality=settings.jpeg_quality,
        reference=reference,
        output_size=output_size,
        on_draw=on_draw,
        cancel=ctx.cancel,
    )
    provenance = sample.provenance
    ctx.emit(SessionResult.of("mean_draw", sample.mean, provenance, icc=icc))
    std = sample.std.mean(axis=2)
    ctx.emit(SessionResult.of("std_map", std, provenance, note=f"mean std {std.mean() * 255:.2f} levels"))


def temperature_task(
    ctx: JobContext, models: ModelCache, settings: ComparisonSettings, lr, reference, temperatures, draws: int
) -> None:
    rescaler = models.rescaler(settings)
    done = {"n": 0}

    def on_point(t: float, value: float) -> None:
        done["n"] += 1
        ctx.emit(("temperature", t, value))
        ctx.progress(done["n"], len(temperatures), f"temperature {t:g}")

    studies.temperature_sweep(
        rescaler,
        lr,
        reference,
        temperatures=temperatures,
        seed=settings.seed,
        draws=draws,
        jpeg_quality=settings.jpeg_quality,
        on_point=on_point,
        cancel=ctx.cancel,
    )


def jpeg_task(ctx: JobContext, models: ModelCache, settings: ComparisonSettings, lr, reference, qualities) -> None:
    rescaler = models.rescaler(settings)
    baselines, _ = models.baselines(settings)
    # IRN against bicubic↓ + SR when an SR model exists at this scale, else against bicubic↓ + bicubic↑.
    other = next((b for b in baselines if b.name not in ("bicubic", "lanczos")), baselines[0])
    robust = None
    if rescaler.restorer is None and bundled_weights_path(settings.scale, kind="irn", variant="jpeg") is not None:
        robust = models.rescaler(settings.replace(weights=f"irn_x{settings.scale}_jpeg"))
    count = {"n": 0}
    curves = 2 + (robust is not None)

    def on_point(label: str, quality: int, value: float) -> None:
        ctx.emit(("jpeg", label, quality, value))
        count["n"] += 1
        ctx.progress(count["n"], curves * len(qualities), f"JPEG q{quality if quality <= 100 else ' lossless'}")

    studies.jpeg_study(
        rescaler,
        lr,
        reference,
        other=other,
        qualities=qualities,
        seed=settings.seed,
        temperature=settings.temperature,
        on_point=on_point,
        cancel=ctx.cancel,
        robust=robust,
    )


def save_png_task(
    ctx: JobContext, path, pixels: np.ndarray, *, overwrite: bool, lr_of: tuple | None = None, photo=None
) -> str:
    """Write a result as PNG; maps become colour maps; ``lr_of`` (models, settings, original image) stamps
    an IRN LR with what restores it (hashing the weights is torch work: here, not on the GUI thread);
    ``photo``: the ICC profile and EXIF of the image it came from."""
    from irn_core.analysis.figure import colorize

    metadata = None
    if lr_of is not None:
        models, settings, original = lr_of
        metadata = lr_record(models.rescaler(settings), models.weights_path(settings), original)
    data = colorize(pixels) if pixels.ndim == 2 else pixels
    write_png(path, data, metadata=metadata, photo=photo if pixels.ndim == 3 else None, overwrite=overwrite)
    return f"saved {Path(path).name}"


def save_text_task(ctx: JobContext, path, text: str, *, overwrite: bool) -> str:
    write_bytes_atomic(path, text.encode(), overwrite=overwrite)
    return f"saved {Path(path).name}"


def save_figure_task(ctx: JobContext, path, items, region, scale: int, *, overwrite: bool) -> str:
    from irn_core.analysis.figure import comparison_figure

    write_png(path, comparison_figure(items, region=region, scale=scale), overwrite=overwrite)
    return f"saved {Path(path).name}"


def region_metrics_task(ctx: JobContext, targets: dict, reference: np.ndarray, scale: int, region) -> dict | None:
    out = {}
    for kind, pixels in targets.items():
        if ctx.cancel.is_set():
            return None
        if pixels.shape == reference.shape:
            out[kind] = compare.metrics_of(pixels, reference, scale, region)
    return out


@dataclass(frozen=True)
class BatchOutcome:
    index: int
    outcome: str
    message: str


def batch_task(ctx: JobContext, models: ModelCache, settings: ComparisonSettings, items, operation: str):
    """Process a folder's files with the library's file operations; one BatchOutcome per file."""
    from irn_core.analysis.files import OPERATIONS, FileOptions
    from irn_core.io.batch import run_batch

    def rescalers(scale, recorded=None):
        chosen = settings if scale in (None, settings.scale) else settings.replace(scale=scale, weights=None)
        if recorded and not settings.weights:  # a bundled model the LR file names (e.g. JPEG-robust)
            chosen = chosen.replace(weights=recorded)
        return models.rescaler(chosen), models.weights_path(chosen)

    work, options = OPERATIONS[operation], FileOptions(seed=settings.seed, temperature=settings.temperature)
    scale = None if operation == "upscale" else settings.scale

    done: list[int] = []

    def process(item) -> str | None:
        ctx.progress(len(done), len(items), item.source.name)
        result = work(item, rescalers=rescalers, scale=scale, options=options, cancel=ctx.cancel)
        return None if result.scores is None else f"PSNR-Y {result.scores['psnr_y']:.2f} dB"

    def on_item(index: int, item, outcome: str, message: str) -> None:
        done.append(index)
        ctx.emit(BatchOutcome(index, outcome, message))

    summary = run_batch(items, process, on_item=on_item, cancel=ctx.cancel)
    return summary.describe()
