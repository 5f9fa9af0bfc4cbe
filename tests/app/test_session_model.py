"""The Qt-free session model, driven by plain pytest: loading, results with provenance, staleness.

The library pipeline fills it synchronously here, as the app's workers do in the background."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import randomize

from irn_core import ComparisonSettings, IRNRescaler, build_irn
from irn_core.analysis import compare, studies
from irn_core.baselines import BicubicBaseline
from irn_core.errors import InvalidInputError
from irn_core.io.images import write_png
from irn_core.io.lrfile import lr_metadata
from irn_studio.model import SessionModel, SessionResult
from irn_studio.model.metrics_table import metrics_csv


@pytest.fixture(scope="module")
def rescaler():
    return IRNRescaler(randomize(build_irn(2), std=0.01, seed=3), device="cpu")


def _run(model: SessionModel, rescaler, image):
    """What the app's worker does for a run, synchronously: the library pipeline into the model."""

    def on_event(event):
        if isinstance(event, compare.ResultReady):
            r = event.result
            model.add_result(SessionResult.of(r.kind, r.pixels, r.provenance, metrics=r.metrics))

    model.clear_results()
    out = compare.run_comparison(image, rescaler=rescaler, settings=model.settings,
                                 baselines=[BicubicBaseline(scale=2)], on_event=on_event)  # fmt: skip
    model.latent, model.lr_fidelity = out.latent, out.lr_fidelity


@pytest.mark.slow
def test_the_model_imports_neither_qt_nor_torch_itself():
    code = "import sys, irn_studio.model; print(sorted(m for m in ('PySide6', 'pyqtgraph') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_a_run_fills_the_model_and_changes_mark_exactly_what_they_affect(rescaler, small_image):
    model = SessionModel(ComparisonSettings(scale=2))
    seen = {"changed": [], "stale": 0}
    model.result_changed.connect(seen["changed"].append)
    model.staleness_changed.connect(lambda: seen.__setitem__("stale", seen["stale"] + 1))
    model.load_array(small_image, "crop.png")
    assert model.needs() == "run" and np.array_equal(model.reference, small_image)
    _run(model, rescaler, small_image)
    assert {"hr", "irn_lr", "irn_hr", "error:irn_hr", "bicubic", "bicubic_lr"} <= set(model.results)
    assert "irn_hr" in seen["changed"] and model.stale_kinds() == {} and model.needs() is None
    assert set(model.metrics) == {"irn_hr", "bicubic", "lr_fidelity"}

    # A new seed: only IRN's restoration (and its error map) is out of date; a restore brings it back.
    stale = model.update_settings(seed=7)
    assert set(stale) == {"irn_hr", "error:irn_hr", "signed:irn_hr", "flip:irn_hr"}
    assert model.stale_kinds()["irn_hr"] == ["seed"]
    assert not model.is_current("irn_hr") and model.is_current("bicubic") and model.is_current("hr")
    assert model.needs() == "restore" and seen["stale"] >= 1
    assert "seed 0" in model.results["irn_hr"].caption()  # still says where it came from
    assert model.pane_caption("irn_hr").split("[")[0].count("OUT OF DATE (seed changed") == 1
    assert "OUT OF DATE" not in model.pane_caption("bicubic") and "PSNR-Y" in model.pane_caption("bicubic")
    labels = [label for label, _ in model.metrics_rows()]
    assert labels == ["IRN restored", "Bicubic↓ + Bicubic↑", "IRN LR vs bicubic LR"]

    # A new scale: everything computed is stale, and a whole run is needed.
    model.update_settings(scale=4)
    assert set(model.stale_kinds()) >= {"irn_lr", "irn_hr", "bicubic", "bicubic_lr"}
    assert model.needs() == "run"
    model.update_settings(scale=2, seed=0)  # back to what was computed: current again
    assert model.stale_kinds() == {} and model.needs() is None


def test_invalid_settings_change_nothing(small_image):
    model = SessionModel(ComparisonSettings(scale=2))
    with pytest.raises(InvalidInputError):
        model.update_settings(temperature=-0.5)
    assert model.settings.temperature == 1.0


def test_studies_are_stale_when_their_inputs_change_and_draws_can_be_shown(rescaler, small_image):
    model = SessionModel(ComparisonSettings(scale=2))
    model.load_array(small_image, "crop.png")
    _run(model, rescaler, small_image)
    model.start_study("draws")
    sample = studies.sample_draws(rescaler, model.results["irn_lr"].pixels, draws=3, reference=small_image,
                                  on_draw=model.add_draw)  # fmt: skip
    assert len(model.draw_psnrs) == 3 and sample.provenance.draws == 3
    assert model.show_draw(2)
    shown = model.results["irn_hr"]
    assert np.array_equal(shown.pixels, model.draws[2].image) and shown.metrics["psnr_y"] == model.draws[2].psnr_y
    assert "draw 2" in shown.caption() and model.is_current("irn_hr")
    assert model.stale_studies() == []
    model.update_settings(temperature=0.5)
    assert model.stale_studies() == ["draws"]


def test_an_lr_file_sets_its_scale_and_needs_only_a_restore(tmp_path, rescaler, small_image):
    lr = rescaler.downscale(small_image)
    path = write_png(tmp_path / "lr.png", lr,
                     metadata=lr_metadata(scale=2, model="m", fingerprint="f", original_size=(64, 48)))  # fmt: skip
    from irn_core import read_image

    model = SessionModel(ComparisonSettings(scale=4))
    model.load_image(read_image(path))
    assert model.lr_only and model.settings.scale == 2 and model.reference is None
    assert model.output_size == (64, 48) and model.needs() == "restore"


def test_metrics_csv_says_where_each_row_came_from(rescaler, small_image):
    model = SessionModel(ComparisonSettings(scale=2, seed=4))
    model.load_array(small_image, "crop.png")
    _run(model, rescaler, small_image)
    rows = metrics_csv(model).splitlines()
    assert rows[0].endswith("provenance")
    irn = next(r for r in rows if r.startswith("IRN restored"))
    assert "seed 4" in irn and "LR lossless" in irn


def test_progress_says_the_stage_the_share_and_the_time_left():
    from irn_studio.model.wording import progress_text

    assert progress_text("IRN downscale 1/12 tiles", 0.01, 0.5) == "IRN downscale 1/12 tiles · 1%"
    assert progress_text("IRN upscale 3/12 tiles", 0.5, 20.0) == "IRN upscale 3/12 tiles · 50% · about 20 s left"
    assert progress_text("sr", 0.25, 60.0).endswith("about 3 min left")


def test_zoom_is_said_as_image_viewers_say_it():
    from irn_studio.model.wording import zoom_text

    assert zoom_text(4.0) == "zoom 4:1" and zoom_text(1.0) == "zoom 1:1"
    assert zoom_text(0.4) == "zoom 1:2.5" and zoom_text(0) == ""


def test_the_best_value_of_each_metrics_column_is_marked_and_flip_counts_lower_as_better():
    from irn_studio.model.kinds import label as label_of
    from irn_studio.model.metrics_table import best_metric_cells

    model = SessionModel()
    pixels = np.zeros((8, 8, 3), np.float32)
    for kind, metrics in (
        ("irn_hr", {"psnr_y": 38.1, "ssim_y": 0.97, "psnr_rgb": 36.0, "ssim_rgb": 0.95, "flip": 0.05}),
        ("bicubic", {"psnr_y": 33.7, "ssim_y": 0.97, "psnr_rgb": 36.2, "ssim_rgb": 0.90, "flip": 0.09}),
    ):
        model.results[kind] = SessionResult.of(kind, pixels, None, metrics=metrics)
    model.lr_fidelity = {"psnr_y": 45.0, "ssim_y": 0.99, "psnr_rgb": 44.0, "ssim_rgb": 0.99}
    model.region_metrics = {"bicubic": {"psnr_y": 30.0, "ssim_y": 0.9}}  # one value: nothing to beat
    rows = [label for label, _ in model.metrics_rows()]
    irn, bicubic = rows.index(label_of("irn_hr")), rows.index(label_of("bicubic"))
    assert best_metric_cells(model) == {(irn, 0), (irn, 1), (bicubic, 1), (bicubic, 2), (irn, 3), (irn, 4)}
