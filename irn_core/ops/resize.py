"""MATLAB-compatible bicubic ``imresize`` (with antialiasing when shrinking).

This is the resize the paper's tables are built on: MATLAB ``imresize(img, scale,
'bicubic')``, whose kernel is widened by 1/scale when downscaling and whose borders are
handled by symmetric (mirror) padding. Each axis is resized by multiplying with a dense
(out x in) weight matrix, built once per call.
"""

from __future__ import annotations

import math

import numpy as np


def _cubic(x: np.ndarray) -> np.ndarray:
    ax = np.abs(x)
    ax2, ax3 = ax * ax, ax * ax * ax
    return (1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1) + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2))


def resize_matrix(in_len: int, out_len: int, scale: float, *, antialias: bool = True) -> np.ndarray:
    """The (out_len, in_len) float64 matrix that resizes one axis as MATLAB does."""
    kernel_width = 4.0
    if scale < 1 and antialias:
        kernel = lambda t: scale * _cubic(scale * t)  # noqa: E731
        kernel_width /= scale
    else:
        kernel = _cubic
    out_pos = np.arange(1, out_len + 1, dtype=np.float64)
    # Centre of each output pixel in input coordinates (1-based, as MATLAB).
    u = out_pos / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kernel_width / 2)
    taps = int(math.ceil(kernel_width)) + 2
    indices = left[:, None] + np.arange(taps)[None, :]
    weights = kernel(u[:, None] - indices)
    weights /= weights.sum(axis=1, keepdims=True)
    # Symmetric padding: 0 -> 1, -1 -> 2, in_len+1 -> in_len, ...
    period = 2 * in_len
    idx = (indices.astype(np.int64) - 1) % period
    idx = np.where(idx < in_len, idx, period - 1 - idx)
    matrix = np.zeros((out_len, in_len), dtype=np.float64)
    np.add.at(matrix, (np.repeat(np.arange(out_len), taps), idx.ravel()), weights.ravel())
    return matrix


def imresize(
    img: np.ndarray, *, scale: float | None = None, output_shape: tuple[int, int] | None = None, antialias: bool = True
) -> np.ndarray:
    """Resize an image as MATLAB's ``imresize(img, scale, 'bicubic')``.

    img: float array HxW or HxWxC (values in any range; [0, 1] by convention), or uint8.
    scale: factor (0.25 shrinks by 4); output size is ceil(H*scale) x ceil(W*scale).
    output_shape: (H_out, W_out) instead of ``scale``.
    Returns float32 of the new size (uint8 input gives uint8 output, rounded and clipped,
    as MATLAB does). The result is not clipped for float input.
    """
    if not isinstance(img, np.ndarray) or img.ndim not in (2, 3):
        raise ValueError(f"img must be an HxW or HxWxC numpy array, got {getattr(img, 'shape', type(img))}")
    if (scale is None) == (output_shape is None):
        raise ValueError("give exactly one of scale= or output_shape=")
    h, w = img.shape[:2]
    if scale is not None:
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale}")
        out_h, out_w = int(math.ceil(h * scale)), int(math.ceil(w * scale))
        scale_h = scale_w = float(scale)
    else:
        assert output_shape is not None
        out_h, out_w = output_shape
        scale_h, scale_w = out_h / h, out_w / w
    if out_h < 1 or out_w < 1:
        raise ValueError(f"output size {out_h}x{out_w} from a {h}x{w} image is empty")
    was_uint8 = img.dtype == np.uint8
    x = img.astype(np.float32)
    rows = resize_matrix(h, out_h, scale_h, antialias=antialias).astype(np.float32)
    cols = resize_matrix(w, out_w, scale_w, antialias=antialias).astype(np.float32)
    out = np.tensordot(rows, x, axes=(1, 0))  # (out_h, w[, C])
    out = np.moveaxis(np.tensordot(cols, out, axes=(1, 1)), 0, 1)  # (out_h, out_w[, C])
    if was_uint8:
        return np.clip(np.round(out), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(out, dtype=np.float32)
