"""irn_core: the Invertible Rescaling Net (Xiao et al., ECCV 2020) as a library.

Numpy float32 (H, W, 3) RGB images in [0, 1] at the boundary; torch inside; no Qt.

>>> import irn_core
>>> rescaler = irn_core.IRNRescaler(irn_core.load_irn(scale=4))   # the bundled x4 weights
>>> lr, restored = rescaler.roundtrip(image)                       # image: (H, W, 3) float32 in [0, 1]

A JPEG-robust file (e.g. the bundled "irn_x2_jpeg") loads whole either way: ``load_irn`` keeps its
restorer on the network, and ``load_model`` returns a descriptor of what the file holds.

The names below are imported on first use (PEP 562), so ``import irn_core`` and ``irn --help`` do not
load torch.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

logging.getLogger(__name__).addHandler(logging.NullHandler())

_EXPORTS = {
    "IRN": ".nn.irn",
    "SUPPORTED_SCALES": ".nn.irn",
    "build_irn": ".nn.irn",
    "count_parameters": ".nn.irn",
    "load_irn": ".io.checkpoints",
    "load_model": ".io.checkpoints",
    "LoadedIRN": ".io.checkpoints",
    "save_irn": ".io.checkpoints",
    "CheckpointInfo": ".io.checkpoints",
    "describe_checkpoint": ".io.checkpoints",
    "IRNRescaler": ".rescaler",
    "pick_device": ".device",
    "imresize": ".ops.resize",
    "psnr": ".ops.metrics",
    "ssim": ".ops.metrics",
    "measure": ".ops.metrics",
    "mod_crop": ".ops.metrics",
    "read_image": ".io.images",
    "write_png": ".io.writing",
    "LoadedImage": ".io.images",
    "IRNError": ".errors",
    "InvalidInputError": ".errors",
    "ImageIOError": ".errors",
    "WeightsError": ".errors",
    "ConfigError": ".errors",
    "Cancelled": ".errors",
    "ComparisonSettings": ".analysis.results",
    "Provenance": ".analysis.results",
    "Result": ".analysis.results",
    "Comparison": ".analysis.compare",
    "run_comparison": ".analysis.compare",
    "restore_lr": ".analysis.compare",
}
__all__ = [
    "IRN",
    "SUPPORTED_SCALES",
    "build_irn",
    "count_parameters",
    "load_irn",
    "load_model",
    "LoadedIRN",
    "save_irn",
    "CheckpointInfo",
    "describe_checkpoint",
    "IRNRescaler",
    "pick_device",
    "imresize",
    "psnr",
    "ssim",
    "measure",
    "mod_crop",
    "read_image",
    "write_png",
    "LoadedImage",
    "IRNError",
    "InvalidInputError",
    "ImageIOError",
    "WeightsError",
    "ConfigError",
    "Cancelled",
    "ComparisonSettings",
    "Provenance",
    "Result",
    "Comparison",
    "run_comparison",
    "restore_lr",
]
__version__ = "0.11.0"

if TYPE_CHECKING:
    from .analysis.compare import Comparison, restore_lr, run_comparison
    from .analysis.results import ComparisonSettings, Provenance, Result
    from .device import pick_device
    from .errors import Cancelled, ConfigError, ImageIOError, InvalidInputError, IRNError, WeightsError
    from .io.checkpoints import CheckpointInfo, LoadedIRN, describe_checkpoint, load_irn, load_model, save_irn
    from .io.images import LoadedImage, read_image
    from .io.writing import write_png
    from .nn.irn import IRN, SUPPORTED_SCALES, build_irn, count_parameters
    from .ops.metrics import measure, mod_crop, psnr, ssim
    from .ops.resize import imresize
    from .rescaler import IRNRescaler


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'irn_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value
    return value
