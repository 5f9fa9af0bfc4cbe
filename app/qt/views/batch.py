"""The folder-processing panel, drawn from the store's batch: progress with time left, Cancel, and the list of
files with their outcome (double-click opens the file's source in the comparison, never an output as if it
were an original)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...model.batch import OPERATION_LABELS
from ...model.store import SessionStore


class BatchPanel(QWidget):
    open_requested = Signal(str)

    def __init__(self, store: SessionStore, cancel: Callable[[], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.model = store.batch
        self.title = QLabel("No folder processed yet: File → Process folder…")
        self.title.setWordWrap(True)
        self.hint = QLabel(
            "Double-click a file to open it in the comparison. Running a folder again skips what is done."
        )
        self.hint.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(cancel)
        self.rows = QListWidget()
        self.rows.itemDoubleClicked.connect(self._open)
        top = QHBoxLayout()
        top.addWidget(self.progress, 1)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.rows, 1)
        layout.addWidget(self.hint)
        self._shown_rows: list = []

    def redraw(self, aspects: frozenset[str]) -> None:
        if "batch" not in aspects and "jobs" not in aspects:
            return
        model = self.model
        if model.rows is not self._shown_rows:
            self._shown_rows = model.rows
            self.rows.clear()
            for row in model.rows:
                item = QListWidgetItem(row.text())
                item.setData(Qt.ItemDataRole.UserRole, str(row.item.source))
                self.rows.addItem(item)
            self.title.setText(f"{OPERATION_LABELS[model.operation]} → {model.out_dir}")
            self.progress.setRange(0, len(model.rows))
        for index, row in enumerate(model.rows):
            item = self.rows.item(index)
            if item.text() != row.text():
                item.setText(row.text())
                item.setToolTip(row.message)
        self.progress.setValue(model.done_count)
        busy = self.store.busy("batch")
        self.progress.setFormat(model.progress_text() if busy or not model.summary else model.summary)
        self.cancel_button.setEnabled(busy)

    def _open(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))
