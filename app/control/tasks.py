"""What the app's jobs run: library pipelines, their events turned into store messages, and the
conversions for display done here, in the worker, not on the GUI thread. Each function takes the job's
context first; ``Commands`` calls them through its ``pipelines`` (this module; tests pass stubs)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from irn_core.analysis import compare, region, restore, studies
from irn_core.analysis.models import ModelCache
from irn_core.analysis.results import DRAW_INPUTS, STUDY_INPUTS, ComparisonSettings, Provenance
from irn_core.errors import WeightsError
from irn_core.io.checkpoints import bundled_weights_path, describe_checkpoint
from irn_core.io.images import LoadedImage
from irn_core.io.lrfile import LRInfo
from irn_core.io.metadata import display_srgb
from irn_core.ops.codecs import to_uint8

from ..model import messages as m
from ..model.results import SessionResult
from ..model.wording import progress_text
from .executor import JobContext
from .foreground import Foreground, YieldingCancel

PROGRESS_STEPS = 1000
VIEW_FIRST = Foreground()  # region passes (the view moved to) hold it; the whole comparison yields to them


def make_models() -> ModelCache:
    return ModelCache()


def weights_problem(models: ModelCache, settings: ComparisonSettings) -> str | None:
    """Why the IRN weights the settings name cannot be used, or None."""
    try:
        models.weights_path(settings)
    except WeightsError as exc:
        return str(exc)
    return None


def model_label(models: ModelCache, settings: ComparisonSettings) -> str:
    try:
        path = models.weights_path(settings)
    except WeightsError:
        return "no weights"
    return ("bundled " if not settings.weights else "") + path.name


def _forward(ctx: JobContext, icc: bytes | None = None, settings: ComparisonSettings | None = None):
    """An ``on_event`` for the library pipelines that sends their events as store messages (a region's
    metrics only where ``settings`` are given: the region-first passes, whose regions the table shows)."""
    started = time.perf_counter()

    def on_event(event: compare.Event) -> None:
        if isinstance(event, compare.Progress):
            text = progress_text(event.text, event.fraction, time.perf_counter() - started)
            ctx.progress(round(event.fraction * PROGRESS_STEPS), PROGRESS_STEPS, text)
        elif isinstance(event, compare.TileReady) and event.pixels.ndim == 2:  # a map of the region in view
            shown = SessionResult.of(event.kind, event.pixels)
            ctx.emit(m.TileArrived(event.kind, event.row, event.col, shown.display, top=shown.top_level()))
        elif isinstance(event, compare.TileReady):
            ctx.emit(m.TileArrived(event.kind, event.row, event.col, display_srgb(to_uint8(event.pixels), icc)))
        elif isinstance(event, compare.ResultReady):
            r = event.result
            ctx.emit(m.ResultArrived(SessionResult.of(r.kind, r.pixels, r.provenance, metrics=r.metrics, icc=icc)))
        elif isinstance(event, compare.Notice):
            ctx.emit(m.Notice(event.level, event.text))
        elif isinstance(event, compare.RegionMeasured) and settings is not None:
            ctx.emit(m.FirstRegionMetrics(event.region, event.metrics, settings))

    return on_event


def _baselines(ctx: JobContext, models: ModelCache, settings: ComparisonSettings) -> list:
    baselines, notices = models.baselines(settings)
    for text in notices:
        ctx.emit(m.Notice("warning", text))
    return baselines


def _loaded(ctx: JobContext, models: ModelCache, settings: ComparisonSettings):
    """The rescaler the settings name and its weights file's name, saying so while it loads."""
    weights = models.weights_path(settings)
    ctx.progress(0, 0, f"loading {weights.name}")
    return models.rescaler(settings), weights.name


def comparison(
    ctx: JobContext, *, models: ModelCache, settings: ComparisonSettings, hr, view_region, priority=None, icc=None
) -> None:
    """The region in view first, every method (``irn_core.analysis.region``; large photos only), then the whole
    image with the same latent, pausing while a region pass computes where the view moved (``VIEW_FIRST``)."""
    started = time.perf_counter()
    rescaler, weights = _loaded(ctx, models, settings)
    first, result = region.run_region_first(
        hr,
        rescaler=rescaler,
        settings=settings,
        baselines=_baselines(ctx, models, settings),
        region=region.region_for_view(hr.shape, view_region),
        weights_name=weights,
        cancel=YieldingCancel(ctx.cancel, VIEW_FIRST),
        priority=priority,
        on_event=_forward(ctx, icc, settings),
    )
    summary = studies.latent_statistics(result.latent).describe() if result.latent is not None else ""
    ctx.emit(m.ComparisonDone(result.latent, summary, result.lr_fidelity, time.perf_counter() - started))


def region_pass(
    ctx: JobContext, *, models: ModelCache, settings: ComparisonSettings, hr, view_region, icc=None
) -> None:
    """Every method on the region the user moved to, with its part of the whole image's latent field (the
    same z), while the whole comparison goes on; its metrics replace the earlier region's in the table."""
    with VIEW_FIRST.held():
        region.compare_region(
            hr, region.region_for_view(hr.shape, view_region), rescaler=models.rescaler(settings),
            settings=settings, baselines=_baselines(ctx, models, settings), cancel=ctx.cancel,
            on_event=_forward(ctx, icc, settings),
        )  # fmt: skip


def restoration(
    ctx: JobContext, *, models: ModelCache, settings: ComparisonSettings, lr, reference, output_size, oracle_latent,
    priority=None, icc=None,
) -> None:  # fmt: skip
    """Upscale the session's IRN LR again with the present latent settings (no new downscale)."""
    started = time.perf_counter()
    rescaler, weights = _loaded(ctx, models, settings)
    compare.restore_lr(
        lr,
        rescaler=rescaler,
        settings=settings,
        weights_name=weights,
        reference=reference,
        output_size=output_size,
        oracle_latent=oracle_latent,
        cancel=ctx.cancel,
        priority=priority,
        on_event=_forward(ctx, icc),
    )
    ctx.emit(m.ComparisonDone(seconds=time.perf_counter() - started))


def lr_file_restoration(
    ctx: JobContext, *, models: ModelCache, settings: ComparisonSettings, image: LoadedImage, info: LRInfo | None,
    priority=None, icc=None,
) -> None:  # fmt: skip
    started = time.perf_counter()
    rescaler, weights = _loaded(ctx, models, settings)
    restore.restore_lr_file(
        image,
        info,
        rescaler=rescaler,
        settings=settings,
        baselines=_baselines(ctx, models, settings),
        weights_name=weights,
        cancel=ctx.cancel,
        priority=priority,
        on_event=_forward(ctx, icc),
    )
    ctx.emit(m.ComparisonDone(seconds=time.perf_counter() - started))


def study_provenance(name: str, settings: ComparisonSettings, **extra: Any) -> Provenance:
    return Provenance("irn", settings, STUDY_INPUTS[name], latent="drawn", **extra)


def draws(
    ctx: JobContext, *, models: ModelCache, settings: ComparisonSettings, lr, reference, output_size, count: int,
    icc=None,
) -> None:  # fmt: skip
    rescaler = models.rescaler(settings)
    weights = models.weights_path(settings).name

    def on_draw(draw: studies.DrawResult) -> None:
        provenance = Provenance(
            "irn", settings.replace(seed=draw.seed), DRAW_INPUTS, weights_name=weights,
            fingerprint=rescaler.fingerprint, latent="drawn", draw_index=draw.index, precision=rescaler.precision,
        )  # fmt: skip
        scores = (("psnr_y", draw.psnr_y), ("ssim_y", draw.ssim_y), ("psnr_rgb", draw.psnr_rgb))
        metrics = {k: v for k, v in scores if v is not None}
        result = SessionResult.of("irn_hr", draw.image, provenance, metrics=metrics, icc=icc)
        ctx.emit(m.DrawArrived(draw.index, draw.seed, result))
        ctx.progress(draw.index + 1, count, f"draw {draw.index + 1}/{count}")

    sample = studies.sample_draws(
        rescaler, lr, draws=count, seed=settings.seed, temperature=settings.temperature,
        jpeg_quality=settings.jpeg_quality, reference=reference, output_size=output_size, on_draw=on_draw,
        cancel=ctx.cancel,
    )  # fmt: skip
    assert sample.mean is not None and sample.std is not None
    provenance = study_provenance("draws", settings, draws=count, weights_name=weights, precision=rescaler.precision)
    ctx.emit(m.ResultArrived(SessionResult.of("mean_draw", sample.mean, provenance, icc=icc)))
    std = sample.std.mean(axis=2)
    note = f"mean std {std.mean() * 255:.2f} levels"
    ctx.emit(m.ResultArrived(SessionResult.of("std_map", std, provenance, note=note)))


def temperature_sweep(
    ctx: JobContext, *, models: ModelCache, settings: ComparisonSettings, lr, reference, temperatures, count: int
) -> None:
    done = [0]

    def on_point(t: float, value: float) -> None:
        done[0] += 1
        ctx.emit(m.StudyPoint("temperature", "IRN", t, value))
        ctx.progress(done[0], len(temperatures), f"temperature {t:g}")

    studies.temperature_sweep(
        models.rescaler(settings), lr, reference, temperatures=temperatures, seed=settings.seed, draws=count,
        jpeg_quality=settings.jpeg_quality, on_point=on_point, cancel=ctx.cancel,
    )  # fmt: skip


def jpeg_study(ctx: JobContext, *, models: ModelCache, settings: ComparisonSettings, lr, reference, qualities) -> None:
    rescaler = models.rescaler(settings)
    baselines, _ = models.baselines(settings)
    # IRN against bicubic↓ + SR when an SR model exists at this scale, else against bicubic↓ + bicubic↑.
    other = next((b for b in baselines if b.name not in ("bicubic", "lanczos")), baselines[0])
    robust = None
    if rescaler.restorer is None and bundled_weights_path(settings.scale, kind="irn", variant="jpeg") is not None:
        robust = models.rescaler(settings.replace(weights=f"irn_x{settings.scale}_jpeg"))
    count, curves = [0], 2 + (robust is not None)

    def on_point(series: str, quality: int, value: float) -> None:
        ctx.emit(m.StudyPoint("jpeg", series, quality, value))
        count[0] += 1
        ctx.progress(count[0], curves * len(qualities), f"JPEG q{quality if quality <= 100 else ' lossless'}")

    studies.jpeg_study(
        rescaler, lr, reference, other=other, qualities=qualities, seed=settings.seed,
        temperature=settings.temperature, on_point=on_point, cancel=ctx.cancel, robust=robust,
    )  # fmt: skip


def draw_maps(ctx: JobContext, *, result: SessionResult, reference, scale: int, icc=None) -> None:
    """The metrics and error, signed and FLIP maps of the draw shown (``irn_core.analysis.restore``)."""
    ctx.progress(0, 0, "maps of the draw shown")
    restore.chosen_result_maps(
        result.kind, result.pixels, provenance=result.provenance, reference=reference, scale=scale,
        cancel=ctx.cancel, on_event=_forward(ctx, icc),
    )  # fmt: skip


def region_metrics(
    ctx: JobContext, *, targets: dict, measured: dict, reference: np.ndarray, scale: int, region, view_region
) -> None:
    """PSNR/SSIM of ``region`` (clipped to the image) for each result; recorded for ``view_region``."""
    out = {}
    for kind, pixels in targets.items():
        if ctx.cancel.is_set():
            return
        if pixels.shape == reference.shape:
            out[kind] = compare.metrics_of(pixels, reference, scale, region)
    ctx.emit(m.RegionMetrics(view_region, out, measured))


def check_checkpoint(ctx: JobContext, *, path: str):
    """What a checkpoint the user chose is (IRN or SR, its scale), read here rather than on the GUI thread."""
    ctx.progress(0, 0, f"checking {Path(path).name}")
    return describe_checkpoint(path)


# The file work of the session, in its own module, reached through this one (the pipelines' one namespace).
from .file_tasks import batch, open_image, save_figure, save_png, save_text  # noqa: E402

__all__ = ["batch", "open_image", "save_figure", "save_png", "save_text"]
