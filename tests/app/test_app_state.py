"""What the window shows after each defect of 0.5.0 the store fixed: current, or visibly out of date."""

import json

import numpy as np
import pytest
from app_windows import make_window, random_x2_weights
from conftest import randomize

from irn_core import build_irn, read_image, save_irn, write_png

pytest.importorskip("pytestqt")
BACKGROUND = np.array([0x20, 0x21, 0x24])


@pytest.fixture
def weights2(tmp_path):
    return random_x2_weights(tmp_path)


@pytest.fixture
def window(qtbot, tmp_path, weights2):
    win = make_window(qtbot, tmp_path, weights2, size=(1280, 720))
    qtbot.waitUntil(lambda: win.store.settings.weights == weights2, timeout=30_000)
    yield win
    win.controller.shutdown()


def stripes(tmp_path, w=300, h=200, name="zebra.png"):
    x = np.arange(w)[None, :, None] / w
    y = np.arange(h)[:, None, None] / h
    pixels = np.clip(0.5 + 0.4 * np.sin(x * 40 + y * 3) * np.array([1, 0.6, 0.3]), 0.3, 1).astype(np.float32)
    return str(write_png(tmp_path / name, np.broadcast_to(pixels, (h, w, 3)).copy()))


def run_to_end(window, qtbot):
    with qtbot.waitSignal(window.controller.run_finished, timeout=120_000):
        assert window.session.run()
    qtbot.waitUntil(window.controller.idle, timeout=30_000)


def test_fit_fills_the_pane_and_the_record_matches_the_picture(window, qtbot, tmp_path):
    window.set_layout("1x3")
    window.open_path(stripes(tmp_path))
    run_to_end(window, qtbot)
    window.grab_screenshot(tmp_path / "s.png")
    record = json.loads((tmp_path / "s.json").read_text())
    shot = (read_image(tmp_path / "s.png").pixels * 255).round().astype(int)
    for pane in record["panes"]:
        x, y, w, h = pane["rect"]
        limiting = min(w / 300, h / 200)
        assert pane["zoom"] == pytest.approx(limiting, rel=0.01)  # Fit: the limiting side fills the pane
        area = shot[y - 3 : y + h + 3, x - 3 : x + w + 3]
        drawn = np.argwhere(np.abs(area - BACKGROUND).sum(axis=2) > 12)
        (top, left), (bottom, right) = drawn.min(axis=0) - 3, drawn.max(axis=0) - 3 + 1
        assert abs((right - left) - round(300 * limiting)) <= 2 and abs((bottom - top) - round(200 * limiting)) <= 2
        assert -2 <= left and right <= w + 2 and -2 <= top and bottom <= h + 2  # inside the recorded rectangle


def test_a_rerun_keeps_the_old_result_up_marked_stale_greyed_and_never_best(window, qtbot, tmp_path):
    window.open_path(stripes(tmp_path, 96, 64))
    run_to_end(window, qtbot)
    window.session.update_settings(oracle_z=True)  # as the checkbox does; the rerun waits for a pause
    irn = next(p for p in window.panes if p.kind == "irn_hr")
    assert irn.badge.isVisibleTo(window) and "oracle_z changed" in irn.badge.text()
    labels = window.metrics_table.row_labels()
    row = labels.index("IRN restored (out of date)")
    assert window.metrics_table.item(row, 0).font().bold() is False
    window.session.cancel()  # cancelled or not yet started: it stays marked, for good
    window.controller.executor.stop_later("rerun")
    qtbot.wait(50)
    assert irn.badge.isVisibleTo(window) and window.store.state_of("irn_hr").stale


def test_a_draw_shown_replaces_its_maps_and_its_flip(window, qtbot, tmp_path):
    window.open_path(stripes(tmp_path, 96, 64))
    run_to_end(window, qtbot)
    window.set_layout("1x2")
    window.session.set_view(kinds=("irn_hr", "flip:irn_hr"))
    run_flip = window.store.results["flip:irn_hr"].metrics["flip"]
    with qtbot.waitSignal(window.controller.study_finished, timeout=120_000):
        window.session.sample(3)
    with qtbot.waitSignal(window.controller.job_ended, timeout=60_000):
        window.session.show_draw(2)
        flip_pane = window.panes[1]  # until the draw's own map arrives, the old one says it is not the draw's
        assert flip_pane.badge.isVisibleTo(window) and "earlier result" in flip_pane.badge.text()
    qtbot.waitUntil(lambda: not window.panes[1].badge.isVisibleTo(window), timeout=10_000)
    store = window.store
    draw_flip = store.results["flip:irn_hr"].metrics["flip"]
    assert draw_flip != run_flip and store.results["flip:irn_hr"].provenance.draw_index == 2
    assert store.metrics["irn_hr"]["flip"] == draw_flip  # the metrics row's FLIP is the draw's


def test_a_scale_change_marks_the_curves_out_of_date_on_the_plot(window, qtbot, tmp_path):
    window.open_path(stripes(tmp_path, 96, 64))
    run_to_end(window, qtbot)
    with qtbot.waitSignal(window.controller.study_finished, timeout=120_000):
        window.session.temperature_study(temperatures=(0.0, 1.0), draws=1)
    plot = window.explorer.temperature_plot
    assert "OUT OF DATE" not in plot.plotItem.titleLabel.text
    window.session.update_settings(scale=4)
    window.controller.executor.stop_later("rerun")
    assert "OUT OF DATE: scale changed" in plot.plotItem.titleLabel.text
    curve = window.explorer.curves[("temperature", "IRN")]
    assert curve.opts["pen"].style() != curve.opts["pen"].style().SolidLine
    window.grab_screenshot(tmp_path / "s.png")
    record = json.loads((tmp_path / "s.json").read_text())
    assert [c["stale"] for c in record["curves"]] == [True] and record["settings"]["scale"] == 4


def test_the_view_survives_full_screen_layouts_and_reruns(window, qtbot, tmp_path):
    window.open_path(stripes(tmp_path, 96, 64))
    run_to_end(window, qtbot)
    window.navigation.look_at(30.0, 40.0, 3.0)
    window.batch_dock.raise_()  # the folder tab on top, not the explorer's
    qtbot.wait(300)
    for change in (lambda: window.presentation.set(True), lambda: window.presentation.set(False),
                   lambda: window.set_layout("1x3"), lambda: window.session.resample(seed=3)):  # fmt: skip
        change()
        qtbot.wait(400)
        from irn_studio.qt.geometry import centre_of, zoom_of

        lead = window.pane_grid.leading_view()
        assert zoom_of(lead) == pytest.approx(3.0, rel=0.01) and centre_of(lead) == pytest.approx((30, 40), abs=0.5)
    assert not window.batch_dock.visibleRegion().isEmpty() and window.explorer_dock.visibleRegion().isEmpty()


def test_weights_then_an_sr_model_keeps_both_and_every_save_reports(window, qtbot, tmp_path, weights2):
    from irn_core.io.checkpoints import save_sr
    from irn_core.nn.sr import CompactSR

    other = save_irn(randomize(build_irn(2), std=0.01, seed=5), tmp_path / "other.safetensors", half=False)
    sr = save_sr(CompactSR(scale=2), tmp_path / "sr_x2.safetensors")
    window.session.set_weights(str(other))
    window.session.set_sr_model(str(sr))  # its own slot: the weights check goes on
    qtbot.waitUntil(lambda: not window.controller.checking_model, timeout=30_000)
    assert window.store.settings.weights == str(other) and window.store.settings.sr_model == str(sr)
    window.open_path(stripes(tmp_path, 96, 64))
    run_to_end(window, qtbot)
    messages = []
    window.controller.message.connect(lambda level, text: messages.append((level, text)))
    (tmp_path / "taken.png").write_bytes(b"x")
    window.session.save_result("irn_hr", tmp_path / "a.png")
    window.session.save_result("irn_hr", tmp_path / "taken.png")  # a second save never drops the first
    qtbot.waitUntil(lambda: not window.store.busy("save"), timeout=30_000)
    texts = [t for _, t in messages]
    assert "saved a.png" in texts and any("already exists" in t for t in texts)
    saved = read_image(tmp_path / "a.png").metadata
    assert saved["irn_studio:seed"] == "0" and saved["irn_studio:weights"] == "other.safetensors"
    assert saved["irn_studio:lr_storage"] == "lossless" and len(saved["irn_studio:weights_fingerprint"]) == 16


def test_opening_another_image_asks_first_and_a_long_job_from_one_key_asks(window, qtbot, tmp_path):
    window.open_path(stripes(tmp_path, 96, 64))
    run_to_end(window, qtbot)
    asked = []
    window.confirm = lambda title, text: asked.append(title) or False
    assert not window.open_path(stripes(tmp_path, 80, 60, "other.png"))  # refused: the comparison stays
    assert asked == ["Open another image?"] and "irn_hr" in window.store.results
    window.store.timings["irn_hr"] = 20.0  # as a 12 MP photo takes
    window.sample_from_key()
    assert asked[-1] == "Sample draws?" and not window.store.busy("study")


@pytest.mark.slow
def test_a_script_gives_the_same_record_twice_and_a_bad_command_is_one_line(tmp_path, weights2, qapp, capsys):
    from irn_studio.main import run

    image = stripes(tmp_path, 96, 64)
    script = ("scale 2; seed 3; temperature 0.8; oracle on; oracle off; draws 3; show-draw 2; layout 2x2; "
              "pane 3 flip:irn_hr; zoom 4 at 40,30")  # fmt: skip
    records = []
    for name in ("a.png", "b.png"):
        code = run([image, "--weights", weights2, "--do", script, "--screenshot", str(tmp_path / name)])
        assert code == 0
        record = json.loads((tmp_path / name).with_suffix(".json").read_text())
        assert all(p["visible_computed"] and p.pop("visible_ready_s") >= 0 for p in record["panes"])
        records.append(record)  # the same, but for how long things took
    assert records[0] == records[1]
    panes = records[0]["panes"]
    assert [p["kind"] for p in panes] == ["hr", "irn_hr", "flip:irn_hr", "sr"]
    assert all(p["state"] == "current" and p["zoom"] == 4.0 for p in panes)
    assert panes[1]["provenance"]["draw"] == 2 and records[0]["shown_draw"] == 2
    capsys.readouterr()
    assert run([image, "--do", "scale 4; explode 3", "--screenshot", str(tmp_path / "c.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown command 'explode'" in err[0] and "show-draw" in err[0]


def test_a_large_photo_is_decoded_in_a_worker_and_a_run_asked_meanwhile_follows(window, qtbot, tmp_path, monkeypatch):
    import threading

    from irn_studio.control import session as session_module
    from irn_studio.control import tasks

    monkeypatch.setattr(session_module, "BACKGROUND_OPEN_PIXELS", 1000)  # 96x64 counts as large here
    decoded_on = []
    real = tasks.open_image
    monkeypatch.setattr(
        tasks, "open_image", lambda ctx, *, path: decoded_on.append(threading.current_thread()) or real(ctx, path=path)
    )
    assert window.open_path(stripes(tmp_path, 96, 64))
    assert window.store.image is None and window.store.busy("open")  # returned at once; decoding goes on
    assert window.session.run()  # asked while decoding: runs once the photo is open
    with qtbot.waitSignal(window.controller.run_finished, timeout=120_000):
        pass
    assert window.store.image.pixels.shape == (64, 96, 3) and decoded_on[0] is not threading.main_thread()
