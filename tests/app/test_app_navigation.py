"""Where the panes look: one pane alone by its number, the LR at its own pixel size, the labelled swipe."""

import pytest
from app_windows import face_png, make_window, random_x2_weights

pytest.importorskip("pytestqt")


@pytest.fixture
def window(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path, random_x2_weights(tmp_path), size=(1000, 700))
    win.open_path(face_png(tmp_path))
    with qtbot.waitSignal(win.controller.run_finished, timeout=120_000):
        assert win.controller.session.run()
    yield win
    win.controller.shutdown()


def _view_state(view):
    from irn_studio.qt.geometry import centre_of, zoom_of

    return zoom_of(view), centre_of(view)


def test_a_number_key_shows_that_pane_alone_at_the_same_zoom_and_again_shows_all(window, qtbot):
    window.set_layout("2x2")
    qtbot.wait(50)
    window.navigation.look_at(40, 50, 3.0)
    qtbot.wait(50)
    zoom, (row, col) = _view_state(window.panes[0].view)
    qtbot.keyClick(window.metrics_table, "3")
    qtbot.wait(50)
    third = window.panes[2]
    assert [p.isVisible() for p in window.panes] == [False, False, True, False]
    assert third.width() > window.panes[0].width() * 1.5  # it has the whole comparison area
    solo_zoom, (solo_row, solo_col) = _view_state(third.view)
    assert solo_zoom == pytest.approx(zoom, rel=0.01)
    assert (solo_row, solo_col) == pytest.approx((row, col), abs=0.5)
    qtbot.keyClick(window.metrics_table, "3")
    qtbot.wait(50)
    assert all(p.isVisible() for p in window.panes)
    back_zoom, centre = _view_state(window.panes[0].view)
    assert back_zoom == pytest.approx(zoom, rel=0.01) and centre == pytest.approx((row, col), abs=0.5)
    qtbot.keyClick(window.metrics_table, "2")
    window.set_layout("1x2")  # another layout shows every pane again
    assert window.store.view.solo is None
    qtbot.waitUntil(lambda: all(p.isVisible() for p in window.panes), timeout=2000)


def test_digits_typed_into_the_seed_box_pick_no_pane(window, qtbot):
    window.explorer.seed.setFocus()
    qtbot.waitUntil(window.explorer.seed.hasFocus, timeout=2000)
    window.explorer.seed.selectAll()
    qtbot.keyClicks(window.explorer.seed, "2")
    assert window.store.view.solo is None and all(p.isVisible() for p in window.panes)


def test_l_shows_one_lr_pixel_per_screen_pixel_with_the_lr_aligned_to_the_hr(window, qtbot):
    qtbot.keyClick(window.metrics_table, "l")
    qtbot.wait(450)
    assert window.status.zoom_label.text() == "zoom 1:2"  # x2: one HR pixel on half a screen pixel
    lr_pane = window.panes[1]
    lr_pane.set_kind("irn_lr")
    assert lr_pane.image_size() == window.panes[0].image_size() == (96, 96)  # covers the HR it stands for


def test_swipe_has_a_handle_and_labels_both_sides(window, qtbot):
    window.set_layout("1x2")
    qtbot.keyClick(window.metrics_table, "s")
    pane = window.panes[0]
    assert pane.split.line.markers  # the handle
    left, right = pane.split_label_texts()
    assert "Original" in left and "IRN" in right, (left, right)
    pane.split.line.setValue(70)
    assert pane.split.labels[0].pos().x() == pytest.approx(70) == pane.split.labels[1].pos().x()
    qtbot.keyClick(window.metrics_table, "s")
    assert pane.split.labels[0].scene() is None and pane.split.line.scene() is None


def test_the_demo_looks_first_where_irn_and_bicubic_differ_most_at_2_to_1(window, qtbot):
    from irn_core.analysis.compare import largest_difference
    from irn_studio.control.focus import FOCUS_WINDOW

    session = window.store
    assert window.navigation.focus_largest_difference()
    qtbot.wait(450)
    expected = largest_difference(
        session.results["irn_hr"].pixels, session.results["bicubic"].pixels, window=FOCUS_WINDOW
    )
    zoom, centre = _view_state(window.panes[0].view)
    assert zoom == pytest.approx(2.0, rel=0.01) and centre == pytest.approx(expected, abs=0.5)
    assert window.status.zoom_label.text() == "zoom 2:1"
    window.controller.session.set_scale(4)  # the results go stale: no focus on an out-of-date comparison
    assert not window.navigation.focus_largest_difference()


def test_a_jump_the_store_asked_for_is_reported_at_once_and_a_users_move_once_it_rests(window, qtbot, monkeypatch):
    """The region in view is what region passes compute first: a jump (zoom at, a key, a script) reports it on
    the next turns of the event loop; a drag or wheel, whose range changes at every event, once it rests (a
    long rest here, so that only the jump's own path can report within the test)."""
    from irn_studio.qt.views import pane_grid

    grid, store = window.pane_grid, window.store
    qtbot.waitUntil(lambda: not grid._report_timer.isActive(), timeout=5_000)
    monkeypatch.setattr(pane_grid, "REPORT_DELAY_MS", 60_000)
    grid._report_timer.setInterval(60_000)
    before = store.view.region
    window.navigation.look_at(40, 50, 8.0)  # a region a fraction of the image's
    qtbot.waitUntil(lambda: store.view.region != before, timeout=5_000)
    assert store.view.region == window.panes[0].visible_region() and store.view.zoom == 8.0
    lead = window.panes[0].view
    (x0, x1), (y0, y1) = lead.viewRange()
    lead.setRange(xRange=(x0 + 5, x1 + 5), yRange=(y0, y1), padding=0)  # as a drag moves it
    assert grid._report_timer.isActive() and grid._report_timer.remainingTime() > 50_000
