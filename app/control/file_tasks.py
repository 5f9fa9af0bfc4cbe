"""The session's file work, run in jobs: opening a large photo, saving results, metrics and figures, and
processing folders. Each function takes the job's context first."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from irn_core.analysis.files import lr_record
from irn_core.analysis.models import ModelCache
from irn_core.analysis.results import ComparisonSettings
from irn_core.io.writing import write_bytes_atomic, write_png

from ..model import messages as m
from .executor import JobContext


def open_image(ctx: JobContext | None, *, path) -> m.OpenImage:
    """Decode an image and prepare it for display (a worker's part of opening a large photo)."""
    from irn_core.io.images import read_image
    from irn_core.io.lrfile import read_lr_info

    from ..model.results import shown_result

    if ctx is not None:
        ctx.progress(0, 0, f"decoding {Path(path).name}")
    image = read_image(path)
    return m.OpenImage(image, shown_result(image, read_lr_info(image)))


def save_png(ctx: JobContext, *, path, pixels: np.ndarray, overwrite: bool, provenance: dict[str, str],
             lr_of: tuple | None = None, photo=None) -> str:  # fmt: skip
    """Write a result as PNG with its provenance in text chunks; maps become colour maps; ``lr_of`` (models,
    settings, original image) also stamps an IRN LR with what restores it (hashing the weights is torch work:
    here); ``photo``: the ICC profile and EXIF of the image it came from."""
    from irn_core.analysis.figure import colorize

    metadata = dict(provenance)
    if lr_of is not None:
        models, settings, original = lr_of
        metadata |= lr_record(models.rescaler(settings), models.weights_path(settings), original)
    data = colorize(pixels) if pixels.ndim == 2 else pixels
    write_png(path, data, metadata=metadata, photo=photo if pixels.ndim == 3 else None, overwrite=overwrite)
    return f"saved {Path(path).name}"


def save_text(ctx: JobContext, *, path, text: str, overwrite: bool) -> str:
    write_bytes_atomic(path, text.encode(), overwrite=overwrite)
    return f"saved {Path(path).name}"


def save_figure(ctx: JobContext, *, path, items, region, scale: int, overwrite: bool) -> str:
    from irn_core.analysis.figure import comparison_figure

    write_png(path, comparison_figure(items, region=region, scale=scale), overwrite=overwrite)
    return f"saved {Path(path).name}"


def batch(ctx: JobContext, *, models: ModelCache, settings: ComparisonSettings, items, operation: str) -> str:
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
        ctx.emit(m.BatchOutcome(index, outcome, message))

    return run_batch(items, process, on_item=on_item, cancel=ctx.cancel).describe()
