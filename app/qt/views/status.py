"""The status line and the banner, drawn from the store: device, image, scale and timings; the running
comparison's progress with Cancel; the latest notice (errors and warnings also in the banner)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from ...model.store import SessionStore


class StatusLine:
    def __init__(self, store: SessionStore, bar: QStatusBar, banner: QLabel, *, cancel: Callable[[], None],
                 device_text: str, model_label: Callable[[], str]):  # fmt: skip
        self.store, self.bar, self.banner = store, bar, banner
        self.device_text, self.model_label = device_text, model_label
        self.info_label, self.pixel_label, self.zoom_label = QLabel(""), QLabel(""), QLabel("")
        self.zoom_label.setToolTip("Screen pixels per image pixel (F fit, Ctrl+1 1:1, Ctrl+2 2:1, Ctrl+4 4:1)")
        self.progress_bar = QProgressBar()
        self.progress_bar.setMinimumWidth(340)  # its text says what is computed and the time left: never a stub
        self.progress_bar.setMaximumWidth(420)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(cancel)
        self.cancel_button.hide()
        bar.addWidget(self.info_label)
        bar.addWidget(self.pixel_label, 1)
        bar.addPermanentWidget(self.zoom_label)
        bar.addPermanentWidget(self.progress_bar)
        bar.addPermanentWidget(self.cancel_button)
        self._notices_seen = 0
        self._banner_timer = QTimer(banner, singleShot=True, interval=15_000)
        self._banner_timer.timeout.connect(banner.hide)

    def redraw(self, aspects: frozenset[str]) -> None:
        if "image" in aspects:
            self.bar.clearMessage()  # "opening …" and the like were about what came before
        if aspects & {"info", "image", "settings", "metrics"}:
            self._info()
        if "jobs" in aspects:
            self._progress()
        if "notices" in aspects:
            self._notices()

    def _info(self) -> None:
        parts = [self.device_text]
        image = self.store.image
        if image is not None:
            h, w = image.pixels.shape[:2]
            parts.append(f"{image.path.name} {w}×{h}, {image.bit_depth}-bit, {image.photo.describe()}")
        parts.append(f"x{self.store.settings.scale}")
        if self.store.timings:
            parts.append(" ".join(f"{k} {v:.2f}s" for k, v in self.store.timings.items()))
        self.info_label.setText("  ·  ".join(parts))

    def _progress(self) -> None:
        jobs = self.store.jobs.running("comparison") or self.store.jobs.running("draw")
        busy = bool(jobs)
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            done, total, text = jobs[0].progress
            self.progress_bar.setRange(0, max(total, 0))
            self.progress_bar.setValue(done)
            self.progress_bar.setFormat(text or "%p%")

    def _notices(self) -> None:
        new = min(self.store.notice_count - self._notices_seen, len(self.store.notices))
        self._notices_seen = self.store.notice_count
        for notice in self.store.notices[len(self.store.notices) - new :]:
            self.show(notice.level, notice.text)

    def show(self, level: str, text: str) -> None:
        self.bar.showMessage(text, 10_000)
        if level in ("error", "warning"):
            self.banner.setText(("⚠ " if level == "warning" else "✖ ") + text)
            self.banner.show()
            self._banner_timer.start()
