"""The IRN training loop: resumable, spike-safe, logged to CSV, validated with paper metrics."""
from __future__ import annotations

import csv
import json
import math
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler

from ..model import build_irn
from ..rescaler import NO_FAST_BF16_MESSAGE, bf16_is_fast, pick_device
from .checkpoints import list_checkpoints, load_checkpoint, save_checkpoint
from .config import TrainConfig
from .data import PatchDataset
from .losses import (backward_reconstruction_loss, distribution_loss, forward_fit_loss,
                     quantize_straight_through)
from .validation import load_validation_images, validate

LOG_FIELDS = ["iter", "loss", "l_forw_fit", "l_back_rec", "l_distr", "lr", "z_temperature",
              "it_per_s", "val_psnr_y", "val_ssim_y", "event"]


@dataclass
class TrainingResult:
    run_dir: Path
    iterations: int
    last_loss: float
    val_psnr_y: float | None
    rollbacks: int


class _IterationSampler(Sampler):
    """Sample numbers start*batch, start*batch+1, ...: each patch depends only on (seed, number),
    so a resumed run sees exactly the patches an uninterrupted one would."""

    def __init__(self, start: int, stop: int):
        self.start, self.stop = start, stop

    def __iter__(self):
        return iter(range(self.start, self.stop))

    def __len__(self):
        return self.stop - self.start


def learning_rate_factor(config: TrainConfig, iteration: int) -> float:
    """Multiplier of config.lr at ``iteration`` (0-based)."""
    if config.lr_warmup_iters and iteration < config.lr_warmup_iters:
        return (iteration + 1) / config.lr_warmup_iters
    if config.lr_schedule == "cosine":
        span = max(1, config.iters - config.lr_warmup_iters)
        progress = min(1.0, (iteration - config.lr_warmup_iters) / span)
        return 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * progress))
    return config.lr_gamma ** sum(iteration >= m for m in config.lr_milestones)


def z_temperature(config: TrainConfig, iteration: int) -> float:
    if not config.z_warmup_iters:
        return 1.0
    return min(1.0, iteration / config.z_warmup_iters)


def _init_from_weights(net: torch.nn.Module, path: str) -> int:
    """Load every tensor of ``path`` that fits ``net``; returns the iterations those weights were trained
    for at this scale (0 for another scale's or a file that does not say), so exports count the lineage."""
    from ..weights import read_state_dict
    state, metadata = read_state_dict(path)
    own = net.state_dict()
    shared = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    if not shared:
        raise ValueError(f"init_from {path}: no tensor matches the x{net.scale} model")
    own.update(shared)
    net.load_state_dict(own)
    if metadata.get("scale") != str(net.scale):
        return 0
    return int(metadata.get("total_iterations") or metadata.get("iterations") or 0)


def _set_threads(config: TrainConfig, device: torch.device) -> None:
    if device.type == "cpu":
        torch.set_num_threads(config.threads or max(1, os.cpu_count() or 1))


class _CsvLog:
    """log.csv in the run folder, and TensorBoard scalars too when tensorboard is installed."""

    def __init__(self, path: Path):
        self.path = path
        if not path.exists():
            with path.open("w", newline="") as f:
                csv.DictWriter(f, LOG_FIELDS).writeheader()
        try:
            from torch.utils.tensorboard import SummaryWriter
            self.tensorboard = SummaryWriter(str(path.parent / "tensorboard"))
        except ImportError:
            self.tensorboard = None

    def write(self, row: dict) -> None:
        with self.path.open("a", newline="") as f:
            csv.DictWriter(f, LOG_FIELDS).writerow({k: row.get(k, "") for k in LOG_FIELDS})
        if self.tensorboard is not None and "iter" in row:
            for key, value in row.items():
                if key not in ("iter", "event") and isinstance(value, (int, float)):
                    self.tensorboard.add_scalar(key, value, row["iter"])


class _IterationLog:
    """The progress bar, and after each iteration a loss row every ``log_every`` iterations and at
    ``end``, and validation of ``model`` every ``val_every`` and at the last iteration, into
    log.csv (and ``on_log``)."""

    def __init__(self, config: TrainConfig, log: _CsvLog, *, model: torch.nn.Module, start: int, end: int,
                 validate: Callable[[], tuple[float, float]] | None, progress: bool, description: str,
                 on_log: Callable[[dict], None] | None = None):
        self.config, self.log, self.model, self.end = config, log, model, end
        self.validate, self.on_log = validate, on_log
        self.bar = None
        if progress:
            from tqdm import tqdm
            self.bar = tqdm(total=config.iters, initial=start, unit="it", dynamic_ncols=True, desc=description)
        self.tick = time.perf_counter()
        self.val_psnr: float | None = None

    def restart_clock(self) -> None:
        self.tick = time.perf_counter()

    def after(self, iteration: int, losses: Callable[[], dict]) -> None:
        config, row = self.config, None
        if iteration % config.log_every == 0 or iteration == self.end:
            now = time.perf_counter()
            row = {"iter": iteration, **losses(), "it_per_s": config.log_every / max(now - self.tick, 1e-9)}
            self.tick = now
        if self.validate is not None and (iteration % config.val_every == 0 or iteration == config.iters):
            self.model.eval()
            try:
                self.val_psnr, val_ssim = self.validate()
            finally:
                self.model.train()
            row = (row or {"iter": iteration}) | {"val_psnr_y": self.val_psnr, "val_ssim_y": val_ssim}
            if self.bar is not None:
                self.bar.write(f"iter {iteration}: val PSNR-Y {self.val_psnr:.2f} dB, SSIM-Y {val_ssim:.4f}")
        if row is not None:
            self.log.write(row)
            if self.on_log is not None:
                self.on_log(row)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def train(config: TrainConfig, *, progress: bool = True, stop_after: int | None = None,
          stop_after_seconds: float | None = None,
          on_log: Callable[[dict], None] | None = None) -> TrainingResult:
    """Train (or resume training) an IRN as ``config`` says; returns where it got to.

    stop_after: end after this many iterations in this call (the run can resume later).
    stop_after_seconds: end, with a checkpoint, at the first iteration past this much wall time (for
        time-boxed sessions such as a lent GPU's 10-minute calls); the run resumes later.
    Checkpoints go to RUN_DIR/checkpoints, the loss/validation log to RUN_DIR/log.csv.
    """
    config.validate()
    if config.model == "sr":
        from .sr_loop import train_sr
        if stop_after_seconds is not None:
            raise ValueError("a time limit is supported for IRN training only, not model 'sr'")
        return train_sr(config, progress=progress, stop_after=stop_after)
    deadline = None if stop_after_seconds is None else time.monotonic() + stop_after_seconds
    run_dir = Path(config.out)
    run_dir.mkdir(parents=True, exist_ok=True)
    device = pick_device(config.device)
    _set_threads(config, device)
    use_bf16 = config.autocast_bf16 and bf16_is_fast(device)
    (run_dir / "config.json").write_text(json.dumps(config.to_dict(), indent=2))

    torch.manual_seed(config.seed)
    net = build_irn(config.scale)
    prior_iterations = _init_from_weights(net, config.init_from) if config.init_from else 0
    if config.channels_last:
        net.to(memory_format=torch.channels_last)
    net.to(device).train()
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay)
    z_generator = torch.Generator(device="cpu").manual_seed(config.seed + 1)

    start, lr_scale, rollbacks, loss_ema = 0, 1.0, 0, None
    checkpoints = list_checkpoints(run_dir)

    def restore(path: Path) -> None:
        nonlocal start, lr_scale, rollbacks, loss_ema, prior_iterations
        state = load_checkpoint(path)
        # the init_from file may have been replaced since the run began (bundled weights are)
        prior_iterations = state.get("prior_iterations", prior_iterations)
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        z_generator.set_state(state["z_generator"])
        start, lr_scale = state["iteration"], state["lr_scale"]
        rollbacks, loss_ema = state["rollbacks"], state["loss_ema"]

    if checkpoints:
        restore(checkpoints[-1])

    def snapshot(iteration: int) -> None:
        save_checkpoint(run_dir, iteration, {
            "model": net.state_dict(), "optimizer": optimizer.state_dict(),
            "z_generator": z_generator.get_state(), "iteration": iteration, "lr_scale": lr_scale,
            "rollbacks": rollbacks, "loss_ema": loss_ema, "prior_iterations": prior_iterations,
            "config": config.to_dict()},
            keep=config.keep_checkpoints)

    if not checkpoints:
        snapshot(0)

    dataset = PatchDataset(config.data, patch=config.patch, scale=config.scale, seed=config.seed,
                           color_augment=config.color_augment, noise_augment=config.noise_augment)
    val_images = load_validation_images(config.val, scale=config.scale,
                                        limit=config.val_max_images) if config.val else []
    log = _CsvLog(run_dir / "log.csv")
    if config.autocast_bf16 and not use_bf16:
        message = f"autocast_bf16: {NO_FAST_BF16_MESSAGE}"
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        log.write({"iter": start, "event": message})
    end = config.iters if stop_after is None else min(config.iters, start + stop_after)

    iteration_log = _IterationLog(
        config, log, model=net, start=start, end=end, progress=progress, description=f"IRN x{config.scale}",
        validate=(lambda: validate(net, val_images, draws=config.val_draws, device=device)) if val_images else None,
        on_log=on_log)
    bar = iteration_log.bar

    iteration, last_loss = start, float("nan")
    while iteration < end:
        loader = DataLoader(dataset, batch_size=config.batch,
                            sampler=_IterationSampler(iteration * config.batch, end * config.batch),
                            num_workers=config.workers, persistent_workers=False,
                            pin_memory=device.type == "cuda")
        iteration_log.restart_clock()
        rolled_back = False
        for hr, lr_ref in loader:
            hr, lr_ref = hr.to(device, non_blocking=True), lr_ref.to(device, non_blocking=True)
            if config.channels_last:
                hr = hr.contiguous(memory_format=torch.channels_last)
            for group in optimizer.param_groups:
                group["lr"] = config.lr * lr_scale * learning_rate_factor(config, iteration)
            temperature = z_temperature(config, iteration)

            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
                out = net(hr)
            out = out.float()
            lr_out, z = out[:, :3], out[:, 3:]
            l_forw = config.lambda_forward * forward_fit_loss(lr_out, lr_ref)
            l_distr = config.lambda_distribution * distribution_loss(z)
            noise = torch.randn(z.shape, generator=z_generator).to(device) * temperature
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
                restored = net(torch.cat((quantize_straight_through(lr_out), noise), 1), rev=True)[:, :3]
            l_back = config.lambda_backward * backward_reconstruction_loss(restored.float(), hr)
            loss = l_forw + l_back + l_distr
            loss_value = float(loss.detach())

            spiked = loss_ema is not None and iteration > start + 1 and loss_value > config.spike_factor * loss_ema
            if not math.isfinite(loss_value) or spiked:
                if rollbacks >= config.max_rollbacks:
                    raise RuntimeError(f"training diverged {rollbacks} times; last loss {loss_value}")
                last_good = list_checkpoints(run_dir)[-1]
                restore(last_good)
                rollbacks += 1
                lr_scale *= 0.5
                log.write({"iter": iteration, "loss": loss_value,
                           "event": f"rollback to {last_good.name}, lr x{lr_scale:g}"})
                iteration = start
                if bar is not None:
                    bar.n = iteration
                rolled_back = True
                break

            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip:
                torch.nn.utils.clip_grad_norm_(params, config.grad_clip)
            optimizer.step()
            loss_ema = loss_value if loss_ema is None else 0.98 * loss_ema + 0.02 * loss_value
            last_loss = loss_value
            iteration += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{loss_value:.1f}", T=f"{temperature:.2f}")

            iteration_log.after(
                iteration,
                lambda: {"loss": loss_value, "l_forw_fit": float(l_forw.detach()),
                         "l_back_rec": float(l_back.detach()), "l_distr": float(l_distr.detach()),
                         "lr": optimizer.param_groups[0]["lr"], "z_temperature": temperature})
            if iteration % config.checkpoint_every == 0 or iteration == end:
                snapshot(iteration)
                start = iteration
            if deadline is not None and time.monotonic() > deadline and iteration < end:
                if start != iteration:
                    snapshot(iteration)
                    start = iteration
                log.write({"iter": iteration, "event": "time limit reached; run again to resume"})
                break
        if not rolled_back:
            break
    iteration_log.close()
    return TrainingResult(run_dir=run_dir, iterations=iteration, last_loss=last_loss,
                          val_psnr_y=iteration_log.val_psnr, rollbacks=rollbacks)
