"""Training IRN (and the SR baseline) on CPU or GPU: data, losses, the loop, checkpoints, export."""
from .config import TrainConfig, ConfigError
from .loop import train, TrainingResult
from .export import export_run

__all__ = ["TrainConfig", "ConfigError", "train", "TrainingResult", "export_run"]
