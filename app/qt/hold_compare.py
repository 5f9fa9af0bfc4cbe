"""Hold-to-compare (as in tev) and flicker: the first pane shows the second pane's result in the same place
and zoom while H is held, or every half second. Both are the store's ``swapped`` view flag.

H is a window shortcut, so it works whatever widget of the window has focus, and Qt gives a text or number
field the key first, so typing is never taken. Only while H is held does an application event filter
watch for its release (a filter on every event of the application would slow every event)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from .host import Host

FLICKER_MS = 500


class HoldToCompare(QObject):
    def __init__(self, window: Host):
        super().__init__(window.as_widget())
        self.window = window
        self.flicker_timer = QTimer(self, interval=FLICKER_MS)
        self.flicker_timer.timeout.connect(self._flicker_step)
        self.shortcut = QShortcut(QKeySequence("H"), window.as_widget())
        self.shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcut.setAutoRepeat(False)
        self.shortcut.activated.connect(self._pressed)
        self._holding = False

    def _swap(self, on: bool) -> None:
        if self.window.store.view.pane_count >= 2:
            self.window.session.set_view(swapped=on)

    def _pressed(self) -> None:
        app = QApplication.instance()
        if self._holding or app is None:
            return
        self._holding = True
        app.installEventFilter(self)
        self._swap(True)

    def release(self) -> None:
        app = QApplication.instance()
        if not self._holding:
            return
        self._holding = False
        if app is not None:
            app.removeEventFilter(self)
        self._swap(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyRelease and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_H and not event.isAutoRepeat():
                self.release()
                return True
        elif kind == QEvent.Type.WindowDeactivate:  # H released elsewhere: never stay swapped
            self.release()
        return False

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
        self.release()
