"""Two use cases of the app and the command line, one function each: restoring an LR file beside the
baselines of the same LR, and the maps and metrics of a chosen restoration (a latent draw)."""

from __future__ import annotations

import numpy as np

from ..baselines import Baseline
from ..io.images import LoadedImage
from ..io.lrfile import LRInfo, lr_warnings, recorded_output_size
from ..ops.tiling import CancelCheck, Priority
from ..rescaler import IRNRescaler
from .compare import metrics_of, publish_with_maps, restore_lr, upscale_with_baselines
from .events import EventSink, Notice, ResultReady, ignore
from .results import ComparisonSettings, Result


def restore_lr_file(
    image: LoadedImage,
    info: LRInfo | None,
    *,
    rescaler: IRNRescaler,
    settings: ComparisonSettings,
    baselines: list[Baseline],
    weights_name: str = "",
    cancel: CancelCheck | None = None,
    priority: Priority = None,
    on_event: EventSink = ignore,
) -> dict[str, Result]:
    """Restore the LR file ``image`` (as ``read_lr_info`` describes it, None for a foreign LR) at the size it
    records, then upscale the same LR with each baseline: the comparison someone who has only the LR wants.
    First sends, as warning notices, every reason to expect a poor restoration. No metrics: no original."""
    for text in lr_warnings(
        image, info, scale=settings.scale, fingerprint=rescaler.fingerprint, jpeg_robust=rescaler.restorer is not None
    ):
        on_event(Notice("warning", text))
    lr = image.pixels
    output_size = recorded_output_size(lr.shape[:2], info, scale=settings.scale)
    results = {
        "irn_hr": restore_lr(
            lr,
            rescaler=rescaler,
            settings=settings,
            weights_name=weights_name,
            output_size=output_size,
            cancel=cancel,
            priority=priority,
            on_event=on_event,
        )
    }
    results |= upscale_with_baselines(
        lr, settings=settings, baselines=baselines, output_size=output_size, cancel=cancel, on_event=on_event
    )
    return results


def chosen_result_maps(
    kind: str,
    pixels: np.ndarray,
    *,
    provenance,
    reference: np.ndarray | None,
    scale: int,
    cancel: CancelCheck | None = None,
    on_event: EventSink = ignore,
) -> Result:
    """A restoration picked by the user (a latent draw) as the ``kind`` result: its metrics against
    ``reference`` (H, W, 3) and its error, signed-error and FLIP maps, all with its own ``provenance``, sent
    to ``on_event`` as for a comparison (the FLIP mean joins its metrics last)."""
    result = Result(kind, pixels, provenance)
    if reference is not None and pixels.shape == reference.shape:
        result.metrics = metrics_of(pixels, reference, scale)
    publish_with_maps(result, reference, on_event, cancel)
    return result


__all__ = ["restore_lr_file", "chosen_result_maps", "ResultReady"]
