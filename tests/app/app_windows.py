"""What the app's window tests share: a random x2 IRN weights file, the astronaut's face as a PNG, and an
offscreen MainWindow with them that asks no modal questions."""

from __future__ import annotations

import numpy as np
from conftest import randomize
from PySide6.QtCore import QSettings
from skimage import data

from irn_core import build_irn, save_irn, write_png


def random_x2_weights(folder, name: str = "irn_x2.safetensors") -> str:
    return str(save_irn(randomize(build_irn(2), std=0.01), folder / name, half=False))


def face_png(folder) -> str:
    """A 96x96 crop of the astronaut (her face), written as a PNG in ``folder``."""
    return str(write_png(folder / "face.png", data.astronaut()[40:136, 170:266].astype(np.float32) / 255))


def make_window(qtbot, folder, weights: str, *, size: tuple[int, int] | None = None):
    """A shown MainWindow with its own settings file in ``folder`` and ``weights`` chosen."""
    from irn_studio.qt.window import MainWindow

    win = MainWindow(settings=QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    win.confirm = lambda _title, _text: True  # no modal questions in tests
    win.controller.session.set_weights(weights)
    qtbot.addWidget(win)
    if size is not None:
        win.resize(*size)
    win.show()
    return win
