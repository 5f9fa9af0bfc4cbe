"""The keyboard shortcuts as an overlay over the whole window (as in tev and games): readable from the back
of a room in presentation mode, gone at the next key press or click."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class HelpOverlay(QWidget):
    """A translucent cover of ``parent`` listing (keys, what they do); any key or click closes it."""

    def __init__(self, parent: QWidget, rows: list[tuple[str, str]], *, point_size: int = 13):
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.setFocusPolicy(Qt.StrongFocus)
        cells = "".join(
            f"<tr><td align='right' style='padding-right:18px'><b>{html.escape(keys)}</b></td>"
            f"<td>{html.escape(what)}</td></tr>"
            for keys, what in rows
        )
        self.table = QLabel(
            f"<p style='font-size:{point_size + 6}pt'><b>Keyboard shortcuts</b></p>"
            f"<table style='font-size:{point_size}pt' cellspacing='4'>{cells}</table>"
            f"<p style='color:#9aa0a6; font-size:{point_size - 2}pt'>any key or click closes this</p>"
        )
        self.table.setTextFormat(Qt.RichText)
        self.table.setStyleSheet("color: #e8eaed; background: transparent;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 0, Qt.AlignCenter)
        parent.installEventFilter(self)  # follow the window's size
        self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.setFocus()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def paintEvent(self, _event) -> None:
        QPainter(self).fillRect(self.rect(), QColor(20, 21, 24, 225))

    def keyPressEvent(self, _event) -> None:
        self.close()

    def mousePressEvent(self, _event) -> None:
        self.close()
