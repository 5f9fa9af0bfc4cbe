"""A test's closed windows are destroyed at its own teardown (tests/conftest.py), not in the next test's event
loop while that test's jobs run: the two tests below run in this order, the second looking at the first's
window before any event loop of its own."""

import weakref

import pytest

pytest.importorskip("pytestqt")
pytestmark = pytest.mark.slow  # both or neither: the second looks at what the first left

_first_window: list[weakref.ref] = []


def test_a_window_closed_by_its_test(qtbot, tmp_path):
    from app_windows import make_window, random_x2_weights

    win = make_window(qtbot, tmp_path, random_x2_weights(tmp_path))
    _first_window.append(weakref.ref(win))
    assert win.isVisible()


def test_is_destroyed_before_the_next_test_runs():
    import shiboken6

    if not _first_window:
        pytest.skip("looks at the window of test_a_window_closed_by_its_test, which did not run first")
    win = _first_window[0]()
    assert win is None or not shiboken6.isValid(win), "the previous test's window is still alive"
