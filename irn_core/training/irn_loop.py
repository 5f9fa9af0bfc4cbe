"""The IRN training loop: resumable, spike-safe, logged to CSV, validated with paper metrics."""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from ..device import NO_FAST_BF16_MESSAGE, bf16_is_fast, pick_device
from ..errors import ConfigError
from ..io.checkpoints import read_state_dict, state_fingerprint
from ..nn.irn import build_irn
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
from .losses import backward_reconstruction_loss, distribution_loss, forward_fit_loss, quantize_straight_through
from .validation import validate


def z_temperature(config: TrainConfig, iteration: int) -> float:
    if not config.z_warmup_iters:
        return 1.0
    return min(1.0, iteration / config.z_warmup_iters)


def _init_from_weights(net: torch.nn.Module, path: str) -> tuple[int, str]:
    """Load every tensor of ``path`` that fits ``net``; returns (the iterations those weights were trained
    for at this scale (0 for another scale's or a file that does not say), their fingerprint), so exports
    record their lineage even after the file is replaced."""
    state, metadata = read_state_dict(path)
    own = net.state_dict()
    shared = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    if not shared:
        raise ConfigError(
            f"init_from {path}: no tensor matches the x{net.scale} model "
            f"(expected IRN weights of x{net.scale} or a lower scale)"
        )
    own.update(shared)
    net.load_state_dict(own)
    fingerprint = state_fingerprint(state)
    if metadata.get("scale") != str(net.scale):
        return 0, fingerprint
    return int(metadata.get("total_iterations") or metadata.get("iterations") or 0), fingerprint


def train_irn(
    config: TrainConfig,
    *,
    progress: bool = True,
    stop_after: int | None = None,
    stop_after_seconds: float | None = None,
    on_log: Callable[[dict], None] | None = None,
) -> TrainingResult:
    """Train (or resume training) an IRN as ``config`` says; returns where it got to.

    stop_after: end after this many iterations in this call (the run can resume later).
    stop_after_seconds: end, with a checkpoint, at the first iteration past this much wall time (for
        time-boxed sessions such as a lent GPU's 10-minute calls); the run resumes later.
    Checkpoints go to RUN_DIR/checkpoints, the loss/validation log to RUN_DIR/log.csv.
    """
    config.validate()
    if config.model != "irn":
        raise ConfigError(f"train_irn trains model 'irn', got {config.model!r}; use training.train")
    lambda_forward = float(config.lambda_forward or 0.0)  # set from the scale by config.validate()
    deadline = None if stop_after_seconds is None else time.monotonic() + stop_after_seconds
    run_dir = Path(config.out)
    run_dir.mkdir(parents=True, exist_ok=True)
    device = pick_device(config.device)
    set_threads(config, device)
    use_bf16 = config.autocast_bf16 and bf16_is_fast(device)
    (run_dir / "config.json").write_text(json.dumps(config.to_dict(), indent=2))

    torch.manual_seed(config.seed)
    net = build_irn(config.scale)
    prior_iterations, init_fingerprint = _init_from_weights(net, config.init_from) if config.init_from else (0, "")
    if config.channels_last:
        net.to(memory_format=torch.channels_last)
    net.to(device).train()
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay)
    z_generator = torch.Generator(device="cpu").manual_seed(config.seed + 1)

    start, lr_scale, rollbacks, loss_ema = 0, 1.0, 0, None
    checkpoints = list_checkpoints(run_dir)

    def restore(path: Path) -> None:
        nonlocal start, lr_scale, rollbacks, loss_ema, prior_iterations, init_fingerprint
        state = load_checkpoint(path)
        # the init_from file may have been replaced since the run began (bundled weights are)
        prior_iterations = state.get("prior_iterations", prior_iterations)
        init_fingerprint = state.get("init_fingerprint", init_fingerprint)
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        z_generator.set_state(state["z_generator"])
        start, lr_scale = state["iteration"], state["lr_scale"]
        rollbacks, loss_ema = state["rollbacks"], state["loss_ema"]

    if checkpoints:
        restore(checkpoints[-1])

    def snapshot(iteration: int) -> None:
        save_checkpoint(
            run_dir,
            iteration,
            {
                "model": net.state_dict(),
                "optimizer": optimizer.state_dict(),
                "z_generator": z_generator.get_state(),
                "iteration": iteration,
                "lr_scale": lr_scale,
                "rollbacks": rollbacks,
                "loss_ema": loss_ema,
                "prior_iterations": prior_iterations,
                "init_fingerprint": init_fingerprint,
                "config": config.to_dict(),
            },
            keep=config.keep_checkpoints,
        )

    if not checkpoints:
        snapshot(0)

    dataset, val_images = training_data(config)
    log = CsvLog(run_dir / "log.csv")
    if config.autocast_bf16 and not use_bf16:
        message = f"autocast_bf16: {NO_FAST_BF16_MESSAGE}"
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        log.write({"iter": start, "event": message})
    end = config.iters if stop_after is None else min(config.iters, start + stop_after)

    iteration_log = IterationLog(
        config,
        log,
        model=net,
        start=start,
        end=end,
        progress=progress,
        description=f"IRN x{config.scale}",
        validate=(lambda: validate(net, val_images, draws=config.val_draws, device=device)) if val_images else None,
        on_log=on_log,
    )
    bar = iteration_log.bar

    iteration, last_loss = start, float("nan")
    while iteration < end:
        loader = DataLoader(
            dataset,
            batch_size=config.batch,
            sampler=IterationSampler(iteration * config.batch, end * config.batch),
            num_workers=config.workers,
            persistent_workers=False,
            pin_memory=device.type == "cuda",
        )
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
            l_forw = lambda_forward * forward_fit_loss(lr_out, lr_ref)
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
                log.write(
                    {"iter": iteration, "loss": loss_value, "event": f"rollback to {last_good.name}, lr x{lr_scale:g}"}
                )
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
                lambda: {
                    "loss": loss_value,
                    "l_forw_fit": float(l_forw.detach()),
                    "l_back_rec": float(l_back.detach()),
                    "l_distr": float(l_distr.detach()),
                    "lr": optimizer.param_groups[0]["lr"],
                    "z_temperature": temperature,
                },
            )
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
    return TrainingResult(
        run_dir=run_dir,
        iterations=iteration,
        last_loss=last_loss,
        val_psnr_y=iteration_log.val_psnr,
        rollbacks=rollbacks,
    )
