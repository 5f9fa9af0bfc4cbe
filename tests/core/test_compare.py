"""The comparison pipeline, driven directly (no Qt): events, provenance, metrics, cancel, LR-only restore."""

import threading

import numpy as np
import pytest
from conftest import randomize

from irn_core import Cancelled, ComparisonSettings, IRNRescaler, build_irn, psnr
from irn_core.analysis import studies
from irn_core.analysis.compare import (
    Notice,
    Progress,
    ResultReady,
    TileReady,
    comparison_baselines,
    restore_lr,
    run_comparison,
)
from irn_core.baselines import BicubicBaseline, LanczosBaseline, SRBaseline
from irn_core.errors import InvalidInputError
from irn_core.nn.sr import CompactSR


@pytest.fixture(scope="module")
def rescaler():
    return IRNRescaler(randomize(build_irn(2), std=0.01, seed=3), device="cpu", precision="fp32", tile_hr=32)


@pytest.fixture
def baselines():
    sr = SRBaseline(randomize(CompactSR(scale=2, features=8, convs=2), seed=1), scale=2, name="tiny-sr", device="cpu")
    return [BicubicBaseline(scale=2), LanczosBaseline(scale=2), sr]


def test_a_comparison_yields_every_result_with_its_provenance_and_metrics(rescaler, baselines, small_image):
    settings = ComparisonSettings(scale=2, seed=5, temperature=0.8)
    events = []
    comparison = run_comparison(
        small_image,
        rescaler=rescaler,
        settings=settings,
        baselines=baselines,
        weights_name="random.safetensors",
        on_event=events.append,
    )
    kinds = [e.result.kind for e in events if isinstance(e, ResultReady)]
    assert kinds == [
        "irn_lr",
        "irn_hr",
        "error:irn_hr",
        "signed:irn_hr",
        "flip:irn_hr",
        "bicubic_lr",
        "bicubic",
        "error:bicubic",
        "signed:bicubic",
        "flip:bicubic",
        "lanczos",
        "error:lanczos",
        "signed:lanczos",
        "flip:lanczos",
        "sr",
        "error:sr",
        "signed:sr",
        "flip:sr",
    ]
    flip = next(e.result for e in events if isinstance(e, ResultReady) and e.result.kind == "flip:irn_hr")
    irn_metrics = comparison.results["irn_hr"].metrics
    assert flip.pixels.shape == small_image.shape[:2] and 0 <= flip.pixels.min() and flip.pixels.max() <= 1
    assert irn_metrics["flip"] == pytest.approx(float(flip.pixels.mean()), abs=1e-4) and irn_metrics["flip"] > 0
    assert any(isinstance(e, TileReady) for e in events) and isinstance(events[-1], Progress)
    fractions = [e.fraction for e in events if isinstance(e, Progress)]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0  # never goes backwards, ends at 100%
    results = comparison.results
    assert results["irn_lr"].pixels.shape == (32, 24, 3)
    irn = results["irn_hr"]
    # The restored image is exactly what the rescaler gives for the same LR and latent settings.
    expected = rescaler.upscale(results["irn_lr"].pixels, seed=5, temperature=0.8, output_size=(64, 48))
    assert np.array_equal(irn.pixels, expected)
    assert irn.metrics["psnr_y"] == pytest.approx(psnr(expected, small_image, crop_border=2, y_channel=True))
    p = irn.provenance
    assert (p.method, p.settings.seed, p.settings.temperature, p.latent, p.weights_name) == (
        "irn",
        5,
        0.8,
        "drawn",
        "random.safetensors",
    )
    assert len(p.fingerprint) == 16 and p.precision == "fp32" and p.device.startswith("CPU") and p.seconds > 0
    assert "seed 5, T=0.8" in p.describe() and "LR lossless" in p.describe()
    assert results["sr"].provenance.method == "tiny-sr" and "sr_model" in results["sr"].provenance.inputs
    for kind in ("bicubic", "lanczos", "sr"):
        assert results[kind].pixels.shape == small_image.shape and 0 < results[kind].metrics["psnr_y"] < 60
    assert comparison.latent.shape == (9, 32, 24) and 0 < comparison.lr_fidelity["psnr_y"]


def test_oracle_z_and_jpeg_storage_are_applied_and_recorded(rescaler, baselines, small_image):
    oracle = run_comparison(
        small_image, rescaler=rescaler, settings=ComparisonSettings(scale=2, oracle_z=True), baselines=[]
    ).results["irn_hr"]
    drawn = run_comparison(small_image, rescaler=rescaler, settings=ComparisonSettings(scale=2), baselines=[]).results[
        "irn_hr"
    ]
    assert oracle.provenance.latent == "oracle" and "ORACLE" in oracle.provenance.describe()
    assert oracle.metrics["psnr_y"] > drawn.metrics["psnr_y"] + 3
    jpeg = run_comparison(
        small_image, rescaler=rescaler, settings=ComparisonSettings(scale=2, jpeg_quality=30), baselines=[]
    ).results["irn_hr"]
    assert jpeg.metrics["psnr_y"] < drawn.metrics["psnr_y"] and "LR JPEG q30" in jpeg.provenance.describe()


def test_cancel_stops_the_pipeline_before_the_baselines(rescaler, baselines, small_image):
    cancel = threading.Event()
    events = []

    def on_event(event):
        events.append(event)
        if isinstance(event, TileReady):
            cancel.set()  # the user pressed Esc while the first restored tile came in

    with pytest.raises(Cancelled):
        run_comparison(
            small_image,
            rescaler=rescaler,
            settings=ComparisonSettings(scale=2),
            baselines=baselines,
            cancel=cancel,
            on_event=on_event,
        )
    assert sum(isinstance(e, TileReady) for e in events) == 1
    assert not any(isinstance(e, ResultReady) and e.result.kind in ("irn_hr", "bicubic") for e in events)


def test_restore_from_an_lr_alone_crops_to_the_recorded_size_and_has_no_metrics(rescaler, small_image):
    lr = rescaler.downscale(small_image[:63, :47])
    events = []
    result = restore_lr(
        lr,
        rescaler=rescaler,
        settings=ComparisonSettings(scale=2, oracle_z=True),
        output_size=(63, 47),
        on_event=events.append,
    )
    assert result.pixels.shape == (63, 47, 3) and result.metrics == {}
    assert result.provenance.latent == "drawn"  # no forward latent for an LR file: said, not faked
    assert any(isinstance(e, Notice) and "oracle z" in e.text for e in events)
    assert [e.result.kind for e in events if isinstance(e, ResultReady)] == ["irn_hr"]


def test_the_baselines_upscale_the_same_lr_for_someone_who_has_only_the_lr(rescaler, baselines, small_image):
    from irn_core.analysis.compare import upscale_with_baselines

    lr = rescaler.downscale(small_image)
    events = []
    results = upscale_with_baselines(
        lr, settings=ComparisonSettings(scale=2), baselines=baselines, output_size=(63, 47), on_event=events.append
    )
    assert set(results) == {"bicubic", "lanczos", "sr"}
    assert np.array_equal(results["bicubic"].pixels, baselines[0].upscale(lr, output_size=(63, 47)))
    assert all(r.pixels.shape == (63, 47, 3) and r.metrics == {} for r in results.values())
    assert [e.result.kind for e in events if isinstance(e, ResultReady)] == ["bicubic", "lanczos", "sr"]


def test_settings_are_checked_and_must_match_the_model(rescaler, small_image):
    with pytest.raises(InvalidInputError, match="temperature"):
        ComparisonSettings(temperature=-1)
    with pytest.raises(InvalidInputError, match="JPEG quality"):
        ComparisonSettings(jpeg_quality=0)
    with pytest.raises(InvalidInputError, match="x4.*x2"):
        run_comparison(small_image, rescaler=rescaler, settings=ComparisonSettings(scale=4), baselines=[])


def test_missing_sr_weights_leave_the_sr_baseline_out_with_a_notice(tmp_path):
    baselines, notices = comparison_baselines(ComparisonSettings(scale=2, sr_model=str(tmp_path / "none.pth")))
    assert [b.name for b in baselines] == ["bicubic", "lanczos"]
    assert "SR baseline unavailable" in notices[0] and "not found" in notices[0]


def test_jpeg_study_falls_with_quality_for_both_methods(rescaler, small_image):
    lr = rescaler.downscale(small_image)
    points = []
    curves = studies.jpeg_study(
        rescaler,
        lr,
        small_image,
        other=BicubicBaseline(scale=2),
        qualities=(None, 90, 20),
        on_point=lambda *p: points.append(p),
    )
    assert set(curves) == {"IRN", "bicubic↓ + bicubic↑"} and len(points) == 6
    for curve in curves.values():
        assert [q for q, _ in curve] == [studies.LOSSLESS, 90, 20]
        assert curve[0][1] > curve[2][1]  # lossless beats JPEG q20


def test_flip_is_zero_for_identical_images_and_grows_with_visible_damage(astronaut):
    from irn_core.analysis.perceptual import flip_map

    image = np.ascontiguousarray(astronaut[:96, :96])
    same, same_mean = flip_map(image, image)
    assert same_mean == 0 and same.max() == 0
    rng = np.random.default_rng(0)
    small = np.clip(image + rng.normal(0, 0.01, image.shape).astype(np.float32), 0, 1)
    large = np.clip(image + rng.normal(0, 0.1, image.shape).astype(np.float32), 0, 1)
    assert 0 < flip_map(small, image)[1] < flip_map(large, image)[1] <= 1
    with pytest.raises(ValueError, match="one size"):
        flip_map(image[:50], image)


def test_signed_error_says_brighter_or_darker(astronaut):
    from irn_core.analysis.compare import error_map, signed_error_map

    reference = np.ascontiguousarray(astronaut[:32, :32]) * 0.8
    brighter = reference.copy()
    brighter[:16] += 0.1  # the top half brighter by 0.1 in every channel, the rest unchanged
    signed = signed_error_map(brighter, reference)
    assert np.allclose(signed[:16], 0.1, atol=1e-6) and np.allclose(signed[16:], 0)
    assert np.allclose(signed_error_map(reference, brighter)[:16], -0.1, atol=1e-6)
    assert np.allclose(np.abs(signed), error_map(brighter, reference), atol=1e-6)  # grey changes: same size


def test_largest_difference_finds_the_changed_square_and_stays_inside_the_image():
    from irn_core.analysis.compare import largest_difference

    rng = np.random.default_rng(0)
    a = rng.random((120, 200, 3)).astype(np.float32)
    b = a.copy()
    b[70:90, 150:170] = 1 - b[70:90, 150:170]  # a 20-pixel square differs
    b[5:8, 5:8] += 0.05  # a faint difference elsewhere
    assert largest_difference(a, b, window=20) == (80, 160)
    row, col = largest_difference(a, b, window=64)
    assert 32 <= row <= 120 - 32 and 32 <= col <= 200 - 32 and abs(row - 80) <= 22 and abs(col - 160) <= 22
    assert largest_difference(a[:10, :10], b[:10, :10], window=64) == (5, 5)
    with pytest.raises(InvalidInputError, match="one size"):
        largest_difference(a, b[:50])


def test_flip_in_tiles_equals_flip_of_the_whole_image_and_can_be_cancelled():
    from irn_core.analysis.perceptual import flip_map

    rng = np.random.default_rng(1)
    reference = rng.random((300, 420, 3)).astype(np.float32)
    test = np.clip(reference + rng.normal(0, 0.05, reference.shape), 0, 1).astype(np.float32)
    whole, whole_mean = flip_map(test, reference)
    tiled, tiled_mean = flip_map(test, reference, tile=128)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)
    assert tiled_mean == pytest.approx(whole_mean, abs=1e-6)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        flip_map(test, reference, tile=128, cancel=stop)
