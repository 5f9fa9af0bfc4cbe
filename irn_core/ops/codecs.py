"""Storage effects on images: 8-bit quantisation, JPEG round trips, padding to a multiple of the scale.

Images are numpy float32 (H, W, 3) RGB in [0, 1].
"""

from __future__ import annotations

import cv2
import numpy as np

from ..errors import InvalidInputError


def to_uint8(img: np.ndarray) -> np.ndarray:
    """float [0, 1] -> uint8 by rounding (the 8-bit quantisation the paper's metrics use)."""
    return np.clip(np.round(np.asarray(img, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)


def quantize_8bit(img: np.ndarray) -> np.ndarray:
    """float [0, 1] -> float32 on the 256 levels an 8-bit file stores."""
    return np.round(np.clip(img, 0, 1) * 255.0).astype(np.float32) / 255.0


def jpeg_roundtrip(img: np.ndarray, quality: int | None) -> np.ndarray:
    """``img`` after storing it as a JPEG of ``quality`` 1-100 (None: unchanged, i.e. lossless PNG)."""
    if quality is None:
        return img
    if not 1 <= int(quality) <= 100:
        raise InvalidInputError(f"JPEG quality must be 1-100, got {quality}")
    ok, buf = cv2.imencode(".jpg", to_uint8(img)[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise InvalidInputError(f"JPEG encoding failed for an image of shape {img.shape}")
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if decoded is None:
        raise InvalidInputError(f"JPEG decoding failed for an image of shape {img.shape}")
    return decoded[:, :, ::-1].astype(np.float32) / 255.0


def pad_to_multiple(img: np.ndarray, multiple: int) -> np.ndarray:
    """Mirror-pad (H, W, C) on the bottom and right to multiples of ``multiple`` (no copy when aligned)."""
    pad_h, pad_w = (-img.shape[0]) % multiple, (-img.shape[1]) % multiple
    if not (pad_h or pad_w):
        return img
    return np.pad(img, ((0, pad_h), (0, pad_w), (0, 0)), mode="symmetric")
