"""PSNR and SSIM with the conventions of the paper's tables (and of BasicSR / the official code).

Images are float32 HWC RGB in [0, 1] (or uint8). Both are first quantised to 8-bit levels,
as the saved images the paper evaluates are. With ``y_channel=True`` the comparison is on
the luma of ITU-R BT.601 (16-235): by default unrounded, as the official IRN test code computes it
(``bgr2ycbcr`` on float images), the convention of the paper's IRN rows; with ``round_y=True`` rounded
to integer levels as MATLAB's ``rgb2ycbcr`` does on uint8 images, the convention of the SR literature's
bicubic rows (it reproduces the paper's to 0.01 dB). ``crop_border`` pixels are dropped from every
edge. SSIM uses an 11x11 Gaussian window with sigma 1.5 over the 'valid' area, as the official
``calculate_ssim``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

Region = tuple[tuple[int, int], tuple[int, int]]  # ((row0, row1), (col0, col1)), half-open

Y_OFFICIAL = "Y unrounded (official IRN test code)"
Y_ROUNDED = "Y rounded to integer levels (MATLAB rgb2ycbcr on uint8)"
_Y_WEIGHTS = np.array([65.481, 128.553, 24.966], dtype=np.float64) / 255.0


def _to_levels(img: np.ndarray, name: str) -> np.ndarray:
    img = np.asarray(img)
    if img.ndim not in (2, 3):
        raise ValueError(f"{name} must be HxW or HxWxC, got shape {img.shape}")
    if img.dtype == np.uint8:
        return img.astype(np.float32)
    if not np.issubdtype(img.dtype, np.floating):
        raise TypeError(f"{name} must be float in [0, 1] or uint8, got {img.dtype}")
    # Whole levels 0-255 are exact in float32, which halves the memory traffic of float64.
    return np.clip(np.round(img.astype(np.float32, copy=False) * np.float32(255.0)), 0, 255)


def rgb_to_y(levels: np.ndarray, *, rounded: bool = False) -> np.ndarray:
    """BT.601 luma of RGB in 0-255 levels: 16 + (65.481 R + 128.553 G + 24.966 B) / 255, in float64;
    ``rounded`` rounds it to integer levels as MATLAB rgb2ycbcr does on uint8 images."""
    y = levels.astype(np.float64) @ _Y_WEIGHTS + 16.0
    return np.round(y) if rounded else y


def _prepare(pred, target, crop_border: int, y_channel: bool, region: Region | None, round_y: bool = False):
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape, got {pred.shape} and {target.shape}")
    if region is not None:
        (r0, r1), (c0, c1) = region
        pred, target = pred[r0:r1, c0:c1], target[r0:r1, c0:c1]
    a, b = _to_levels(pred, "pred"), _to_levels(target, "target")
    if y_channel and a.ndim == 3 and a.shape[2] == 3:
        a, b = rgb_to_y(a, rounded=round_y), rgb_to_y(b, rounded=round_y)
    if crop_border < 0:
        raise ValueError(f"crop_border must be >= 0, got {crop_border}")
    if crop_border:
        a = a[crop_border:-crop_border, crop_border:-crop_border]
        b = b[crop_border:-crop_border, crop_border:-crop_border]
    if a.size == 0:
        raise ValueError("nothing left to compare after region and border crop")
    return a, b


def psnr(
    pred: np.ndarray,
    target: np.ndarray,
    *,
    crop_border: int = 0,
    y_channel: bool = False,
    round_y: bool = False,
    region: Region | None = None,
) -> float:
    """Peak signal-to-noise ratio in dB on 8-bit levels; ``inf`` for identical images.

    y_channel: compare BT.601 luma only (the paper's tables); round_y: round it to integer levels (MATLAB).
    region: ((row0, row1), (col0, col1)) of the image to compare; ``crop_border`` is then
    taken from the region's edges.
    """
    a, b = _prepare(pred, target, crop_border, y_channel, region, round_y)
    diff = a.astype(np.float64) - b
    mse = float(np.mean(diff * diff))
    return math.inf if mse == 0 else 20.0 * math.log10(255.0 / math.sqrt(mse))


SSIM_BAND_ROWS = 256


def _ssim_plane(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM of two 2-D planes (levels), over the 'valid' part of an 11x11 Gaussian window.

    Computed in bands of rows (each with the 10 rows of context its window needs), so memory stays
    bounded for 24 MP photographs; the sum is the same as over the whole plane at once.
    """
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    g = cv2.getGaussianKernel(11, 1.5)

    def blur(x):  # 'valid' part of an 11x11 Gaussian filter
        return cv2.sepFilter2D(x, -1, g, g, borderType=cv2.BORDER_REFLECT)[5:-5, 5:-5]

    if min(a.shape) < 11:
        raise ValueError(f"SSIM needs at least 11x11 pixels, got {a.shape[0]}x{a.shape[1]}")
    valid_rows = a.shape[0] - 10
    total = 0.0
    for start in range(0, valid_rows, SSIM_BAND_ROWS):
        stop = min(start + SSIM_BAND_ROWS, valid_rows)
        band_a = a[start : stop + 10].astype(np.float64)
        band_b = b[start : stop + 10].astype(np.float64)
        mu_a, mu_b = blur(band_a), blur(band_b)
        var_a = blur(band_a * band_a) - mu_a**2
        var_b = blur(band_b * band_b) - mu_b**2
        cov = blur(band_a * band_b) - mu_a * mu_b
        ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
        total += float(ssim_map.sum())
    return total / (valid_rows * (a.shape[1] - 10))


def ssim(
    pred: np.ndarray,
    target: np.ndarray,
    *,
    crop_border: int = 0,
    y_channel: bool = False,
    round_y: bool = False,
    region: Region | None = None,
) -> float:
    """Structural similarity (mean over channels for RGB); 1.0 for identical images. Options as ``psnr``."""
    a, b = _prepare(pred, target, crop_border, y_channel, region, round_y)
    if a.ndim == 2:
        return _ssim_plane(a, b)
    return float(np.mean([_ssim_plane(a[:, :, c], b[:, :, c]) for c in range(a.shape[2])]))


def mod_crop(img: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom/right so height and width are multiples of ``scale`` (the paper's HR)."""
    h, w = img.shape[:2]
    return img[: h - h % scale, : w - w % scale]


METRIC_NAMES = ("psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb")
TOO_SMALL_NOTE = "too small to measure after the {border}-pixel border crop (SSIM needs 11x11): metrics are NaN"


GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def measure(
    result: np.ndarray,
    reference: np.ndarray,
    *,
    scale: int,
    region: Region | None = None,
    round_y: bool = False,
    gray: bool = False,
) -> dict[str, float]:
    """The one metric set every path reports (app, CLI, folders, studies, bench): PSNR-Y, SSIM-Y, PSNR-RGB
    and SSIM-RGB of ``result`` against ``reference`` (float32 (H, W, 3) in [0, 1] or uint8, same shape), all
    with the paper's ``scale``-pixel border cropped from the whole image (none from a ``region``, which is a
    view inside it). Y is unrounded (the official code) unless ``round_y``; with ``gray`` (a grayscale
    reference, three equal channels) the Y figures compare the result's luma with the reference's single
    channel, as the paper does. A value that cannot be computed because too little is left (1x1, 1xN,
    smaller than the crop; SSIM below 11x11) is NaN, never an exception; ``too_small`` says so."""
    border = 0 if region is not None else scale
    gray_pair = (result @ GRAY_WEIGHTS, reference[..., 0]) if gray and np.asarray(reference).ndim == 3 else None
    out = {}
    for name, fn, y in (
        ("psnr_y", psnr, True),
        ("ssim_y", ssim, True),
        ("psnr_rgb", psnr, False),
        ("ssim_rgb", ssim, False),
    ):
        try:
            if y and gray_pair is not None:
                out[name] = fn(*gray_pair, crop_border=border, region=region)
            else:
                out[name] = fn(result, reference, crop_border=border, y_channel=y, region=region, round_y=round_y and y)
        except ValueError as exc:
            if "same shape" in str(exc):
                raise
            out[name] = math.nan
    return out


def too_small(metrics: dict[str, float]) -> bool:
    """Whether ``measure`` left any metric NaN because the image is too small."""
    return any(isinstance(v, float) and math.isnan(v) for v in metrics.values())
