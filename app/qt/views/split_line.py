"""The split (swipe) line of a pane: a draggable vertical line with a handle, and the names of the kinds on
either side of it, kept at its top as the view moves."""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg

from ...model.kinds import KINDS


class SplitLine:
    """Added to ``view`` while a split is shown; ``on_moved()`` is called when the user drags it."""

    def __init__(self, view: pg.ViewBox, on_moved: Callable[[], None]):
        self.view = view
        self.line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#fbbc04", width=2))
        self.line.setZValue(10)
        self.line.addMarker("<|>", position=0.5, size=22)  # the handle to drag, half-way down
        self.labels = (
            pg.TextItem("", color="#ffffff", fill=pg.mkBrush(32, 33, 36, 200), anchor=(1, 0)),
            pg.TextItem("", color="#ffffff", fill=pg.mkBrush(32, 33, 36, 200), anchor=(0, 0)),
        )
        for item in self.labels:
            item.setZValue(11)
        self._kinds: tuple[str, str] | None = None
        self.line.sigPositionChanged.connect(lambda *_: self._moved(on_moved))
        view.sigRangeChanged.connect(lambda *_: self.place_labels())

    @property
    def position(self) -> float:
        """The line's x in HR pixels: columns right of it show the split kind."""
        return float(self.line.value())

    def show(self, left_kind: str, right_kind: str) -> None:
        """Show the line between ``left_kind`` and ``right_kind``; placed mid-view when it first appears."""
        appearing = self._kinds is None
        self._kinds = (left_kind, right_kind)
        if appearing:
            for item in (self.line, *self.labels):
                if item.scene() is None:
                    self.view.addItem(item, ignoreBounds=True)
            (x0, x1), _ = self.view.viewRange()
            self.line.setValue((x0 + x1) / 2)
        self.place_labels()

    def hide(self) -> None:
        self._kinds = None
        for item in (self.line, *self.labels):
            if item.scene() is not None:
                self.view.removeItem(item)

    def label_texts(self) -> tuple[str, str]:
        return self.labels[0].toPlainText(), self.labels[1].toPlainText()

    def place_labels(self) -> None:
        if self._kinds is None:
            return
        left, right = self.labels
        left.setText(f"{KINDS.get(self._kinds[0], self._kinds[0])} ◂")
        right.setText(f"▸ {KINDS.get(self._kinds[1], self._kinds[1])}")
        _, (y0, y1) = self.view.viewRange()
        x, top = self.position, y0 + (y1 - y0) * 0.01
        left.setPos(x, top)
        right.setPos(x, top)

    def _moved(self, on_moved: Callable[[], None]) -> None:
        if self._kinds is not None:
            on_moved()
            self.place_labels()
