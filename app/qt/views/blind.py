"""The blind A/B test window: two results side by side without labels, ← or → picks the better one,
Backspace takes a pick back; after the last trial the methods are revealed with their tallies."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout

from ...model.blind import BlindTest

PICK_KEYS = {Qt.Key.Key_Left: "left", Qt.Key.Key_Right: "right"}


def _pixmap(display: np.ndarray) -> QPixmap:
    """(h, w, 3) uint8 sRGB -> QPixmap (copied: the array may go away)."""
    rgb = np.ascontiguousarray(display)
    image = QImage(rgb.data, rgb.shape[1], rgb.shape[0], 3 * rgb.shape[1], QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


class BlindDialog(QDialog):
    """Runs a BlindTest on the visible region of the session's results. ``save_requested`` carries the
    CSV when the user asks to save it."""

    save_requested = Signal(str)

    def __init__(self, session, test: BlindTest, region=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Blind A/B test")
        self.test = test
        (r0, r1), (c0, c1) = region or ((0, None), (0, None))
        self.pixmaps = {kind: _pixmap(session.results[kind].display[r0:r1, c0:c1]) for kind in test.kinds}
        self.prompt = QLabel()
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setStyleSheet("font-size: 14pt;")
        self.sides = {side: QLabel() for side in ("left", "right")}
        images = QHBoxLayout()
        for view in self.sides.values():
            view.setAlignment(Qt.AlignmentFlag.AlignCenter)
            view.setMinimumSize(200, 200)
            view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            view.setStyleSheet("background: #202124;")
            images.addWidget(view, 1)
        self.left_button = QPushButton("← Left looks better")
        self.right_button = QPushButton("Right looks better →")
        self.save_button = QPushButton("Save CSV…")
        self.save_button.setVisible(False)
        self.left_button.clicked.connect(lambda: self.pick("left"))
        self.right_button.clicked.connect(lambda: self.pick("right"))
        self.save_button.clicked.connect(lambda: self.save_requested.emit(self.test.csv()))
        buttons = QHBoxLayout()
        for button in (self.left_button, self.right_button, self.save_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the arrow keys belong to the test, not to a button
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(images, 1)
        layout.addLayout(buttons)
        self.resize(1100, 650)
        self._show_trial()

    def pick(self, side: str) -> None:
        if not self.test.done:
            self.test.pick(side)
            self._show_trial()

    def keyPressEvent(self, event) -> None:
        if event.key() in PICK_KEYS:
            self.pick(PICK_KEYS[event.key()])
        elif event.key() == Qt.Key.Key_Backspace:
            self.test.undo()
            self._show_trial()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._show_trial()

    def _show_trial(self) -> None:
        trial = self.test.current()
        if trial is None:
            self.prompt.setText(f"Revealed — picked as better: {self.test.summary()}")
            for view in self.sides.values():
                view.clear()
            self.sides["left"].setText(self.test.summary().replace(" · ", "\n"))
            self.sides["left"].setStyleSheet("background: #202124; color: white; font-size: 16pt;")
            for button in (self.left_button, self.right_button):
                button.setEnabled(False)
            self.save_button.setVisible(True)
            return
        number, total = self.test.index + 1, len(self.test.trials)
        self.prompt.setText(f"Trial {number} of {total}: which looks better?   ← left · right →   (Backspace: undo)")
        for side, kind in (("left", trial.left), ("right", trial.right)):
            view = self.sides[side]
            view.setPixmap(
                self.pixmaps[kind].scaled(
                    view.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
                )
            )
