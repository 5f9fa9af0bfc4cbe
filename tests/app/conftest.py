"""App tests create and close many windows in one process."""

import gc

import pytest


@pytest.fixture(autouse=True)
def collect_closed_windows_in_the_gui_thread():
    """Collect each test's closed windows here, in the GUI thread. Left to a collection that runs in another
    thread (a job's, or the FLIP process's manager thread), PySide defers their deletion to the GUI thread and
    deletes them there with the GIL held; a worker that is emitting a signal then holds the Qt lock the
    deletion waits for, while it waits for the GIL itself, and both hang (seen once in a full run)."""
    yield
    gc.collect()
