"""irn_core: the Invertible Rescaling Net (Xiao et al., ECCV 2020) as a library.

Numpy float32 (H, W, 3) RGB images in [0, 1] at the boundary; torch inside; no Qt.
"""
from .io import ImageIOError, LoadedImage, read_image, write_png
from .metrics import mod_crop, psnr, ssim
from .model import IRN, SUPPORTED_SCALES, build_irn, count_parameters
from .rescaler import Cancelled, IRNRescaler, pick_device
from .resize import imresize
from .weights import WeightsError, load_irn, save_irn

__all__ = [
    "IRN", "SUPPORTED_SCALES", "build_irn", "count_parameters", "load_irn", "save_irn", "WeightsError",
    "IRNRescaler", "Cancelled", "pick_device", "imresize", "psnr", "ssim", "mod_crop",
    "read_image", "write_png", "ImageIOError", "LoadedImage",
]
__version__ = "0.1.0"
