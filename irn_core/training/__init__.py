"""Training IRN and the SR baseline on CPU or GPU: config, data, losses, loops, checkpoints, export."""

from __future__ import annotations

import os

from ..errors import ConfigError
from .config import TrainConfig
from .engine import TrainingResult
from .export import export_run
from .irn_loop import train_irn
from .sr_loop import train_sr


def train(
    config: TrainConfig,
    *,
    progress: bool = True,
    stop_after: int | None = None,
    stop_after_seconds: float | None = None,
) -> TrainingResult:
    """Train ``config.model`` ("irn" or "sr"); see ``train_irn`` for the options."""
    if config.model == "sr":
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            raise ConfigError("multi-process training (torchrun) is for IRN; the SR baseline trains in one process")
        if stop_after_seconds is not None:
            raise ConfigError("a time limit is supported for IRN training only, not model 'sr'")
        return train_sr(config, progress=progress, stop_after=stop_after)
    return train_irn(config, progress=progress, stop_after=stop_after, stop_after_seconds=stop_after_seconds)


__all__ = ["TrainConfig", "ConfigError", "train", "train_irn", "train_sr", "TrainingResult", "export_run"]
