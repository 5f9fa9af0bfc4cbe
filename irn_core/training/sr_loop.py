"""Training the compact SR baseline: L1 on 8-bit MATLAB-bicubic LR patches, with the IRN loop's
data, checkpoints, log and resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from ..baselines.sr import SRBaseline
from ..device import pick_device
from ..nn.sr import CompactSR
from ..ops.metrics import psnr, ssim
from .checkpoints import list_checkpoints, load_checkpoint, save_checkpoint
from .config import TrainConfig
from .engine import (
    CsvLog,
    IterationLog,
    IterationSampler,
    TrainingResult,
    learning_rate_factor,
    set_threads,
    training_data,
)


def validate_sr(model: torch.nn.Module, images: list[np.ndarray], *, scale: int, device) -> tuple[float, float]:
    baseline = SRBaseline(model, scale=scale, name="sr", device=device)
    values = []
    for hr in images:
        _, restored = baseline.roundtrip(hr)
        values.append(
            (
                psnr(restored, hr, crop_border=scale, y_channel=True),
                ssim(restored, hr, crop_border=scale, y_channel=True),
            )
        )
    return float(np.mean([v[0] for v in values])), float(np.mean([v[1] for v in values]))


def _figures(psnr_ssim: tuple[float, float]) -> dict[str, float]:
    return {"val_psnr_y": psnr_ssim[0], "val_ssim_y": psnr_ssim[1]}


def train_sr(config: TrainConfig, *, progress: bool = True, stop_after: int | None = None):
    config.validate()
    run_dir = Path(config.out)
    run_dir.mkdir(parents=True, exist_ok=True)
    device = pick_device(config.device)
    set_threads(config, device)
    torch.manual_seed(config.seed)
    model = CompactSR(scale=config.scale).to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, betas=config.betas, eps=config.adam_eps)
    start = 0
    checkpoints = list_checkpoints(run_dir)
    if checkpoints:
        state = load_checkpoint(checkpoints[-1])
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = state["iteration"]

    def snapshot(iteration: int) -> None:
        save_checkpoint(
            run_dir,
            iteration,
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "iteration": iteration,
                "config": config.to_dict(),
            },
            keep=config.keep_checkpoints,
        )

    dataset, val_images = training_data(config)
    log = CsvLog(run_dir / "log.csv")
    end = config.iters if stop_after is None else min(config.iters, start + stop_after)
    loader = DataLoader(
        dataset,
        batch_size=config.batch,
        num_workers=config.workers,
        sampler=IterationSampler(start * config.batch, end * config.batch),
    )
    iteration_log = IterationLog(
        config,
        log,
        model=model,
        start=start,
        end=end,
        progress=progress,
        description=f"SR x{config.scale}",
        validate=(lambda: _figures(validate_sr(model, val_images, scale=config.scale, device=device)))
        if val_images
        else None,
    )
    bar = iteration_log.bar
    iteration, loss_value = start, float("nan")
    for hr, lr in loader:
        hr, lr = hr.to(device), lr.to(device)
        lr = torch.round(lr.clamp(0, 1) * 255) / 255  # what a stored 8-bit LR holds
        for group in optimizer.param_groups:
            group["lr"] = config.lr * learning_rate_factor(config, iteration)
        loss = (model(lr) - hr).abs().mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        iteration += 1
        loss_value = float(loss.detach())
        if bar is not None:
            bar.update(1)
            bar.set_postfix(l1=f"{loss_value:.4f}")
        iteration_log.after(iteration, lambda: {"loss": loss_value, "lr": optimizer.param_groups[0]["lr"]})
        if iteration % config.checkpoint_every == 0 or iteration == end:
            snapshot(iteration)
    iteration_log.close()
    return TrainingResult(
        run_dir=run_dir, iterations=iteration, last_loss=loss_value, val_psnr_y=iteration_log.val_psnr, rollbacks=0
    )
