import numpy as np
import pytest
from conftest import randomize

from irn_core import IRNRescaler, build_irn, psnr
from irn_core.analysis.studies import sample_draws, temperature_sweep
from irn_core.ops.codecs import jpeg_roundtrip


@pytest.fixture(scope="module")
def rescaler():
    return IRNRescaler(randomize(build_irn(2), std=0.01, seed=7), device="cpu")


@pytest.mark.slow
def test_draws_give_a_std_map_and_temperature_zero_is_deterministic(rescaler, small_image):
    lr = rescaler.downscale(small_image)
    seen = []
    sample = sample_draws(rescaler, lr, draws=4, reference=small_image, on_draw=seen.append)
    assert [d.seed for d in seen] == [0, 1, 2, 3] and all(d.psnr_y is not None for d in seen)
    assert sample.std.shape == small_image.shape and sample.std.max() > 0
    cold = sample_draws(rescaler, lr, draws=3, temperature=0.0)
    assert cold.std.max() == 0
    assert np.array_equal(cold.draws[0].image, cold.draws[2].image)


def test_temperature_sweep_returns_one_point_per_temperature(rescaler, small_image):
    lr = rescaler.downscale(small_image)
    points = temperature_sweep(rescaler, lr, small_image, temperatures=[0, 0.5, 1.0])
    assert [t for t, _ in points] == [0, 0.5, 1.0]
    # Each point is measured at its own temperature: T=0 is the zero latent, and the points differ.
    cold = rescaler.upscale(lr, temperature=0.0, seed=123, output_size=small_image.shape[:2])
    assert points[0][1] == pytest.approx(psnr(cold, small_image, crop_border=2, y_channel=True), abs=1e-9)
    assert len({round(value, 6) for _, value in points}) == 3


def test_jpeg_roundtrip_loses_more_at_lower_quality(small_image):
    scores = [psnr(jpeg_roundtrip(small_image, q), small_image) for q in (95, 50, 10)]
    assert scores[0] > scores[1] > scores[2]
    assert jpeg_roundtrip(small_image, None) is small_image
    with pytest.raises(ValueError, match="quality"):
        jpeg_roundtrip(small_image, 0)


def test_latent_statistics_measure_the_distance_to_a_standard_normal():
    from irn_core.analysis.studies import latent_statistics

    rng = np.random.default_rng(0)
    normal = latent_statistics(rng.standard_normal((9, 64, 64)).astype(np.float32))
    assert abs(normal.mean) < 0.01 and abs(normal.std - 1) < 0.01 and normal.kl_per_dimension < 1e-3
    small = latent_statistics(0.005 * rng.standard_normal((9, 64, 64)).astype(np.float32))
    # KL(N(0, s^2) || N(0, 1)) = (s^2 - 1 - ln s^2) / 2 = 4.798 nats for s = 0.005
    assert small.kl_per_dimension == pytest.approx(0.5 * (0.005**2 - 1 - np.log(0.005**2)), rel=1e-2)
    assert "std 0.0050" in small.describe() and "KL to N(0, I) 4.80" in small.describe()
    with pytest.raises(ValueError, match=r"\(C, h, w\)"):
        latent_statistics(np.zeros((4, 4), np.float32))
