"""The folder-processing panel: progress with time left, Cancel, and the list of files with their outcome
(double-click opens a file's output in the comparison)."""

from __future__ import annotations

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


class BatchPanel(QWidget):
    open_requested = Signal(str)

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.model = controller.batch
        self.title = QLabel("No folder processed yet: File → Process folder…")
        self.title.setWordWrap(True)
        self.hint = QLabel("Double-click a file to open its result. Running a folder again skips what is done.")
        self.hint.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(controller.cancel_batch)
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
        self.model.started.connect(self._on_started)
        controller.batch_changed.connect(self._on_row)
        controller.batch_finished.connect(self._on_finished)
        controller.batch_busy_changed.connect(lambda busy: self.cancel_button.setEnabled(bool(busy)))

    def _on_started(self) -> None:
        self.rows.clear()
        for row in self.model.rows:
            item = QListWidgetItem(row.text())
            item.setData(Qt.UserRole, str(row.item.outputs[-1]))
            self.rows.addItem(item)
        self.title.setText(f"{OPERATION_LABELS[self.model.operation]} → {self.model.out_dir}")
        self.progress.setRange(0, len(self.model.rows))
        self._on_progress()

    def _on_row(self, index: int) -> None:
        row = self.model.rows[index]
        self.rows.item(index).setText(row.text())
        self.rows.item(index).setToolTip(row.message)
        self._on_progress()

    def _on_progress(self) -> None:
        self.progress.setValue(self.model.done_count)
        self.progress.setFormat(self.model.progress_text())

    def _on_finished(self, summary: str) -> None:
        self.progress.setFormat(summary)
        self.rows.setToolTip("Double-click a file to open its result in the comparison")
        self.cancel_button.setEnabled(False)

    def _open(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(Qt.UserRole))
