"""Hold-to-compare (as in tev) and flicker: the first pane shows the second pane's result in the same place
and zoom while H is held, or every half second. H works whatever widget of the window has focus, except
while typing in a text or number field. Both are the store's ``swapped`` view flag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit

if TYPE_CHECKING:
    from .window import MainWindow

HOLD_KEY = Qt.Key.Key_H
FLICKER_MS = 500


def typing_in_a_field() -> bool:
    return isinstance(QApplication.focusWidget(), (QLineEdit, QAbstractSpinBox, QComboBox))


class HoldToCompare(QObject):
    """An application event filter, so the key is seen before any focused child widget takes it."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.flicker_timer = QTimer(self, interval=FLICKER_MS)
        self.flicker_timer.timeout.connect(self._flicker_step)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        window.destroyed.connect(self.stop)

    def _swap(self, on: bool) -> None:
        if self.window.store.view.pane_count >= 2:
            self.window.session.set_view(swapped=on)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        try:
            if not self.window.isActiveWindow():
                return False
        except RuntimeError:  # the window is gone
            return False
        if event.key() != HOLD_KEY or event.isAutoRepeat() or typing_in_a_field():  # type: ignore[attr-defined]
            return False
        if watched is not QApplication.focusWidget() and watched is not self.window:
            return False  # the same key event passes each parent; act on it once
        self._swap(kind == QEvent.Type.KeyPress)
        return True

    def toggle_flicker(self, checked: bool | None = None) -> None:
        action = self.window.flicker_action
        checked = action.isChecked() if checked is None else checked
        if checked and self.window.store.view.pane_count >= 2:
            self.flicker_timer.start()
        else:
            self.flicker_timer.stop()
            action.setChecked(False)
            self._swap(False)

    def _flicker_step(self) -> None:
        self._swap(not self.window.store.view.swapped)

    def stop(self) -> None:
        self.flicker_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
