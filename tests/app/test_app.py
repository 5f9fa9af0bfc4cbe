"""The desktop app, offscreen: loading, a full run with metrics, linked zoom, region metrics, cancel, screenshot."""

import numpy as np
import pytest
from app_windows import face_png, make_window, random_x2_weights
from conftest import randomize
from skimage import data

from irn_core import build_irn, save_irn, write_png
from irn_studio.model.readouts import metrics_rows

pytest.importorskip("pytestqt")


@pytest.fixture
def weights2(tmp_path):
    return random_x2_weights(tmp_path)


@pytest.fixture
def window(qtbot, tmp_path, weights2):
    win = make_window(qtbot, tmp_path, weights2, size=(900, 700))
    yield win
    win.controller.shutdown()


@pytest.fixture
def image_path(tmp_path):
    return face_png(tmp_path)


def run_to_end(window, qtbot, timeout=120_000):
    with qtbot.waitSignal(window.controller.run_finished, timeout=timeout):
        assert window.controller.session.run()


def test_app_never_imports_torch():
    import ast
    import pathlib

    for path in pathlib.Path("app").rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "torch" not in names, path


def test_loading_good_and_bad_files(window, image_path, tmp_path, qtbot):
    assert window.open_path(image_path)
    assert window.controller.store.image.pixels.shape == (96, 96, 3)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with qtbot.waitSignal(window.controller.message) as blocker:
        assert not window.open_path(str(bad))
    assert blocker.args[0] == "error" and "broken.png" in blocker.args[1]
    assert window.controller.store.image.path.name == "face.png"  # what was loaded before is kept
    assert window.banner.isVisibleTo(window)
    assert window.dialogs.recent()[0] == image_path


def test_chosen_checkpoints_are_checked_off_the_gui_thread(window, image_path, tmp_path, qtbot):
    from irn_core.io.checkpoints import save_sr
    from irn_core.nn.sr import CompactSR

    controller = window.controller
    errors = []
    controller.message.connect(lambda level, text: errors.append(text) if level == "error" else None)
    not_irn = tmp_path / "notes.pth"
    not_irn.write_bytes(b"not a checkpoint")
    controller.session.set_weights(str(not_irn))
    assert controller.checking_model  # returned at once; the file is read in a worker
    qtbot.waitUntil(lambda: not controller.checking_model, timeout=30_000)
    assert errors and "notes.pth" in errors[-1]
    assert controller.settings.scale == 2 and controller.settings.weights.endswith("irn_x2.safetensors")

    sr_x4 = save_sr(CompactSR(scale=4), tmp_path / "sr_x4.safetensors")
    controller.session.set_sr_model(str(sr_x4))
    qtbot.waitUntil(lambda: not controller.checking_model, timeout=30_000)
    assert "x4" in errors[-1] and controller.settings.sr_model is None  # the comparison is at x2
    sr_x2 = save_sr(CompactSR(scale=2), tmp_path / "sr_x2.safetensors")
    controller.session.set_sr_model(str(sr_x2))
    qtbot.waitUntil(lambda: controller.settings.sr_model == str(sr_x2), timeout=30_000)


def test_a_run_asked_for_while_a_checkpoint_is_checked_starts_after_it(window, image_path, tmp_path, qtbot):
    weights4 = save_irn(randomize(build_irn(4), std=0.01), tmp_path / "irn_x4.safetensors", half=False)
    window.open_path(image_path)
    window.controller.session.set_weights(str(weights4))
    run_to_end(window, qtbot)
    assert window.controller.settings.scale == 4
    assert window.controller.store.results["irn_lr"].pixels.shape == (24, 24, 3)


def test_a_deferred_run_starts_when_the_user_goes_back_to_the_bundled_weights(window, image_path, tmp_path, qtbot):
    other = save_irn(randomize(build_irn(2), std=0.01), tmp_path / "other.safetensors", half=False)
    window.open_path(image_path)
    window.controller.session.set_weights(str(other))
    with qtbot.waitSignal(window.controller.run_finished, timeout=120_000):
        assert window.controller.session.run()  # deferred: the checkpoint is being checked
        window.controller.session.set_weights(None)  # cancels the check; the run goes ahead with the bundled x2
    assert window.controller.settings.weights is None


def test_full_x2_run_shows_metrics(window, image_path, qtbot):
    window.open_path(image_path)
    run_to_end(window, qtbot)
    session = window.store
    assert {"irn_lr", "irn_hr", "bicubic", "lanczos", "bicubic_lr", "error:irn_hr"} <= set(session.results)
    assert session.results["irn_hr"].pixels.shape == (96, 96, 3)
    assert session.results["irn_lr"].pixels.shape == (48, 48, 3)
    assert np.isfinite(session.metrics["bicubic"]["psnr_y"])
    table = window.metrics_table
    labels = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    row = labels.index("Bicubic↓ + Bicubic↑")
    assert float(table.item(row, 0).text()) == pytest.approx(session.metrics["bicubic"]["psnr_y"], abs=0.01)
    assert "PSNR-Y" in window.panes[1].caption.text()
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[-2:] == ["view PSNR-Y", "view SSIM-Y"]  # each cell of a row has its column
    assert {len(row.cells) for row in metrics_rows(session)} == {table.columnCount()}
    assert table.item(row, table.columnCount() - 1) is not None


def test_a_changed_setting_marks_the_results_it_affects_as_out_of_date(window, image_path, qtbot):
    window.open_path(image_path)
    window.set_layout("2x2")
    for pane, kind in zip(window.panes, ["irn_hr", "bicubic", "hr", "irn_lr"]):
        pane.set_kind(kind)
    run_to_end(window, qtbot)
    irn, bicubic = window.panes[0], window.panes[1]
    assert "seed 0" in irn.caption.text() and not irn.badge.isVisibleTo(window)
    window.explorer.seed.setValue(5)  # typed in, not yet restored
    # The badge is on the image itself, the image dimmed; bicubic does not depend on the seed.
    assert irn.badge.isVisibleTo(window) and irn.badge.text().startswith("OUT OF DATE: seed changed")
    assert irn.image.opacity() < 1 and not bicubic.badge.isVisibleTo(window)
    with qtbot.waitSignal(window.controller.run_finished, timeout=60_000):
        window.explorer.apply.click()
    assert "seed 5" in irn.caption.text() and not irn.badge.isVisibleTo(window) and irn.image.opacity() == 1


def test_zoom_is_linked_and_region_metrics_follow_it(window, image_path, qtbot):
    window.open_path(image_path)
    run_to_end(window, qtbot)
    qtbot.waitUntil(lambda: "bicubic" in window.controller.store.region_metrics, timeout=10_000)
    before = dict(window.controller.store.region_metrics["bicubic"])
    first, second = window.panes[0].view, window.panes[1].view
    first.setRange(xRange=(10, 40), yRange=(20, 50), padding=0)
    (fx0, fx1), (fy0, fy1) = first.viewRange()
    (x0, x1), (y0, y1) = second.viewRange()
    assert min(fx1 - fx0, fy1 - fy0) < 35  # zoomed in (the aspect lock widens one axis)
    # Same centre and vertical extent; panes of slightly different widths show more or less on the sides.
    assert (x0 + x1) / 2 == pytest.approx((fx0 + fx1) / 2, abs=0.5)
    assert (y0, y1) == pytest.approx((fy0, fy1), abs=0.5)
    qtbot.waitUntil(lambda: window.controller.store.region_metrics.get("bicubic") != before, timeout=10_000)
    (r0, r1), (c0, c1) = window.store.view.region
    assert min(r1 - r0, c1 - c0) < 40
    window.navigation.zoom_ratio(4)
    qtbot.wait(400)
    assert window.status.zoom_label.text() == "zoom 4:1", window.status.zoom_label.text()


def test_cancel_mid_run_stops_the_worker_and_leaves_no_thread(window, qtbot, tmp_path):
    big = write_png(tmp_path / "big.png", data.astronaut().astype(np.float32) / 255)
    window.open_path(str(big))
    jobs = window.store.jobs
    with qtbot.waitSignal(window.controller.job_ended, timeout=5_000, raising=False):
        window.controller.session.run()
    qtbot.waitUntil(
        lambda: jobs.running("comparison") and jobs.running("comparison")[0].progress[1] > 0, timeout=60_000
    )
    generation = jobs.running("comparison")[0].generation
    messages = []
    window.controller.message.connect(lambda level, text: messages.append(text))
    assert window.menu_actions.cancel_action.isEnabled()
    window.menu_actions.cancel_action.trigger()
    assert messages[-1].startswith("cancelling")  # not "cancelled" while the worker still runs
    assert window.controller.pool.waitForDone(60_000)
    qtbot.waitUntil(lambda: generation in jobs.reported, timeout=5_000)
    qtbot.waitUntil(lambda: messages[-1].startswith("cancelled"), timeout=5_000)
    # The job itself stopped (raised Cancelled at its next tile), not just its messages ignored.
    assert jobs.reported[generation] == "cancelled"
    assert "sr" not in window.controller.store.results
    assert window.controller.pool.activeThreadCount() == 0
    assert not window.controller.busy and not window.status.progress_bar.isVisibleTo(window)


@pytest.mark.slow
def test_screenshot_mode_ignores_remembered_settings_and_a_timeout_exits_non_zero(
    tmp_path, weights2, image_path, qapp, private_app_settings, capsys
):
    import json

    from PySide6.QtCore import QSettings

    from irn_studio.main import EXIT_TIMEOUT, run

    user = QSettings("IRN Studio", "IRN Studio")  # what the app remembers into outside --screenshot
    user.setValue("layout", "1x1")  # an earlier session's choices must not change a figure
    user.setValue("seed", 6)
    user.sync()
    out = tmp_path / "shot.png"
    code = run([image_path, "--weights", weights2, "--screenshot", str(out), "--timeout", "120"])
    assert code == 0
    record = json.loads(out.with_suffix(".json").read_text())
    seeds = {p["provenance"]["seed"] for p in record["panes"] if (p.get("provenance") or {}).get("seed") is not None}
    assert record["layout"] == "2x2" and seeds == {0}
    user.sync()
    assert user.value("layout") == "1x1" and image_path not in (user.value("recent") or [])
    from irn_core import read_image

    shot = read_image(out).pixels
    assert shot.shape[0] > 300 and shot.std() > 0.05
    late = tmp_path / "late.png"
    code = run([image_path, "--weights", weights2, "--screenshot", str(late), "--timeout", "0.01"])
    assert code == EXIT_TIMEOUT and "expired" in capsys.readouterr().err and late.exists()


def test_bad_weights_for_the_app_are_one_line_before_any_window(tmp_path, image_path, capsys):
    from irn_studio.main import run

    (tmp_path / "bad.pth").write_text("not weights")
    assert run([image_path, "--weights", str(tmp_path / "bad.pth"), "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "expected IRN weights" in err and "SR" not in err and not (tmp_path / "x.png").exists()


def test_large_photos_show_every_method_of_the_region_in_view_first(window, tmp_path, qtbot, monkeypatch):
    import irn_core.analysis.region as region_module

    monkeypatch.setattr(region_module, "REGION_FIRST_MIN_PIXELS", 1000)
    monkeypatch.setattr(region_module, "FIRST_REGION_EDGE", 48)
    path = write_png(tmp_path / "big.png", data.astronaut()[:128, :128].astype(np.float32) / 255)
    window.open_path(str(path))
    events = []

    def on_change(aspects):
        for kind in ("irn_hr", "bicubic", "lanczos", "sr"):
            tiles = window.store.tiles.get(kind, [])
            if f"tile:{kind}" in aspects and tiles:
                events.append(("tile", kind, tiles[-1].row, tiles[-1].col, tiles[-1].pixels))
        events.extend(("result", a) for a in aspects if a.startswith("result:") and a != "result:hr")

    window.session.set_view(zoom=1.0, centre=(90.0, 90.0))
    # The panes' layout gives the view its real region; a run asked before that would see the view move
    # at once, and (rightly) start its first region again there.
    qtbot.waitUntil(lambda: window.store.view.region is not None and window.store.view.zoom == 1.0)
    qtbot.wait(100)
    window.store.changed.connect(on_change)
    run_to_end(window, qtbot)
    first = [e for e in events[:4]]
    assert [e[:2] for e in first] == [("tile", k) for k in ("irn_hr", "bicubic", "lanczos", "sr")]  # before any result
    _, _, r0, c0, preview = first[0]
    assert preview.shape == (48, 48, 3) and 60 <= r0 + 24 <= 120  # the region in view, at most 48 px here
    final = window.controller.store.results["irn_hr"].display[r0 : r0 + 48, c0 : c0 + 48]
    assert np.abs(final.astype(int) - preview.astype(int)).max() <= 1  # the same latent: the final pixels
    bicubic = window.controller.store.results["bicubic"].display[r0 : r0 + 48, c0 : c0 + 48]
    assert np.array_equal(bicubic, first[1][4])


@pytest.mark.parametrize("shape", [(1, 1), (7, 5), (16, 3)])
def test_tiny_images_run_without_errors(window, tmp_path, qtbot, shape):
    path = write_png(tmp_path / "tiny.png", np.random.default_rng(0).random((*shape, 3), dtype=np.float32))
    errors = []
    window.controller.message.connect(lambda level, text: level == "error" and errors.append(text))
    assert window.open_path(str(path))
    run_to_end(window, qtbot)
    assert not errors
    assert window.controller.store.results["irn_hr"].pixels.shape == (*shape, 3)
    assert "psnr_y" in window.controller.store.metrics["bicubic"]


def test_opening_an_lr_file_restores_it_at_once_beside_the_baselines_of_the_same_lr(window, qtbot, tmp_path, weights2):
    from irn_core.cli import main

    src = write_png(tmp_path / "photo.png", data.astronaut()[100:164, 200:248].astype(np.float32) / 255)
    lr_path = tmp_path / "photo_lr.png"
    assert main(["downscale", str(src), "-o", str(lr_path), "--weights", weights2, "-q"]) == 0
    window.set_layout("2x2")
    with qtbot.waitSignal(window.controller.run_finished, timeout=60_000):
        window.open_path(str(lr_path))  # no Run pressed
    results = window.controller.store.results
    assert results["irn_hr"].pixels.shape == results["bicubic"].pixels.shape == (64, 48, 3)
    assert "sr" in results or "lanczos" in results
    assert window.controller.store.metrics == {}  # no original, so no metrics
    assert [p.kind for p in window.panes] == ["irn_lr", "irn_hr", "bicubic", "sr"]
    window.set_layout("1x2")
    window.open_path(str(lr_path))
    assert [p.kind for p in window.panes] == ["irn_hr", "bicubic"]
