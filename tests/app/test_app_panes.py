"""The app's panes, offscreen: what an empty pane says, equal panes in every layout and the screenshot's record
of them, error maps' colour bar and shared scale, flicker, and the presentation mode."""

import pytest
from app_windows import face_png, make_window, random_x2_weights
from test_app import run_to_end

pytest.importorskip("pytestqt")


@pytest.fixture
def window(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path, random_x2_weights(tmp_path), size=(900, 700))
    yield win
    win.controller.shutdown()


@pytest.fixture
def image_path(tmp_path):
    return face_png(tmp_path)


def test_empty_panes_say_what_to_do(window, image_path):
    assert all(p.empty_text.textItem.toPlainText().startswith("Open an image (Ctrl+O)") for p in window.panes)
    window.open_path(image_path)
    irn = next(p for p in window.panes if p.kind == "irn_hr")
    assert irn.empty_text.textItem.toPlainText() == "IRN restored: not computed yet (Run, Ctrl+R)"


@pytest.mark.parametrize("layout", ["1x2", "1x3", "2x2"])
def test_panes_of_a_layout_are_equal_and_the_screenshot_json_says_what_each_shows(
    window, image_path, qtbot, tmp_path, layout
):
    import json

    window.open_path(image_path)
    window.set_layout(layout)
    run_to_end(window, qtbot)
    other = [p for p in window.panes if p.kind != "irn_hr"][-1]
    other.set_kind("error:irn_hr")  # an error map's colour bar must not shrink its pane
    qtbot.wait(50)
    window.grab_screenshot(tmp_path / "shot.png")
    record = json.loads((tmp_path / "shot.json").read_text())
    assert record["layout"] == layout and len(record["panes"]) == len(window.panes)
    sizes = [pane["rect"][2:] for pane in record["panes"]]
    for w, h in sizes:
        assert abs(w - sizes[0][0]) <= 2 and abs(h - sizes[0][1]) <= 2, sizes
    irn = next(p for p in record["panes"] if p["kind"] == "irn_hr")
    assert irn["provenance"]["seed"] == 0 and irn["provenance"]["oracle_z"] is False and irn["stale"] is False
    assert irn["provenance"]["lr_storage"] == "lossless" and len(irn["provenance"]["weights_fingerprint"]) == 16
    assert irn["metrics"]["psnr_y"] == pytest.approx(window.controller.store.metrics["irn_hr"]["psnr_y"])


def test_error_maps_share_one_scale_in_levels(window, image_path, qtbot):
    window.open_path(image_path)
    window.set_layout("1x3")
    run_to_end(window, qtbot)
    for pane, kind in zip(window.panes, ["hr", "error:irn_hr", "error:bicubic"]):
        pane.set_kind(kind)
    results = window.controller.store.results
    tops = [results[k].top_level() for k in ("error:irn_hr", "error:bicubic")]
    assert tops[0] != tops[1]  # each alone would get its own scale...
    levels = [tuple(p.colorbar.levels()) for p in window.panes[1:]]
    assert levels[0] == levels[1] == (0, max(tops))  # ...shown, they share the larger one
    assert "8-bit levels" in window.panes[1].colorbar.axis.labelText
    assert results["error:bicubic"].display.max() > 1  # in levels, not in [0, 1]


def test_flicker_swaps_only_the_image_and_never_moves_or_zooms_it(window, image_path, qtbot):
    window.open_path(image_path)
    window.set_layout("1x2")
    run_to_end(window, qtbot)
    window.panes[0].view.setRange(xRange=(20, 60), yRange=(20, 60), padding=0)
    qtbot.wait(50)
    before = (window.panes[0].view.viewRange(), window.panes[0].view.sceneBoundingRect())
    kinds = []
    window.hold.toggle_flicker(True)
    for _ in range(20):
        window.hold._flicker_step()
        kinds.append(window.panes[0].kind)
        qtbot.wait(5)
    window.hold.toggle_flicker(False)
    assert set(kinds) == {"hr", "irn_hr"}
    assert (window.panes[0].view.viewRange(), window.panes[0].view.sceneBoundingRect()) == before


def test_presentation_shows_irn_against_the_best_baseline_inside_a_1280x720_screen(window, image_path, qtbot):
    window.open_path(image_path)
    run_to_end(window, qtbot)
    session = window.store
    best = max(("bicubic", "lanczos", "sr"), key=lambda k: session.metrics.get(k, {}).get("psnr_y", -1))
    window.screen().geometry()  # offscreen platform: one screen; full screen takes all of it
    window.presentation.set(True)
    qtbot.wait(50)
    screen = window.screen().geometry()
    assert window.menu_actions.layout_combo.currentText() == "1x2" and [p.kind for p in window.panes] == [
        "irn_hr",
        best,
    ]
    assert not window.metrics_dock.isVisible() and not window.explorer_dock.isVisible()
    assert not window.toolbar.isVisible() and not window.status.info_label.isVisible()
    for pane in window.panes:
        top_left = pane.mapTo(window, pane.rect().topLeft())
        assert top_left.x() >= 0 and top_left.y() >= 0
        assert top_left.x() + pane.width() <= screen.width() and top_left.y() + pane.height() <= screen.height()
    assert abs(window.panes[0].width() - window.panes[1].width()) <= 2
    window.presentation.set(False)
    assert window.menu_actions.layout_combo.currentText() == "2x2" and window.metrics_dock.isVisible()
    assert window.toolbar.isVisible()


def test_error_map_pane_has_one_labelled_colour_bar(window, image_path, qtbot):
    window.open_path(image_path)
    run_to_end(window, qtbot)
    pane = window.panes[0]
    pane.set_kind("error:irn_hr")
    bar = pane.colorbar
    assert bar.isVisible()
    labels = [bar.getAxis(side).labelText for side in ("left", "right", "top", "bottom")]
    assert [text for text in labels if text] == ["|x − HR| (8-bit levels)"]
