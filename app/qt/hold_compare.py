"""Hold-to-compare (as in tev): while H is held, the first pane shows the second pane's result, in the
same place and zoom; releasing H shows its own again. Typing in a text or number field is never taken."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit

HOLD_KEY = Qt.Key_H


class HoldCompareMixin:
    """For MainWindow: key press/release handlers."""

    _held_kind: str | None = None

    def _typing(self) -> bool:
        return isinstance(QApplication.focusWidget(), (QLineEdit, QAbstractSpinBox, QComboBox))

    def keyPressEvent(self, event) -> None:
        if event.key() == HOLD_KEY and not event.isAutoRepeat() and not self._typing() and len(self.panes) >= 2:
            if self._held_kind is None:
                self._held_kind = self.panes[0].kind
                self.panes[0].set_kind(self.panes[1].kind)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == HOLD_KEY and not event.isAutoRepeat() and self._held_kind is not None:
            self.panes[0].set_kind(self._held_kind)
            self._held_kind = None
            return
        super().keyReleaseEvent(event)
