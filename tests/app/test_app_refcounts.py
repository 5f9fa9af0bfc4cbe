"""PySide6 6.12 drops a reference to True/False for every Python bool sent through a Python-defined
signal (found here: it crashed the interpreter at exit). Our signals must carry no bools."""

import gc
import sys

import numpy as np
from conftest import randomize
from PySide6.QtCore import QSettings
from skimage import data

from irn_core import build_irn, save_irn, write_png


def test_a_run_and_a_cancel_leave_bool_refcounts_alone(qtbot, tmp_path):
    from irn_studio.qt.window import MainWindow

    weights = save_irn(randomize(build_irn(2), std=0.01), tmp_path / "w.safetensors", half=False)
    win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    win.confirm = lambda _title, _text: True  # no modal questions in tests
    qtbot.addWidget(win)
    win.controller.session.set_weights(str(weights))
    win.open_path(str(write_png(tmp_path / "a.png", data.astronaut()[:64, :64].astype(np.float32) / 255)))
    before = None
    for cycle in range(4):
        if cycle == 1:  # after a warm-up cycle, whose first results legitimately replace older objects
            gc.collect()  # objects of earlier tests' windows that held a bool are freed now, not mid-test
            before = sys.getrefcount(True), sys.getrefcount(False)
        with qtbot.waitSignal(win.controller.run_finished, timeout=60_000):
            win.menu_actions.run_action.trigger()
        win.controller.session.run()
        win.menu_actions.cancel_action.trigger()
        win.controller.pool.waitForDone(30_000)
        qtbot.wait(50)
        win.panes[0].view.setRange(xRange=(0, 20 + cycle), yRange=(0, 20 + cycle))
        win.toggle_split(True)
        win.toggle_split(False)
    gc.collect()
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert after[0] >= before[0] - 2 and after[1] >= before[1] - 2, (before, after)
    win.controller.shutdown()
