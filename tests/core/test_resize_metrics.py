import math
from pathlib import Path

import numpy as np
import pytest

from irn_core import imresize, psnr, ssim
from irn_core.ops.metrics import _ssim_plane, rgb_to_y

REFERENCE = Path(__file__).parent / "data" / "imresize_reference.npz"


def test_imresize_matches_the_official_imresize_np():
    """Reference produced by the official data/util.py imresize_np (x1/4, antialiased)."""
    reference = np.load(REFERENCE)
    out = imresize(reference["input"], scale=0.25)
    assert out.shape == reference["output"].shape
    assert np.abs(out - reference["output"]).max() < 1e-5


@pytest.mark.parametrize("scale", [0.5, 0.25, 2, 4])
def test_imresize_keeps_constants_and_sizes(scale):
    img = np.full((13, 10, 3), 0.37, np.float32)
    out = imresize(img, scale=scale)
    assert out.shape == (math.ceil(13 * scale), math.ceil(10 * scale), 3)
    assert np.abs(out - 0.37).max() < 1e-6


def test_imresize_uint8_is_rounded_and_errors_are_clear():
    img = np.arange(64, dtype=np.uint8).reshape(8, 8)
    out = imresize(img, scale=0.5)
    assert out.dtype == np.uint8 and out.shape == (4, 4)
    with pytest.raises(ValueError, match="exactly one"):
        imresize(img)
    with pytest.raises(ValueError, match="HxW"):
        imresize(np.zeros(5), scale=0.5)


def test_psnr_identical_is_infinite_and_ssim_is_one(small_image):
    assert psnr(small_image, small_image) == math.inf
    assert ssim(small_image, small_image, y_channel=True) == pytest.approx(1.0)


def test_psnr_of_a_constant_offset_has_its_closed_form():
    a = np.full((20, 20, 3), 100, np.uint8)
    b = a + 5
    assert psnr(a, b) == pytest.approx(20 * math.log10(255 / 5))
    # On Y, an offset of 5 levels in R, G and B moves Y by 5*219/255 (the official code's unrounded Y)...
    assert psnr(a, b, y_channel=True) == pytest.approx(20 * math.log10(255 / (5 * 219 / 255)))
    # ...and by 4 whole levels once Y is rounded as MATLAB does (101.88 -> 102, 106.18 -> 106).
    assert psnr(a, b, y_channel=True, round_y=True) == pytest.approx(20 * math.log10(255 / 4))


def test_y_channel_is_bt601_unrounded_or_rounded_as_matlab():
    levels = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0], [10, 20, 30]]], np.float64)
    np.testing.assert_allclose(rgb_to_y(levels), [[16, 235, 81.481, 16 + (654.81 + 2571.06 + 748.98) / 255]])
    np.testing.assert_array_equal(rgb_to_y(levels, rounded=True), [[16, 235, 81, 32]])


def _official_y_psnr(sr: np.ndarray, gt: np.ndarray, crop: int):
    """The official IRN test code's PSNR-Y, written out independently: uint8 images / 255, bgr2ycbcr on
    float (Y = (img*255) . [24.966, 128.553, 65.481] (BGR) / 255 + 16, then / 255, unrounded), crop,
    PSNR on Y*255. Returns (PSNR-Y, cropped Y of sr, cropped Y of gt) in 0-255."""

    def y_of(img8):
        bgr = img8[:, :, ::-1].astype(np.float64) / 255.0 * 255.0
        return (bgr @ np.array([24.966, 128.553, 65.481]) / 255.0 + 16.0) / 255.0

    a, b = y_of(sr)[crop:-crop, crop:-crop] * 255, y_of(gt)[crop:-crop, crop:-crop] * 255
    mse = np.mean((a - b) ** 2)
    return 20 * math.log10(255.0 / math.sqrt(mse)), a, b


def test_default_y_metrics_equal_the_official_test_code(astronaut):
    rng = np.random.default_rng(1)
    gt = np.round(astronaut[100:228, 150:278] * 255).astype(np.uint8)
    sr = np.clip(gt + rng.normal(0, 6, gt.shape), 0, 255).round().astype(np.uint8)
    official, a, b = _official_y_psnr(sr, gt, crop=4)
    assert psnr(sr, gt, crop_border=4, y_channel=True) == pytest.approx(official, abs=1e-9)
    # SSIM-Y runs the official window (our _ssim_plane, checked against scikit-image below) on that same Y.
    assert ssim(sr, gt, crop_border=4, y_channel=True) == pytest.approx(_ssim_plane(a, b), abs=1e-12)
    # Rounding Y (MATLAB on uint8) is a different, lower figure here.
    assert psnr(sr, gt, crop_border=4, y_channel=True, round_y=True) < official - 0.01


def test_border_crop_and_region(small_image):
    noisy = small_image.copy()
    noisy[:2] = 1 - noisy[:2]  # damage only the top rows
    assert psnr(noisy, small_image, crop_border=2) == math.inf
    assert psnr(noisy, small_image, region=((10, 30), (0, 48))) == math.inf
    assert psnr(noisy, small_image, region=((0, 10), (0, 48))) < 20


def test_ssim_reference_value_against_scikit_image(astronaut):
    """Same window (Gaussian 11x11, sigma 1.5) and constants as skimage's Gaussian SSIM."""
    from skimage.metrics import structural_similarity

    rng = np.random.default_rng(0)
    gray = np.round(astronaut[:, :, 1] * 255)
    noisy = np.clip(gray + rng.normal(0, 10, gray.shape), 0, 255).round()
    ours = ssim(noisy.astype(np.uint8), gray.astype(np.uint8))
    theirs = structural_similarity(
        noisy, gray, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )
    assert ours == pytest.approx(theirs, abs=2e-3)


def test_metric_errors():
    with pytest.raises(ValueError, match="same shape"):
        psnr(np.zeros((4, 4, 3)), np.zeros((4, 5, 3)))
    with pytest.raises(TypeError, match="float"):
        psnr(np.zeros((4, 4), np.int32), np.zeros((4, 4), np.int32))
    with pytest.raises(ValueError, match="11x11"):
        ssim(np.zeros((8, 8, 3)), np.zeros((8, 8, 3)))


@pytest.mark.parametrize("shape", [(700, 401, 3), (3, 5), (1000,), (0, 4, 3), (2, 300_000)])
def test_to_uint8_rounds_and_clips_like_the_whole_array_formula(shape):
    from irn_core.ops.codecs import to_uint8

    rng = np.random.default_rng(len(shape))
    values = rng.uniform(-0.2, 1.2, shape).astype(np.float32)
    values.flat[: min(4, values.size)] = np.float32([0.5 / 255, 1.5 / 255, 2.5 / 255, 254.5 / 255])[: values.size]
    expected = np.clip(np.round(values * np.float32(255.0)), 0, 255).astype(np.uint8)
    converted = to_uint8(values)
    assert converted.shape == values.shape and converted.dtype == np.uint8
    assert np.array_equal(converted, expected)  # blocks of rows: the last one partial, ties to even
