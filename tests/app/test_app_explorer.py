"""Latent explorer, JPEG study and exports in the app (offscreen, random weights)."""

import numpy as np
import pytest
from app_windows import face_png, make_window, random_x2_weights
from PySide6.QtCore import QPoint, Qt

from irn_core import psnr, read_image
from irn_studio.model.readouts import best_baseline_kind


@pytest.fixture
def window(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path, random_x2_weights(tmp_path))
    path = face_png(tmp_path)
    messages = []
    win.controller.message.connect(lambda level, text: messages.append((level, text)))
    assert win.open_path(str(path))
    with qtbot.waitSignal(win.controller.run_finished, timeout=120_000):
        assert win.controller.session.run(), messages
    yield win
    win.controller.shutdown()


def _restore(window, qtbot, **kwargs):
    with qtbot.waitSignal(window.controller.run_finished, timeout=60_000):
        window.controller.session.resample(**kwargs)
    return window.controller.store.results["irn_hr"].pixels


def test_the_explorer_shows_the_forward_latent_next_to_n01(window):
    text = window.explorer.latent_label.text()
    assert text.startswith("forward z: mean") and "KL to N(0, I)" in text
    assert text == window.controller.store.latent_summary
    plots = (window.explorer.draw_plot, window.explorer.temperature_plot, window.explorer.jpeg_plot)
    assert not any(plot.isVisible() for plot in plots)  # no empty axes before a study has a point


def test_sampling_n_draws_gives_std_map_and_n_plot_points(window, qtbot):
    window.resize(1280, 720)  # the explorer's plots lie below the fold of its dock here
    with qtbot.waitSignal(window.controller.study_finished, timeout=120_000):
        window.explorer.draws.setValue(5)
        window.explorer.start_sampling()
    x, y = window.explorer.curves[("draws", "IRN")].getData()
    assert len(x) == 5 and np.all(np.isfinite(y)) and window.explorer.draw_plot.isVisible()

    def plot_in_view() -> bool:
        scroller, plot = window.explorer_scroller, window.explorer.draw_plot
        top = plot.mapTo(scroller.widget(), QPoint(0, 0)).y() - scroller.verticalScrollBar().value()
        height = scroller.viewport().height()
        return min(top + plot.height(), height) - max(top, 0) >= min(plot.height(), height) - 2

    qtbot.waitUntil(plot_in_view, timeout=2000)  # the dock scrolled to the plot that appeared
    bicubic = window.controller.store.metrics["bicubic"]["psnr_y"]
    labels = window.explorer.reference_line_labels()  # read against the baselines of the same run
    assert labels[0].endswith(f"{bicubic:.2f} dB") and "Bicubic" in labels[0] and len(labels) == 2, labels
    std = window.controller.store.results["std_map"]
    assert std.pixels.shape == (96, 96) and std.pixels.max() > 0
    assert "mean_draw" in window.controller.store.results
    with qtbot.waitSignal(window.controller.job_ended, timeout=60_000):  # the draw's own maps
        window.explorer.step.setValue(3)
    store = window.controller.store
    shown = store.results["irn_hr"]
    assert "draw 3" in shown.caption() and shown.metrics["psnr_y"] == store.studies["draws"].draws[3].psnr_y
    for kind in ("error:irn_hr", "signed:irn_hr", "flip:irn_hr"):  # the maps are the draw's, not the run's
        assert store.results[kind].provenance == shown.provenance and store.state_of(kind).current


def test_temperature_zero_is_deterministic_and_oracle_z_restores_the_input(window, qtbot):
    a = _restore(window, qtbot, temperature=0.0, seed=1)
    b = _restore(window, qtbot, temperature=0.0, seed=2)
    assert np.array_equal(a, b)
    hr = window.controller.store.results["hr"].pixels
    drawn = _restore(window, qtbot, temperature=1.0, oracle_z=False)
    oracle = _restore(window, qtbot, oracle_z=True)
    assert psnr(oracle, hr) > 40 > psnr(drawn, hr)
    assert "ORACLE z" in window.controller.store.results["irn_hr"].caption()
    assert window.controller.store.results["irn_hr"].provenance.latent == "oracle"


def test_jpeg_control_changes_the_result_and_the_curve_falls_with_quality(window, qtbot):
    window.controller.session.update_settings(temperature=0.0)
    lossless = _restore(window, qtbot)
    with qtbot.waitSignal(window.controller.run_finished, timeout=60_000):
        window.explorer.jpeg.setCurrentIndex(window.explorer.jpeg.findData(30))
    assert not np.array_equal(lossless, window.controller.store.results["irn_hr"].pixels)
    with qtbot.waitSignal(window.controller.study_finished, timeout=120_000):
        window.controller.session.jpeg_study(qualities=(None, 90, 50, 10))
    curves = window.controller.store.studies["jpeg"].points
    curve = sorted(curves["IRN"], reverse=True)  # lossless (101) first
    values = [v for _, v in curve]
    assert all(b <= a + 0.05 for a, b in zip(values, values[1:])) and values[0] > values[-1] + 0.3
    # the bundled JPEG-robust x2 gets its own curve beside IRN and the baseline
    assert set(curves) == {"IRN", "IRN JPEG-robust", "bicubic↓ + SR"}


def test_exports_never_overwrite(window, qtbot, tmp_path):
    c = window.controller.session
    saved = window.controller.job_ended
    out = tmp_path / "lr.png"
    with qtbot.waitSignal(saved, timeout=30_000):
        c.save_result("irn_lr", out)
    lr = read_image(out)
    assert lr.metadata["irn-studio:scale"] == "2" and lr.pixels.shape == (48, 48, 3)
    assert lr.metadata["irn-studio:original-bit-depth"] == "8"
    before = out.read_bytes()
    with qtbot.waitSignal(
        window.controller.message, timeout=30_000, check_params_cb=lambda level, _t: level == "error"
    ) as msg:
        c.save_result("irn_hr", out)
    assert "already exists" in msg.args[1] and out.read_bytes() == before
    for name, save in (
        (
            "fig.png",
            lambda p: c.save_figure(p, [("hr", "HR"), ("irn_hr", "IRN"), ("irn_lr", "LR")], ((0, 48), (0, 48))),
        ),
        ("m.csv", c.save_metrics),
        ("err.png", lambda p: c.save_result("error:irn_hr", p)),
    ):
        with qtbot.waitSignal(saved, timeout=30_000):
            save(tmp_path / name)
    figure = read_image(tmp_path / "fig.png").pixels
    assert figure.shape[1] > 3 * 200 and figure.shape[0] >= 256
    assert (tmp_path / "m.csv").read_text().startswith("method,psnr_y")
    # The LR saved by the app opens as an LR: restore-only mode with the scale from its metadata.
    assert lr.metadata["irn_studio:method"] == "irn" and lr.metadata["irn_studio:state"] == "current"
    assert window.open_path(str(out)) and window.store.lr_only and window.store.settings.scale == 2


def test_presentation_mode_and_help(window, qtbot):
    window.presentation.set(True)
    assert not window.toolbar.isVisible() and "18pt" in window.panes[0].caption.styleSheet()
    window.presentation.set(False)
    assert window.toolbar.isVisible()
    window.dialogs.show_help()  # over the whole window; any key closes it
    overlay = window.dialogs.help_box
    assert "presentation" in overlay.table.text() and overlay.geometry() == window.rect()
    assert overlay.text_fits()
    window.resize(1024, 700)  # the smallest window: the text shrinks or takes two columns, never cut off
    assert overlay.geometry() == window.rect() and overlay.text_fits()
    with qtbot.waitSignal(overlay.destroyed, timeout=2000):
        qtbot.keyClick(overlay, "x")
    window.dialogs.show_weights_info()
    text = window.dialogs.weights_box.text()
    assert "irn_x2.safetensors" in text and "PSNR-Y" not in text
    window.controller.session.set_weights(None)
    window.dialogs.show_weights_info()
    assert (
        "irn_x2.safetensors" in window.dialogs.weights_box.text() and "Set5 PSNR-Y" in window.dialogs.weights_box.text()
    )


@pytest.mark.slow
def test_demo_screenshot_with_the_bundled_weights(tmp_path, qapp):
    """--demo opens a sample with a x4 comparison computed, using the weights we ship."""
    from irn_core.io.checkpoints import bundled_weights_path
    from irn_studio.main import run

    assert bundled_weights_path(4) is not None, "resources/weights/irn_x4.safetensors must be shipped"
    out = tmp_path / "demo.png"
    assert run(["--demo", "--screenshot", str(out), "--timeout", "300"]) == 0
    shot = read_image(out).pixels
    screen = qapp.primaryScreen().availableGeometry()
    # The window fills most of the screen and never more (the offscreen screen is 800x600).
    assert 0.8 * screen.width() <= shot.shape[1] <= screen.width() and shot.shape[0] <= screen.height()
    assert shot.std() > 0.05


def test_editing_seed_or_scale_reruns_what_is_stale_once_after_a_pause(window, qtbot):
    controller, store = window.controller, window.store
    started = []
    store.changed.connect(
        lambda aspects: (
            "jobs" in aspects
            and [started.append(j.produces) for j in store.jobs.running("comparison") if j.generation not in seen]
            and seen.update(j.generation for j in store.jobs.running("comparison"))
        )
    )
    seen: set[int] = set(store.jobs.live)
    with qtbot.waitSignal(controller.run_finished, timeout=60_000):
        for seed in (4, 42, 421):  # typing "421" into the seed box
            window.explorer.seed.setValue(seed)
        assert controller.executor.is_pending("rerun") and store.state_of("irn_hr").stale
    assert len(started) == 1 and "irn_lr" not in started[0]  # one restore, not one per keystroke, no new downscale
    shown = store.results["irn_hr"]
    assert shown.provenance.settings.seed == 421 and not any(store.state_of(k).stale for k in store.results)
    with qtbot.waitSignal(controller.run_finished, timeout=120_000):
        controller.session.set_scale(
            4
        )  # the x2 weights cannot run x4: the rerun says so instead of showing stale panes
        qtbot.wait(800)
        controller.session.set_weights(None)  # the bundled x4
    assert store.results["irn_lr"].provenance.settings.scale == 4
    assert not any(store.state_of(k).stale for k in store.results)


def test_typing_digits_and_letters_in_a_number_field_fires_no_shortcut(window, qtbot):
    fired = []
    for action in (
        window.menu_actions.four_action,
        window.menu_actions.one_action,
        window.menu_actions.fit_action,
        window.menu_actions.new_draw_action,
    ):
        action.triggered.connect(lambda *a, name=action.text(): fired.append(name))
    seed = window.explorer.seed
    seed.setFocus()
    qtbot.waitUntil(seed.hasFocus, timeout=2000)
    seed.selectAll()
    qtbot.keyClicks(seed, "41")
    assert window.store.view.solo is None  # nor does a digit pick a pane
    qtbot.keyClicks(seed, "fn")  # not digits: rejected by the spin box, and no zoom or new draw either
    assert seed.value() == 41 and fired == []
    window.metrics_table.setFocus()  # away from the text field the same keys are shortcuts again
    qtbot.waitUntil(window.metrics_table.hasFocus, timeout=2000)
    qtbot.keyClick(window.metrics_table, "4", Qt.ControlModifier)
    assert fired == ["4:1"]


def test_blind_ab_test_hides_labels_tallies_picks_and_saves_its_csv(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt

    dialog = window.dialogs.start_blind_test(trials=4, seed=1)
    assert dialog is not None and set(dialog.test.kinds) == {"irn_hr", best_baseline_kind(window.store)}
    assert "IRN" not in dialog.prompt.text() and "Trial 1 of 4" in dialog.prompt.text()
    for _ in range(3):  # always the left one, with one slip taken back
        qtbot.keyClick(dialog, Qt.Key_Left)
    qtbot.keyClick(dialog, Qt.Key_Backspace)
    qtbot.keyClick(dialog, Qt.Key_Right)
    qtbot.keyClick(dialog, Qt.Key_Left)
    trials = dialog.test.trials
    assert [t.picked for t in trials] == ["left", "left", "right", "left"]
    expected = {k: sum(t.winner == k for t in trials) for k in dialog.test.kinds}
    assert dialog.test.tallies() == expected and sum(expected.values()) == 4
    assert dialog.prompt.text().startswith("Revealed") and dialog.save_button.isVisible()
    target = tmp_path / "blind.csv"
    monkeypatch.setattr(window.dialogs, "_ask_save_path", lambda *a: (str(target), False))
    dialog.save_button.click()  # a save job; another job (the view's region metrics) may end first
    qtbot.waitUntil(lambda: not window.store.busy("save") and target.exists(), timeout=10_000)
    assert target.read_text().startswith("trial,left,right,picked,winner")


def test_holding_h_shows_the_second_pane_in_the_first_until_released(window, qtbot):
    from PySide6.QtCore import Qt

    first, second = window.panes[0], window.panes[1]
    own, other = first.kind, second.kind
    window.metrics_table.setFocus()
    view_range = first.view.viewRange()
    qtbot.keyPress(window, Qt.Key_H)
    assert first.kind == other and first.view.viewRange() == view_range  # the image only, same place and zoom
    qtbot.keyRelease(window, Qt.Key_H)
    assert first.kind == own
    window.explorer.seed.setFocus()
    qtbot.waitUntil(window.explorer.seed.hasFocus, timeout=2000)
    qtbot.keyPress(window.explorer.seed, Qt.Key_H)  # typing in a field is never taken
    assert first.kind == own
