"""The Qt-free session store, driven by plain pytest: loading, results with provenance, staleness of results,
maps, draws and studies, and the words views show. The library pipeline fills it here as the app's jobs do."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import randomize

from irn_core import ComparisonSettings, IRNRescaler, build_irn
from irn_core.analysis import compare
from irn_core.analysis.results import STUDY_INPUTS, Provenance
from irn_core.baselines import BicubicBaseline
from irn_core.io.lrfile import lr_metadata
from irn_core.io.writing import write_png
from irn_studio.model import SessionResult, SessionStore
from irn_studio.model import messages as m
from irn_studio.model.metrics_table import metrics_csv
from irn_studio.model.readouts import metrics_rows, pane_caption


@pytest.fixture(scope="module")
def rescaler():
    return IRNRescaler(randomize(build_irn(2), std=0.01, seed=3), device="cpu")


def _run(store: SessionStore, rescaler, image):
    """What the app's comparison job does, synchronously: the library pipeline into the store."""
    job, _ = store.start_job("comparison", frozenset({"irn_hr"}))

    def on_event(event):
        if isinstance(event, compare.ResultReady):
            r = event.result
            result = SessionResult.of(r.kind, r.pixels, r.provenance, metrics=r.metrics)
            store.apply(m.FromJob("comparison", job.generation, m.ResultArrived(result)))

    out = compare.run_comparison(image, rescaler=rescaler, settings=store.settings,
                                 baselines=[BicubicBaseline(scale=2)], on_event=on_event)  # fmt: skip
    store.apply(m.FromJob("comparison", job.generation, m.ComparisonDone(out.latent, "", out.lr_fidelity, 1.0)))
    store.apply(m.FromJob("comparison", job.generation, m.JobEnded("finished")))


@pytest.mark.slow
def test_the_model_imports_neither_qt_nor_torch_itself():
    code = "import sys, irn_studio.model; print(sorted(m for m in ('PySide6', 'pyqtgraph') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_a_run_fills_the_store_and_changes_mark_exactly_what_they_affect(rescaler, small_image):
    store = SessionStore(ComparisonSettings(scale=2))
    seen = []
    store.changed.connect(seen.append)
    store.open_array(small_image, "crop.png")
    assert np.array_equal(store.reference, small_image) and "image" in seen[-1]
    _run(store, rescaler, small_image)
    assert {"hr", "irn_lr", "irn_hr", "error:irn_hr", "bicubic", "bicubic_lr"} <= set(store.results)
    assert all(store.state_of(k).current for k in store.results)

    # A new seed: only IRN's restoration and its maps are out of date.
    store.apply(m.ChangeSettings({"seed": 7}))
    stale = {k for k in store.results if store.state_of(k).stale}
    assert stale == {"irn_hr", "error:irn_hr", "signed:irn_hr", "flip:irn_hr"}
    assert store.state_of("irn_hr").badge() == "OUT OF DATE: seed changed"
    assert "seed 0" in store.results["irn_hr"].caption()  # still says where it came from
    rows = {row.kind: row for row in metrics_rows(store)}
    assert rows["irn_hr"].state.stale and rows["bicubic"].state.current
    assert "PSNR-Y" in pane_caption(store, "bicubic")

    # A new scale: everything computed is stale; back to what was computed: current again.
    store.apply(m.ChangeSettings({"scale": 4}))
    assert {k for k in store.results if store.state_of(k).stale} >= {"irn_lr", "irn_hr", "bicubic", "bicubic_lr"}
    store.apply(m.ChangeSettings({"scale": 2, "seed": 0}))
    assert all(store.state_of(k).current for k in store.results)


def test_invalid_settings_and_views_change_nothing():
    from irn_core.errors import InvalidInputError

    store = SessionStore(ComparisonSettings(scale=2))
    with pytest.raises(InvalidInputError):
        store.apply(m.ChangeSettings({"temperature": -0.5}))
    with pytest.raises(InvalidInputError, match="layout must be one of"):
        store.apply(m.ChangeView({"layout": "3x3"}))
    assert store.settings.temperature == 1.0 and store.view.layout == "2x2"


def test_a_split_needs_two_panes_and_a_one_pane_layout_ends_it():
    from irn_core.errors import InvalidInputError

    store = SessionStore(ComparisonSettings(scale=2))
    store.apply(m.ChangeView({"layout": "1x2", "split": True}))
    assert store.view.split and store.view.split_kind(0) == store.view.kinds[1]
    store.apply(m.ChangeView({"layout": "1x1"}))
    assert not store.view.split  # nothing would show it: the button and the record say so
    with pytest.raises(InvalidInputError, match=r"split needs two panes: .*\(1x2, 1x3, 2x2\), got 1x1"):
        store.apply(m.ChangeView({"split": True}))
    assert store.view.layout == "1x1" and not store.view.split


def test_a_replaced_job_is_dropped_and_a_queued_one_never_is(small_image):
    store = SessionStore()
    store.open_array(small_image, "crop.png")
    old, _ = store.start_job("comparison")
    new, replaced = store.start_job("comparison")
    assert replaced == [old]
    result = SessionResult.of("bicubic", small_image, Provenance("bicubic", store.settings, ("scale",)))
    store.apply(m.FromJob("comparison", old.generation, m.ResultArrived(result)))
    assert "bicubic" not in store.results  # what the replaced job still sends is dropped
    first, _ = store.start_job("save")
    second, replaced = store.start_job("save")
    assert replaced == []
    store.apply(m.FromJob("save", first.generation, m.JobEnded("failed", "disk full")))
    store.apply(m.FromJob("save", second.generation, m.JobEnded("finished", "saved b.png")))
    assert [n.text for n in store.notices[-2:]] == ["disk full", "saved b.png"]


def test_a_shown_draw_marks_the_previous_maps_stale_until_its_own_arrive(rescaler, small_image):
    store = SessionStore(ComparisonSettings(scale=2))
    store.open_array(small_image, "crop.png")
    _run(store, rescaler, small_image)
    provenance = Provenance("irn", store.settings, STUDY_INPUTS["draws"], latent="drawn", draws=2)
    job, _ = store.start_job("study", frozenset({"study:draws"}))
    store.apply(m.FromJob("study", job.generation, m.StudyStarted("draws", provenance)))
    draw_provenance = Provenance("irn", store.settings.replace(seed=1), ("scale",), latent="drawn", draw_index=1)
    draw = SessionResult.of("irn_hr", small_image * 0.9, draw_provenance, metrics={"psnr_y": 20.0})
    other = SessionResult.of("irn_hr", small_image * 0.8, draw_provenance, metrics={"psnr_y": 19.0})
    store.apply(m.FromJob("study", job.generation, m.DrawArrived(0, 0, other)))
    store.apply(m.FromJob("study", job.generation, m.DrawArrived(1, 1, draw)))
    store.apply(m.ShowDraw(5))
    assert store.notices[-1].level == "error" and "expected a draw 0-1" in store.notices[-1].text
    store.apply(m.ShowDraw(1))
    assert store.results["irn_hr"] is draw and store.state_of("irn_hr").current
    for kind in ("error:irn_hr", "signed:irn_hr", "flip:irn_hr"):
        assert store.state_of(kind).reason == "of an earlier result than the one shown"
    row = next(r for r in metrics_rows(store) if r.kind == "irn_hr")
    assert row.cells[4] == "–"  # the previous draw's FLIP is not this draw's
    # The draw study goes out of date with its temperature; the draw shown with it.
    store.apply(m.ChangeSettings({"temperature": 0.5}))
    assert store.study_state("draws").stale and store.state_of("irn_hr").stale


def test_an_lr_file_sets_its_scale_and_its_recorded_size(tmp_path, rescaler, small_image):
    lr = rescaler.downscale(small_image)
    path = write_png(tmp_path / "lr.png", lr,
                     metadata=lr_metadata(scale=2, model="m", fingerprint="f", original_size=(64, 48)))  # fmt: skip
    from irn_core import read_image

    store = SessionStore(ComparisonSettings(scale=4))
    store.apply(m.OpenImage(read_image(path)))
    assert store.lr_only and store.settings.scale == 2 and store.reference is None
    assert store.output_size == (64, 48) and store.view.kinds[:2] == ("irn_lr", "irn_hr")


def test_metrics_csv_says_where_each_row_came_from_and_whether_it_is_current(rescaler, small_image):
    store = SessionStore(ComparisonSettings(scale=2, seed=4))
    store.open_array(small_image, "crop.png")
    _run(store, rescaler, small_image)
    store.apply(m.ChangeSettings({"seed": 5}))
    rows = metrics_csv(store).splitlines()
    assert rows[0].endswith("state,provenance")
    irn = next(r for r in rows if r.startswith("IRN restored"))
    assert "seed 4" in irn and "LR lossless" in irn and ",stale," in irn


def test_progress_says_the_stage_the_share_and_the_time_left():
    from irn_studio.model.wording import progress_text

    assert progress_text("IRN downscale 1/12 tiles", 0.01, 0.5) == "IRN downscale 1/12 tiles · 1%"
    assert progress_text("IRN upscale 3/12 tiles", 0.5, 20.0) == "IRN upscale 3/12 tiles · 50% · about 20 s left"
    assert progress_text("sr", 0.25, 60.0).endswith("about 3 min left")


def test_zoom_is_said_as_image_viewers_say_it():
    from irn_studio.model.wording import zoom_text

    assert zoom_text(4.0) == "zoom 4:1" and zoom_text(1.0) == "zoom 1:1"
    assert zoom_text(0.4) == "zoom 1:2.5" and zoom_text(0) == ""


def test_the_best_current_value_of_each_column_is_marked_flip_lower_is_better_stale_never_wins():
    from irn_studio.model.metrics_table import best_metric_cells

    store = SessionStore()
    pixels = np.zeros((8, 8, 3), np.float32)
    store.open_array(pixels, "x.png")
    for kind, metrics, prov_seed in (
        ("irn_hr", {"psnr_y": 38.1, "ssim_y": 0.97, "psnr_rgb": 36.0, "ssim_rgb": 0.95}, 0),
        ("bicubic", {"psnr_y": 33.7, "ssim_y": 0.97, "psnr_rgb": 36.2, "ssim_rgb": 0.90}, 0),
    ):
        inputs = ("scale", "seed") if kind == "irn_hr" else ("scale",)
        provenance = Provenance(kind, store.settings.replace(seed=prov_seed), inputs)
        store.results[kind] = SessionResult.of(kind, pixels, provenance, metrics=metrics)
        flip = {"irn_hr": 0.05, "bicubic": 0.09}[kind]
        store.results[f"flip:{kind}"] = SessionResult.of(
            f"flip:{kind}", pixels[..., 0], provenance, metrics={"flip": flip}
        )
    kinds = [row.kind for row in metrics_rows(store)]
    irn, bicubic = kinds.index("irn_hr"), kinds.index("bicubic")
    assert best_metric_cells(store) == {(irn, 0), (irn, 1), (bicubic, 1), (bicubic, 2), (irn, 3), (irn, 4)}
    store.apply(m.ChangeSettings({"seed": 9}))  # IRN's row goes out of date: it wins nothing, bicubic is alone
    assert best_metric_cells(store) == set()


def test_a_large_photos_first_region_fills_the_table_labelled_as_the_region_until_its_whole_image_is_done():
    from irn_studio.model.metrics_table import best_metric_cells, metrics_csv

    store = SessionStore()
    pixels = np.zeros((8, 8, 3), np.float32)
    store.open_array(pixels, "photo.jpg")
    job, _ = store.start_job("comparison", frozenset({"irn_hr", "bicubic"}))
    region = ((1116, 1884), (1616, 2384))
    first = {"irn_hr": {"psnr_y": 31.5, "ssim_y": 0.91, "psnr_rgb": 30.0, "ssim_rgb": 0.9},
             "bicubic": {"psnr_y": 27.25, "ssim_y": 0.8, "psnr_rgb": 26.0, "ssim_rgb": 0.7}}  # fmt: skip
    store.apply(m.FromJob("comparison", job.generation, m.FirstRegionMetrics(region, first, store.settings)))
    rows = metrics_rows(store)
    assert [r.kind for r in rows] == ["irn_hr", "bicubic"]
    assert all(r.label.endswith(" · region 768×768 at (1616, 1116)") for r in rows)
    assert [r.scope for r in rows] == ["region", "region"] and rows[0].cells[:2] == ["31.50", "0.9100"]
    assert rows[0].cells[4:] == ["–", "–", "–"]  # no FLIP or view figures for a region
    caption = pane_caption(store, "irn_hr")  # the figures first, where a narrow pane does not clip them
    assert caption.startswith("PSNR-Y 31.50 dB · SSIM-Y 0.9100 of the region 768×768")
    assert caption.endswith("(whole image computing)")
    assert "not done" in metrics_csv(store)
    # IRN's whole image arrives: its row is the whole image's, bicubic's stays the region's, never compared
    whole = {"psnr_y": 30.0, "ssim_y": 0.95, "psnr_rgb": 29.0, "ssim_rgb": 0.94}
    provenance = Provenance("irn", store.settings, ("scale", "seed"))
    result = SessionResult.of("irn_hr", pixels, provenance, metrics=whole)
    store.apply(m.FromJob("comparison", job.generation, m.ResultArrived(result)))
    rows = metrics_rows(store)
    assert [(r.kind, r.scope) for r in rows] == [("irn_hr", "whole"), ("bicubic", "region")]
    assert best_metric_cells(store) == set()  # one row of each scope: nothing to compare
    assert store.settings.scale == 4
    store.apply(m.ChangeSettings({"scale": 2}))  # the region's figures were for x4
    assert metrics_rows(store)[1].state.stale and "scale changed" in metrics_rows(store)[1].state.reason
    store.open_array(pixels, "next.jpg")
    assert metrics_rows(store) == []


def test_a_regions_maps_arrive_as_map_tiles_in_display_units_with_their_own_scale():
    from irn_studio.control import tasks

    sent = []

    class Context:
        def emit(self, message):
            sent.append(message)

        def progress(self, *_args):
            pass

    on_event = tasks._forward(Context(), None, ComparisonSettings())
    error = np.linspace(0, 0.1, 64, dtype=np.float32).reshape(8, 8)
    on_event(compare.TileReady("error:irn_hr", 16, 24, error))
    on_event(compare.TileReady("irn_hr", 16, 24, np.full((8, 8, 3), 0.5, np.float32)))
    on_event(compare.RegionMeasured(((16, 24), (24, 32)), {"irn_hr": {"psnr_y": 30.0}}))
    tile, image, metrics = sent
    assert tile.pixels.shape == (8, 8) and tile.pixels.max() == pytest.approx(25.5)  # 8-bit levels, as maps are
    assert tile.top == pytest.approx(np.percentile(error * 255, 99.5))
    assert image.pixels.dtype == np.uint8 and image.top is None
    assert isinstance(metrics, m.FirstRegionMetrics) and metrics.settings == ComparisonSettings()


def test_the_screenshot_waits_for_metrics_of_the_view_its_regions_or_the_whole_images():
    from irn_studio.model.readouts import view_metrics_in

    store = SessionStore()
    pixels = np.zeros((3000, 4000, 3), np.float32)
    store.open_array(pixels, "photo.jpg")
    shown = ["hr", "irn_hr", "flip:irn_hr", "bicubic"]
    assert not view_metrics_in(store, shown)  # nothing measured yet
    job, _ = store.start_job("comparison", frozenset({"irn_hr", "bicubic"}))
    centre = ((1116, 1884), (1616, 2384))
    metrics = {"irn_hr": {"psnr_y": 31.5}, "bicubic": {"psnr_y": 27.0}}
    store.apply(m.FromJob("comparison", job.generation, m.FirstRegionMetrics(centre, metrics, store.settings)))
    assert view_metrics_in(store, shown)  # at Fit the view's centre is the image's: the first region holds it
    assert not view_metrics_in(store, [*shown, "sr"])  # SR's figures are not in
    store.apply(m.ChangeView({"zoom": 1.0, "region": ((2640, 3000), (3360, 4000))}))  # a far corner
    assert not view_metrics_in(store, shown)  # the centre's rows are not this view's
    corner = ((2232, 3000), (3232, 4000))
    store.apply(m.FromJob("comparison", job.generation, m.FirstRegionMetrics(corner, metrics, store.settings)))
    assert view_metrics_in(store, shown)
    store.apply(m.ChangeSettings({"seed": 9}))  # the region's rows go out of date
    assert not view_metrics_in(store, shown)


def test_a_region_pass_after_a_move_sends_its_metrics_with_the_settings_it_ran_with(monkeypatch):
    from irn_core.analysis import region
    from irn_studio.control import tasks

    sent, asked = [], []
    measured = compare.RegionMeasured(((0, 8), (0, 8)), {"irn_hr": {"psnr_y": 30.0}})

    def compare_region(_hr, view, *, on_event, settings, **_kwargs):
        asked.append((view, settings))
        on_event(measured)

    monkeypatch.setattr(region, "compare_region", compare_region)
    rescaler = IRNRescaler(build_irn(2))

    class Models:
        def rescaler(self, settings):
            return rescaler

        def baselines(self, settings):
            return [], []

    class Context:
        cancel = None

        def emit(self, message):
            sent.append(message)

    settings = ComparisonSettings(scale=2, seed=4)
    hr = np.zeros((160, 160, 3), np.float32)
    tasks.region_pass(Context(), models=Models(), settings=settings, hr=hr, view_region=((80, 160), (0, 80)))
    assert sent == [m.FirstRegionMetrics(((0, 8), (0, 8)), {"irn_hr": {"psnr_y": 30.0}}, settings)]
    assert asked == [(((80, 160), (0, 80)), settings)]  # the view, and the seed whose field it draws
