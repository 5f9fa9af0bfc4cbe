"""irn_core.ops.flip against NVIDIA's reference implementation (flip-evaluator): the same LDR-FLIP map."""

import cv2
import numpy as np
import pytest
import torch
from skimage import data

from irn_core.ops.flip import flip_error_map

# Measured: at most 4.1e-05 apart (a bicubic x4 restoration), means equal to 1e-6; both compute in float32.
MAP_TOLERANCE = 2e-4


def reference_flip(test: np.ndarray, reference: np.ndarray) -> np.ndarray:
    import flip_evaluator

    error, _mean, _parameters = flip_evaluator.evaluate(
        np.ascontiguousarray(reference), np.ascontiguousarray(test), "LDR", applyMagma=False
    )
    return np.asarray(error, dtype=np.float32).reshape(test.shape[:2])


def ours(test: np.ndarray, reference: np.ndarray) -> np.ndarray:
    as_tensor = [torch.from_numpy(np.ascontiguousarray(x)).permute(2, 0, 1)[None] for x in (test, reference)]
    return flip_error_map(*as_tensor)[0].numpy()


def cases():
    hr = data.astronaut()[:160, 100:300].astype(np.float32) / 255  # odd to the filters: not a square
    rng = np.random.default_rng(0)
    lr = cv2.resize(hr, (50, 40), interpolation=cv2.INTER_AREA)
    return {
        "bicubic x4": (np.clip(cv2.resize(lr, (200, 160), interpolation=cv2.INTER_CUBIC), 0, 1), hr),
        "noise": (np.clip(hr + rng.normal(0, 0.05, hr.shape).astype(np.float32), 0, 1), hr),
        "colour shift": (np.clip(hr * np.float32([1.0, 0.9, 1.1]), 0, 1).astype(np.float32), hr),
        "random": (rng.random(hr.shape, dtype=np.float32), hr),
        "flat and dark": (np.full((40, 60, 3), 0.02, np.float32), np.full((40, 60, 3), 0.03, np.float32)),
    }


@pytest.mark.parametrize("name", list(cases()))
def test_the_map_is_the_reference_implementations(name):
    test, reference = cases()[name]
    expected, got = reference_flip(test, reference), ours(test, reference)
    assert got.shape == expected.shape and got.dtype == np.float32
    assert np.abs(got - expected).max() < MAP_TOLERANCE
    assert float(got.mean()) == pytest.approx(float(expected.mean()), abs=1e-5)


def test_identical_images_are_zero_and_batches_are_pairwise():
    test, reference = cases()["noise"]
    same = ours(reference, reference)
    assert same.max() == 0
    a = torch.from_numpy(np.stack([test, reference])).permute(0, 3, 1, 2)
    b = torch.from_numpy(np.stack([reference, reference])).permute(0, 3, 1, 2)
    batch = flip_error_map(a.contiguous(), b.contiguous()).numpy()
    np.testing.assert_allclose(batch[0], ours(test, reference), atol=1e-6)
    assert batch[1].max() == 0
    with pytest.raises(ValueError, match="one size"):
        flip_error_map(a[:, :, :10], b)


@pytest.mark.parametrize("shape", [(1, 1, 3), (7, 5, 3), (300, 5, 3), (3, 200, 3)])
def test_tiny_and_thin_images_are_the_reference_implementations_too(shape):
    """Smaller than the filters (21 and 19 taps): the border rule decides every pixel."""
    rng = np.random.default_rng(sum(shape))
    test, reference = rng.random(shape, dtype=np.float32), rng.random(shape, dtype=np.float32)
    assert np.abs(ours(test, reference) - reference_flip(test, reference)).max() < MAP_TOLERANCE
