"""The one exporter: a training run's latest weights as our safetensors file, fp16 when that is harmless."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import torch

from ..errors import WeightsError
from ..io.checkpoints import save_irn, save_sr
from ..nn.crm import CompressionRestorer
from ..nn.irn import IRN, build_irn
from ..nn.sr import CompactSR
from ..ops.metrics import Y_OFFICIAL
from .checkpoints import list_checkpoints, load_checkpoint
from .sr_loop import validate_sr
from .validation import load_validation_images, validate

_M = TypeVar("_M", bound=torch.nn.Module)


def _build(kind: str, scale: int) -> IRN | CompactSR:
    return CompactSR(scale=scale) if kind == "sr" else build_irn(scale)


def _stored_as_fp16(module: torch.nn.Module, blank: _M) -> _M:
    """``blank`` (a module of ``module``'s architecture) holding ``module``'s weights as an fp16 file keeps them."""
    blank.load_state_dict({k: v.half().float() for k, v in module.state_dict().items()})
    return blank.eval()


def _validate(
    net: IRN | CompactSR, images, draws: int, restorer: CompressionRestorer | None = None, jpeg_quality=None
) -> tuple[float, float]:
    if isinstance(net, CompactSR):
        return validate_sr(net, images, scale=net.scale, device="cpu")
    return validate(net, images, draws=draws, device=torch.device("cpu"), restorer=restorer, jpeg_quality=jpeg_quality)


def export_run(
    run_dir: str | Path,
    out: str | Path,
    *,
    val: str | Path | None = None,
    draws: int = 5,
    max_fp16_cost_db: float = 0.01,
    on_stage: Callable[[str], None] | None = None,
) -> dict:
    """Write the run's latest weights (IRN or SR, as its config says) to ``out``; fp16 when that costs
    < ``max_fp16_cost_db`` PSNR-Y on ``val`` (Set5, say), else fp32. Without ``val``, fp16.
    ``on_stage(text)`` is told each validation before it starts ("validating fp16 on Set5: 5 images x 5
    draws"), so a caller can show what the minutes go to.

    Returns the metadata written (scale, iterations of this run, total_iterations including the weights
    it started from, validation figures, dtype, ...).
    """
    checkpoints = list_checkpoints(Path(run_dir))
    if not checkpoints:
        raise WeightsError(f"no checkpoints in {run_dir}/checkpoints; expected a run folder of `irn train`")
    state = load_checkpoint(checkpoints[-1])
    config = state["config"]
    kind = config.get("model", "irn")
    net = _build(kind, config["scale"])
    net.load_state_dict(state["model"])
    net.eval()
    meta: dict[str, object] = {
        "iterations": state["iteration"],
        "training_data": str(config["data"]),
        "date": datetime.date.today().isoformat(),
    }
    if kind == "sr":
        meta.update(trained_with="irn train --model sr (IRN Studio)", loss="L1")
    else:
        meta.update(
            total_iterations=state.get("prior_iterations", 0) + state["iteration"],
            init_fingerprint=state.get("init_fingerprint", ""),
            trained_with="irn train (IRN Studio)",
            recipe={
                k: config.get(k)
                for k in (
                    "batch",
                    "patch",
                    "lr",
                    "lr_schedule",
                    "z_warmup_iters",
                    "autocast_bf16",
                    "init_from",
                    "color_augment",
                    "noise_augment",
                    "jpeg_in_loop",
                    "z_temperature_range",
                    "jpeg_lossless_share",
                )
            },
        )
    restorer = None
    if "crm" in state:
        restorer = CompressionRestorer()
        restorer.load_state_dict(state["crm"])
        restorer.eval()
    half = True
    if val:
        images = load_validation_images(val, scale=config["scale"])
        stages = 2 * (1 + (restorer is not None))

        def stage(index: int, what: str) -> None:
            if on_stage is not None:
                on_stage(
                    f"validating {what} on {Path(val).name} ({index}/{stages}): {len(images)} images x {draws} draws"
                )

        stage(1, "fp32")
        full, full_ssim = _validate(net, images, draws, restorer)
        stage(2, "fp16")
        halved = _stored_as_fp16(net, _build(kind, config["scale"]))
        halved_restorer = None if restorer is None else _stored_as_fp16(restorer, CompressionRestorer())
        reduced, _ = _validate(halved, images, draws, halved_restorer)
        half = abs(full - reduced) < max_fp16_cost_db
        meta.update(
            val_set=Path(val).name,
            val_psnr_y=round(full, 3),
            val_ssim_y=round(full_ssim, 4),
            val_y_convention=Y_OFFICIAL,
            fp16_cost_db=round(full - reduced, 4),
        )
        if restorer is not None:  # a JPEG-robust model is also judged with its LR stored as JPEG
            quality = int(config.get("val_jpeg_quality", 90))
            stage(3, f"fp32, LR stored as JPEG q{quality}")
            jpeg_full, _ = _validate(net, images, draws, restorer, quality)
            stage(4, f"fp16, LR stored as JPEG q{quality}")
            jpeg_reduced, _ = _validate(halved, images, draws, halved_restorer, quality)
            half = half and abs(jpeg_full - jpeg_reduced) < max_fp16_cost_db
            meta.update(
                val_jpeg_quality=quality,
                val_jpeg_psnr_y=round(jpeg_full, 3),
                fp16_cost_jpeg_db=round(jpeg_full - jpeg_reduced, 4),
            )
        if kind == "irn":
            meta["val_draws"] = draws
    if isinstance(net, CompactSR):
        save_sr(net, out, half=half, metadata=meta)
    else:
        save_irn(net, out, half=half, metadata=meta, restorer=restorer)
    meta["dtype"] = "float16" if half else "float32"
    return meta
