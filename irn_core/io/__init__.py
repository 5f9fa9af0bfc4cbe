"""File I/O: images (numpy float32 HWC RGB [0, 1] in, 8/16-bit files out), LR files, checkpoints."""

from .checkpoints import (
    CheckpointInfo,
    bundled_weights_path,
    describe_checkpoint,
    load_irn,
    load_sr_model,
    save_irn,
    weights_fingerprint,
)
from .images import LoadedImage, list_images, read_image
from .lrfile import LRInfo, lr_metadata, read_lr_info
from .writing import write_bytes_atomic, write_png

__all__ = [
    "CheckpointInfo",
    "bundled_weights_path",
    "describe_checkpoint",
    "load_irn",
    "load_sr_model",
    "save_irn",
    "weights_fingerprint",
    "LoadedImage",
    "list_images",
    "read_image",
    "write_bytes_atomic",
    "write_png",
    "LRInfo",
    "lr_metadata",
    "read_lr_info",
]
