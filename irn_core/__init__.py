"""irn_core: the Invertible Rescaling Net (Xiao et al., ECCV 2020) as a library.

Numpy float32 (H, W, 3) RGB images in [0, 1] at the boundary; torch inside; no Qt.

>>> import irn_core
>>> rescaler = irn_core.IRNRescaler(irn_core.load_irn(scale=4))   # the bundled x4 weights
>>> lr, restored = rescaler.roundtrip(image)                       # image: (H, W, 3) float32 in [0, 1]
"""

import logging

from .analysis.compare import Comparison, restore_lr, run_comparison
from .analysis.results import ComparisonSettings, Provenance, Result
from .device import pick_device
from .errors import Cancelled, ConfigError, ImageIOError, InvalidInputError, IRNError, WeightsError
from .io.checkpoints import CheckpointInfo, describe_checkpoint, load_irn, save_irn
from .io.images import LoadedImage, read_image, write_png
from .nn.irn import IRN, SUPPORTED_SCALES, build_irn, count_parameters
from .ops.metrics import mod_crop, psnr, ssim
from .ops.resize import imresize
from .rescaler import IRNRescaler

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "IRN",
    "SUPPORTED_SCALES",
    "build_irn",
    "count_parameters",
    "load_irn",
    "save_irn",
    "CheckpointInfo",
    "describe_checkpoint",
    "IRNRescaler",
    "pick_device",
    "imresize",
    "psnr",
    "ssim",
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
__version__ = "0.4.1"
