"""The metrics table, drawn from the store: whole image and region in view for each compared result, the
best current value of each column in bold green, stale rows greyed with "(out of date)" and never best."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QWidget

from ...model.metrics_table import best_metric_cells
from ...model.readouts import metrics_rows
from ...model.store import SessionStore

HEADERS = ["PSNR-Y dB", "SSIM-Y", "PSNR-RGB dB", "SSIM-RGB", "FLIP", "view PSNR-Y", "view SSIM-Y"]
BEST_COLOUR, STALE_COLOUR = QColor("#81c995"), QColor("#80868b")


class MetricsTable(QTableWidget):
    def __init__(self, store: SessionStore, parent: QWidget | None = None):
        super().__init__(0, len(HEADERS), parent)
        self.store = store
        self.setHorizontalHeaderLabels(HEADERS)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._best_font = QFont(self.font())
        self._best_font.setBold(True)
        self.setToolTip(
            "Against the original HR: Y channel (BT.601, unrounded), scale-pixel border cropped, as in the paper. "
            "'view' = the region visible in the panes. A row named '· region W×H at (X, Y)': that region of a large "
            "photo, computed first, until the whole image is done. "
            "Bold green: best current value in its column (FLIP: lowest), among rows of the same scope. "
            "Grey: out of date for the present settings."
        )

    def redraw(self) -> None:
        rows = metrics_rows(self.store)
        best = best_metric_cells(self.store)
        self.setRowCount(len(rows))
        self.setVerticalHeaderLabels([row.label + ("" if row.state.current else " (out of date)") for row in rows])
        for r, row in enumerate(rows):
            for col, text in enumerate(row.cells):
                item = QTableWidgetItem(text)
                if not row.state.current:
                    item.setForeground(STALE_COLOUR)
                    item.setToolTip(f"out of date: {row.state.reason}")
                elif row.scope == "region":
                    item.setToolTip("the region computed first: the whole image is still computing")
                    if (r, col) in best:
                        item.setFont(self._best_font)
                        item.setForeground(BEST_COLOUR)
                elif (r, col) in best:
                    item.setFont(self._best_font)
                    item.setForeground(BEST_COLOUR)
                    item.setToolTip("best in this column")
                self.setItem(r, col, item)

    def row_labels(self) -> list[str]:
        return [self.verticalHeaderItem(r).text() for r in range(self.rowCount())]
