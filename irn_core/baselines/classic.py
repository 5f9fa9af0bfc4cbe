"""Bicubic down + bicubic or Lanczos up: the classic rows of the paper's tables."""

from __future__ import annotations

import cv2
import numpy as np

from ..errors import InvalidInputError
from ..ops.codecs import jpeg_roundtrip, pad_to_multiple, quantize_8bit
from ..ops.resize import imresize
from ..ops.tiling import CancelCheck, ProgressCallback

BASELINE_SCALES = (2, 3, 4, 8)


def bicubic_downscale(hr: np.ndarray, *, scale: int) -> np.ndarray:
    """MATLAB-bicubic LR of ``hr`` (H, W multiples of ``scale``), quantised to 8-bit levels."""
    return quantize_8bit(imresize(hr, scale=1 / scale))


def crop_to(img: np.ndarray, output_size: tuple[int, int] | None) -> np.ndarray:
    """``img`` cropped from the top left to ``output_size`` (H, W); InvalidInputError when it does not fit."""
    if output_size is None:
        return img
    oh, ow = output_size
    if not (0 < oh <= img.shape[0] and 0 < ow <= img.shape[1]):
        raise InvalidInputError(f"output_size {tuple(output_size)} must fit in the upscaled {img.shape[:2]}")
    return np.ascontiguousarray(img[:oh, :ow])


class BicubicDownscaled:
    """What all baselines share: the LR is MATLAB bicubic of the HR, quantised to 8 bits as a stored
    image is; sizes that are not multiples of the scale are mirror-padded and cropped back."""

    name = "baseline"

    def __init__(self, *, scale: int):
        if scale not in BASELINE_SCALES:
            raise InvalidInputError(f"scale must be one of {BASELINE_SCALES}, got {scale}")
        self.scale = scale

    def upscale(
        self,
        lr: np.ndarray,
        *,
        output_size: tuple[int, int] | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
    ) -> np.ndarray:
        raise NotImplementedError

    def roundtrip(
        self,
        hr: np.ndarray,
        *,
        jpeg_quality: int | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(LR as stored, restored) for an (H, W, 3) image; H and W are padded to the scale and cropped
        back. jpeg_quality: store the LR as JPEG of this quality first (None: lossless)."""
        lr = jpeg_roundtrip(bicubic_downscale(pad_to_multiple(hr, self.scale), scale=self.scale), jpeg_quality)
        return lr, self.upscale(lr, output_size=hr.shape[:2], progress=progress, cancel=cancel)


class BicubicBaseline(BicubicDownscaled):
    """Bicubic down + MATLAB bicubic up (the paper's 'Bicubic & Bicubic' row)."""

    name = "bicubic"

    def upscale(self, lr, *, output_size=None, progress=None, cancel=None):
        return crop_to(quantize_8bit(imresize(lr, scale=self.scale)), output_size)


class LanczosBaseline(BicubicDownscaled):
    """Bicubic down + Lanczos-3 (OpenCV) up."""

    name = "lanczos"

    def upscale(self, lr, *, output_size=None, progress=None, cancel=None):
        h, w = lr.shape[:2]
        up = cv2.resize(lr, (w * self.scale, h * self.scale), interpolation=cv2.INTER_LANCZOS4)
        return crop_to(quantize_8bit(up), output_size)
