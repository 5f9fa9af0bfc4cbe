"""Export a training run's weights as our safetensors file."""
from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import torch

from ..model import build_irn
from ..weights import save_irn
from .checkpoints import list_checkpoints, load_checkpoint
from .validation import load_validation_images, validate


def export_run(run_dir: str | Path, out: str | Path, *, val: str | Path | None = None,
               draws: int = 5, max_fp16_cost_db: float = 0.01) -> dict:
    """Write the run's latest weights to ``out``; fp16 when that costs < max_fp16_cost_db on ``val``.

    Returns the metadata written (scale, iterations of this run, total_iterations including the weights
    it started from, validation figures, dtype, ...).
    """
    checkpoints = list_checkpoints(Path(run_dir))
    if not checkpoints:
        raise FileNotFoundError(f"no checkpoints in {run_dir}/checkpoints")
    state = load_checkpoint(checkpoints[-1])
    config = state["config"]
    if config.get("model", "irn") == "sr":
        return _export_sr(state, out, val=val)
    net = build_irn(config["scale"])
    net.load_state_dict(state["model"])
    net.eval()
    meta: dict[str, object] = {
        "iterations": state["iteration"],
        "total_iterations": state.get("prior_iterations", 0) + state["iteration"],
        "training_data": str(config["data"]),
        "trained_with": "irn train (IRN Studio)", "date": datetime.date.today().isoformat(),
        "recipe": {k: config.get(k) for k in ("batch", "patch", "lr", "lr_schedule", "z_warmup_iters",
                                              "autocast_bf16", "init_from", "color_augment", "noise_augment")},
    }
    half = True
    if val:
        images = load_validation_images(val, scale=net.scale)
        device = torch.device("cpu")
        full, full_ssim = validate(net, images, draws=draws, device=device)
        halved = build_irn(net.scale)
        halved.load_state_dict({k: v.half().float() for k, v in net.state_dict().items()})
        reduced, _ = validate(halved.eval(), images, draws=draws, device=device)
        half = abs(full - reduced) < max_fp16_cost_db
        meta.update(val_set=Path(val).name, val_psnr_y=round(full, 3), val_ssim_y=round(full_ssim, 4),
                    val_draws=draws, fp16_cost_db=round(full - reduced, 4))
    save_irn(net, out, half=half, metadata=meta)
    meta["dtype"] = "float16" if half else "float32"
    return meta


def _export_sr(state: dict, out, *, val=None, max_fp16_cost_db: float = 0.01) -> dict:
    from ..sr import CompactSR, save_sr
    from .sr_loop import validate_sr
    config = state["config"]
    model = CompactSR(scale=config["scale"])
    model.load_state_dict(state["model"])
    model.eval()
    meta: dict[str, object] = {"iterations": state["iteration"], "training_data": str(config["data"]),
                               "trained_with": "irn train --model sr (IRN Studio)",
                               "date": datetime.date.today().isoformat(), "loss": "L1"}
    half = True
    if val:
        images = load_validation_images(val, scale=model.scale)
        full, full_ssim = validate_sr(model, images, scale=model.scale, device="cpu")
        halved = CompactSR(scale=model.scale)
        halved.load_state_dict({k: v.half().float() for k, v in model.state_dict().items()})
        reduced, _ = validate_sr(halved.eval(), images, scale=model.scale, device="cpu")
        half = abs(full - reduced) < max_fp16_cost_db
        meta.update(val_set=Path(val).name, val_psnr_y=round(full, 3), val_ssim_y=round(full_ssim, 4),
                    fp16_cost_db=round(full - reduced, 4))
    save_sr(model, out, half=half, metadata=meta)
    meta["dtype"] = "float16" if half else "float32"
    return meta
