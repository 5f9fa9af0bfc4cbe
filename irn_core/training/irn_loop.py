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

from ..device import NO_NATIVE_BF16_MESSAGE, bf16_is_fast
from ..errors import ConfigError
from ..nn.irn import build_irn
from .checkpoints import list_checkpoints, load_checkpoint, save_checkpoint
from .config import TrainConfig
from .distributed import ProcessGroup, RankSampler, join, leave
from .engine import (
    CsvLog,
    IterationLog,
    TrainingResult,
    learning_rate_factor,
    set_threads,
    training_data,
)
from .irn_step import RoundTripStep, init_from_weights, temperature_rows, validation_figures, z_temperature
from .jpeg_in_loop import JpegStorage, initial_restorer
from .losses import (
    backward_reconstruction_loss,
    distribution_loss,
    forward_fit_loss,
)


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
    Checkpoints go to RUN_DIR/checkpoints, the loss/validation log to RUN_DIR/log.csv. Under torchrun
    the global batch ``config.batch`` is split across the processes (see ``training.distributed``).
    """
    config.validate()
    if config.model != "irn":
        raise ConfigError(f"train_irn trains model 'irn', got {config.model!r}; use training.train")
    lambda_forward = float(config.lambda_forward or 0.0)  # set from the scale by config.validate()
    deadline = None if stop_after_seconds is None else time.monotonic() + stop_after_seconds
    run_dir = Path(config.out)
    group, device = join(config.device)
    try:
        return _train(config, group, device, run_dir, lambda_forward, deadline, progress, stop_after, on_log)
    finally:
        leave(group)


def _train(
    config: TrainConfig,
    group: ProcessGroup,
    device: torch.device,
    run_dir: Path,
    lambda_forward: float,
    deadline: float | None,
    progress: bool,
    stop_after: int | None,
    on_log: Callable[[dict], None] | None,
) -> TrainingResult:
    local_batch = group.local_batch(config.batch)
    own_rows = slice(group.rank * local_batch, (group.rank + 1) * local_batch)  # of every step's global batch
    if group.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "config.json").write_text(json.dumps(config.to_dict() | {"world_size": group.world_size}, indent=2))
    set_threads(config, device, processes_here=group.local_world_size)
    use_bf16 = config.autocast_bf16 and bf16_is_fast(device)

    torch.manual_seed(config.seed)
    net = build_irn(config.scale)
    prior_iterations, init_fingerprint = init_from_weights(net, config.init_from) if config.init_from else (0, "")
    if config.channels_last:
        net.to(memory_format=torch.channels_last)
    net.to(device).train()
    restorer, storage = None, None
    if config.jpeg_in_loop:
        restorer = initial_restorer(config.init_from).to(device).train()
        storage = JpegStorage(config, rows=own_rows)
    step: torch.nn.Module = RoundTripStep(net, bf16=use_bf16, compress=storage, restorer=restorer)
    if group.distributed:
        step = torch.nn.parallel.DistributedDataParallel(step, device_ids=[device] if device.type == "cuda" else None)
    params = [p for p in net.parameters() if p.requires_grad]
    groups: list[dict] = [{"params": params, "lr_factor": 1.0}]
    if restorer is not None:
        crm_params = list(restorer.parameters())
        groups.append({"params": crm_params, "lr_factor": config.crm_lr_factor})
        params = params + crm_params
    optimizer = torch.optim.Adam(
        groups, lr=config.lr, betas=config.betas, eps=config.adam_eps, weight_decay=config.weight_decay
    )
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
        if restorer is not None:
            restorer.load_state_dict(state["crm"])
        optimizer.load_state_dict(state["optimizer"])
        z_generator.set_state(state["z_generator"])
        start, lr_scale = state["iteration"], state["lr_scale"]
        rollbacks, loss_ema = state["rollbacks"], state["loss_ema"]

    if checkpoints:
        restore(checkpoints[-1])

    def snapshot(iteration: int) -> None:
        if not group.is_main:
            group.barrier()  # the others wait until rank 0 has written it
            return
        save_checkpoint(
            run_dir,
            iteration,
            {
                "model": net.state_dict(),
                **({} if restorer is None else {"crm": restorer.state_dict()}),
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
        group.barrier()

    if not checkpoints:
        snapshot(0)

    dataset, val_images = training_data(config)
    log = CsvLog(run_dir / "log.csv") if group.is_main else None
    if log is not None and group.distributed:
        log.write({"iter": start, "event": f"{group.world_size} processes, {local_batch} patches each"})
    if config.autocast_bf16 and not use_bf16:
        message = f"autocast_bf16: {NO_NATIVE_BF16_MESSAGE}"
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        if log is not None:
            log.write({"iter": start, "event": message})
    end = config.iters if stop_after is None else min(config.iters, start + stop_after)

    iteration_log = None
    if log is not None:
        iteration_log = IterationLog(
            config,
            log,
            model=net,
            start=start,
            end=end,
            progress=progress,
            description=f"IRN x{config.scale}",
            validate=(lambda: validation_figures(net, restorer, val_images, config, device)) if val_images else None,
            on_log=on_log,
        )
    bar = iteration_log.bar if iteration_log is not None else None
    latent_shape = (3 * config.scale**2 - 3, config.patch // config.scale, config.patch // config.scale)

    iteration, last_loss = start, float("nan")
    while iteration < end:
        loader = DataLoader(
            dataset,
            batch_size=local_batch,
            sampler=RankSampler(iteration, end, batch=config.batch, group=group),
            num_workers=config.workers,
            persistent_workers=False,
            pin_memory=device.type == "cuda",
        )
        if iteration_log is not None:
            iteration_log.restart_clock()
        rolled_back, time_up = False, False
        for hr, lr_ref in loader:
            hr, lr_ref = hr.to(device, non_blocking=True), lr_ref.to(device, non_blocking=True)
            if config.channels_last:
                hr = hr.contiguous(memory_format=torch.channels_last)
            for param_group in optimizer.param_groups:
                param_group["lr"] = (
                    config.lr * param_group.get("lr_factor", 1.0) * lr_scale * learning_rate_factor(config, iteration)
                )
            temperature = z_temperature(config, iteration)
            row_temperatures = temperature_rows(config, iteration)[own_rows]
            if config.z_temperature_range:
                temperature = float(row_temperatures.mean())  # what the log and the bar show
            if storage is not None:
                storage.iteration = iteration
            # Every process draws the whole batch's noise and keeps its rows: the draws match one process's.
            noise = torch.randn((config.batch, *latent_shape), generator=z_generator)[own_rows]
            out, restored = step(hr, (noise * row_temperatures).to(device))
            l_forw = lambda_forward * forward_fit_loss(out[:, :3], lr_ref)
            l_distr = config.lambda_distribution * distribution_loss(out[:, 3:])
            l_back = config.lambda_backward * backward_reconstruction_loss(restored, hr)
            loss = l_forw + l_back + l_distr
            late = deadline is not None and time.monotonic() > deadline
            totals = group.agree(
                [float(loss.detach()), float(l_forw.detach()), float(l_back.detach()), float(l_distr.detach()), late],
                device,
            )
            loss_value, forw_value, back_value, distr_value = (v / group.world_size for v in totals[:4])

            spiked = loss_ema is not None and iteration > start + 1 and loss_value > config.spike_factor * loss_ema
            if not math.isfinite(loss_value) or spiked:
                if rollbacks >= config.max_rollbacks:
                    raise RuntimeError(f"training diverged {rollbacks} times; last loss {loss_value}")
                last_good = list_checkpoints(run_dir)[-1]
                restore(last_good)
                rollbacks += 1
                lr_scale *= 0.5
                if log is not None:
                    event = f"rollback to {last_good.name}, lr x{lr_scale:g}"
                    log.write({"iter": iteration, "loss": loss_value, "event": event})
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

            if iteration_log is not None:
                iteration_log.after(
                    iteration,
                    lambda: {
                        "loss": loss_value,
                        "l_forw_fit": forw_value,
                        "l_back_rec": back_value,
                        "l_distr": distr_value,
                        "lr": optimizer.param_groups[0]["lr"],
                        "z_temperature": temperature,
                    },
                )
            if iteration % config.checkpoint_every == 0 or iteration == end:
                snapshot(iteration)
                start = iteration
            time_up = totals[4] > 0 and iteration < end  # any process past the deadline stops them all
            if time_up:
                if start != iteration:
                    snapshot(iteration)
                    start = iteration
                if log is not None:
                    log.write({"iter": iteration, "event": "time limit reached; run again to resume"})
                break
        if not rolled_back:
            break
    if iteration_log is not None:
        iteration_log.close()
    return TrainingResult(
        run_dir=run_dir,
        iterations=iteration,
        last_loss=last_loss,
        val_psnr_y=iteration_log.val_psnr if iteration_log is not None else None,
        rollbacks=rollbacks,
    )
