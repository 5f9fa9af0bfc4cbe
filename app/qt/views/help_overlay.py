"""The keyboard shortcuts as an overlay over the whole window (as in tev and games): readable from the back
of a room in presentation mode, gone at the next key press or click."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

MIN_POINT_SIZE = 8


def _table(rows: list[tuple[str, str]], point_size: int) -> str:
    cells = "".join(
        f"<tr><td align='right' style='padding-right:14px'><b>{html.escape(keys)}</b></td>"
        f"<td>{html.escape(what)}</td></tr>"
        for keys, what in rows
    )
    return f"<table style='font-size:{point_size}pt' cellspacing='3'>{cells}</table>"


def help_html(rows: list[tuple[str, str]], point_size: int, columns: int) -> str:
    """The shortcuts as rich text at ``point_size``, in ``columns`` side-by-side tables."""
    per_column = -(-len(rows) // columns)
    tables = "".join(
        f"<td valign='top' style='padding-right:36px'>{_table(rows[i : i + per_column], point_size)}</td>"
        for i in range(0, len(rows), per_column)
    )
    return (
        f"<p style='font-size:{point_size + 6}pt'><b>Keyboard shortcuts</b></p><table><tr>{tables}</tr></table>"
        f"<p style='color:#9aa0a6; font-size:{max(point_size - 2, MIN_POINT_SIZE)}pt'>any key or click closes this</p>"
    )


class HelpOverlay(QWidget):
    """A translucent cover of ``parent`` listing (keys, what they do); any key or click closes it. The
    text takes the largest size up to ``point_size`` (one column, else two) that fits the window."""

    def __init__(self, parent: QWidget, rows: list[tuple[str, str]], *, point_size: int = 13):
        super().__init__(parent)
        self.rows, self.point_size = rows, point_size
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.table = QLabel()
        self.table.setTextFormat(Qt.TextFormat.RichText)
        self.table.setStyleSheet("color: #e8eaed; background: transparent;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 0, Qt.AlignmentFlag.AlignCenter)
        parent.installEventFilter(self)  # follow the window's size
        self._fit()
        self.show()
        self.raise_()
        self.setFocus()

    def _fit(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        room = self.rect().adjusted(0, 0, -24, -24).size()
        for size in range(self.point_size, MIN_POINT_SIZE - 1, -1):
            for columns in (1, 2):
                self.table.setText(help_html(self.rows, size, columns))
                hint = self.table.sizeHint()
                if hint.width() <= room.width() and hint.height() <= room.height():
                    return

    def text_fits(self) -> bool:
        hint = self.table.sizeHint()
        return hint.width() <= self.width() and hint.height() <= self.height()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def paintEvent(self, _event) -> None:
        QPainter(self).fillRect(self.rect(), QColor(20, 21, 24, 225))

    def keyPressEvent(self, _event) -> None:
        self.close()

    def mousePressEvent(self, _event) -> None:
        self.close()
