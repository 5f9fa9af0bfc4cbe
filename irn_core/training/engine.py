"""What the IRN and SR training loops share: the result record, the patch sampler that makes resuming
exact, the learning-rate schedule, threads, and the CSV/TensorBoard log with validation."""

from __future__ import annotations

import csv
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import Sampler

from .config import TrainConfig
from .data import PatchDataset
from .validation import load_validation_images

LOG_FIELDS = [
    "iter",
    "loss",
    "l_forw_fit",
    "l_back_rec",
    "l_distr",
    "lr",
    "z_temperature",
    "it_per_s",
    "val_psnr_y",
    "val_ssim_y",
    "event",
    "val_jpeg_psnr_y",
    "val_jpeg_ssim_y",
]


@dataclass
class TrainingResult:
    run_dir: Path
    iterations: int
    last_loss: float
    val_psnr_y: float | None
    rollbacks: int


class IterationSampler(Sampler):
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


def set_threads(config: TrainConfig, device: torch.device, *, processes_here: int = 1) -> None:
    """CPU threads: config.threads, else this machine's CPUs shared among its training processes."""
    if device.type == "cpu":
        torch.set_num_threads(config.threads or max(1, (os.cpu_count() or 1) // processes_here))


class CsvLog:
    """log.csv in the run folder, and TensorBoard scalars too when tensorboard is installed."""

    def __init__(self, path: Path):
        self.path = path
        if not path.exists():
            with path.open("w", newline="") as f:
                csv.DictWriter(f, LOG_FIELDS).writeheader()
        with path.open(newline="") as f:
            # a run resumed from an older version keeps its own columns
            self.fields = next(csv.reader(f), []) or LOG_FIELDS
        try:
            from torch.utils.tensorboard import SummaryWriter

            self.tensorboard = SummaryWriter(str(path.parent / "tensorboard"))
        except ImportError:
            self.tensorboard = None  # type: ignore[assignment]

    def write(self, row: dict) -> None:
        with self.path.open("a", newline="") as f:
            csv.DictWriter(f, self.fields).writerow({k: row.get(k, "") for k in self.fields})
        if self.tensorboard is not None and "iter" in row:
            for key, value in row.items():
                if key not in ("iter", "event") and isinstance(value, (int, float)):
                    self.tensorboard.add_scalar(key, value, row["iter"])


class IterationLog:
    """The progress bar, and after each iteration a loss row every ``log_every`` iterations and at
    ``end``, and validation of ``model`` every ``val_every`` and at the last iteration, into
    log.csv (and ``on_log``). ``validate`` returns log fields: val_psnr_y and val_ssim_y, and for a
    JPEG-robust run val_jpeg_psnr_y and val_jpeg_ssim_y too."""

    def __init__(
        self,
        config: TrainConfig,
        log: CsvLog,
        *,
        model: torch.nn.Module,
        start: int,
        end: int,
        validate: Callable[[], dict[str, float]] | None,
        progress: bool,
        description: str,
        on_log: Callable[[dict], None] | None = None,
    ):
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
                figures = self.validate()
            finally:
                self.model.train()
            self.val_psnr = figures["val_psnr_y"]
            row = (row or {"iter": iteration}) | figures
            if self.bar is not None:
                line = f"iter {iteration}: val PSNR-Y {self.val_psnr:.2f} dB, SSIM-Y {figures['val_ssim_y']:.4f}"
                if "val_jpeg_psnr_y" in figures:
                    line += f"; LR as JPEG: {figures['val_jpeg_psnr_y']:.2f} dB"
                self.bar.write(line)
        if row is not None:
            self.log.write(row)
            if self.on_log is not None:
                self.on_log(row)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def training_data(config: TrainConfig) -> tuple[PatchDataset, list]:
    """(training patches, validation images) as ``config`` names them (no validation images without ``val``)."""
    dataset = PatchDataset(
        config.data,
        patch=config.patch,
        scale=config.scale,
        seed=config.seed,
        color_augment=config.color_augment,
        noise_augment=config.noise_augment,
    )
    val_images = (
        load_validation_images(config.val, scale=config.scale, limit=config.val_max_images) if config.val else []
    )
    return dataset, val_images
