"""Baselines IRN is compared with: bicubic downscaling followed by an upscaler.

Every baseline has the shape of IRNRescaler's round trip: ``roundtrip(hr) -> (lr, restored)``
with float32 (H, W, 3) RGB [0, 1] in and out, plus its ``name``, ``scale`` and ``device``.
The LR is MATLAB bicubic (antialiased) of the HR, quantised to 8 bits as a stored image is.
"""
from __future__ import annotations

import cv2
import numpy as np

from .resize import imresize


def _quantize(img: np.ndarray) -> np.ndarray:
    return np.round(np.clip(img, 0, 1) * 255.0).astype(np.float32) / 255.0


def bicubic_downscale(hr: np.ndarray, *, scale: int) -> np.ndarray:
    """MATLAB-bicubic LR of ``hr`` (H, W multiples of ``scale``), quantised to 8-bit levels."""
    return _quantize(imresize(hr, scale=1 / scale))


class _Baseline:
    name = "baseline"
    device = "cpu"

    def __init__(self, *, scale: int):
        if scale not in (2, 3, 4, 8):
            raise ValueError(f"scale must be 2, 3, 4 or 8, got {scale}")
        self.scale = scale

    def upscale(self, lr: np.ndarray, *, output_size: tuple[int, int] | None = None, **_) -> np.ndarray:
        raise NotImplementedError

    def roundtrip(self, hr: np.ndarray, **kwargs) -> tuple[np.ndarray, np.ndarray]:
        """(LR, restored) for an (H, W, 3) image; H and W are padded to the scale and cropped back."""
        h, w = hr.shape[:2]
        s = self.scale
        pad_h, pad_w = (-h) % s, (-w) % s
        padded = np.pad(hr, ((0, pad_h), (0, pad_w), (0, 0)), mode="symmetric") if pad_h or pad_w else hr
        lr = bicubic_downscale(padded, scale=s)
        restored = self.upscale(lr, **kwargs)[:h, :w]
        return lr, np.ascontiguousarray(restored)


class BicubicBaseline(_Baseline):
    """Bicubic down + MATLAB bicubic up (the paper's 'Bicubic & Bicubic' row)."""

    name = "bicubic"

    def upscale(self, lr, *, output_size=None, **_):
        return _quantize(imresize(lr, scale=self.scale))


class LanczosBaseline(_Baseline):
    """Bicubic down + Lanczos-3 (OpenCV) up."""

    name = "lanczos"

    def upscale(self, lr, *, output_size=None, **_):
        h, w = lr.shape[:2]
        up = cv2.resize(lr, (w * self.scale, h * self.scale), interpolation=cv2.INTER_LANCZOS4)
        return _quantize(up)


def make_baseline(name: str, *, scale: int, device: str = "auto", path: str | None = None):
    """A baseline by name: "bicubic", "lanczos", "sr" (our SR network) or "spandrel" (a file)."""
    if name == "bicubic":
        return BicubicBaseline(scale=scale)
    if name == "lanczos":
        return LanczosBaseline(scale=scale)
    if name in ("sr", "spandrel"):
        from .sr import load_sr_baseline
        return load_sr_baseline(path, scale=scale, device=device)
    raise ValueError(f"unknown method {name!r}; expected irn, bicubic, lanczos, sr")
