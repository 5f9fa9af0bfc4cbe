"""The main window: menus, toolbar, comparison panes, metrics table, status bar, shortcuts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QGridLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ..model.kinds import KINDS
from ..model.metrics_table import best_metric_cells
from ..model.wording import zoom_text
from .actions import LAYOUTS, WindowActions
from .controller import SessionController
from .dialogs import FileDialogs
from .hold_compare import HoldCompareMixin
from .navigation import NavigationMixin
from .presentation import PresentationMixin
from .screenshot import save_screenshot
from .views.batch import BatchPanel
from .views.explorer import LatentExplorer
from .views.panes import ComparePane, zoom_of

DEFAULT_KINDS = ["hr", "irn_hr", "bicubic", "sr"]


class MainWindow(WindowActions, FileDialogs, NavigationMixin, PresentationMixin, HoldCompareMixin, QMainWindow):
    def __init__(self, controller: SessionController | None = None, *, settings: QSettings | None = None):
        super().__init__()
        self.controller = controller or SessionController(self)
        self.settings = settings or QSettings("IRN Studio", "IRN Studio")
        self.setWindowTitle("IRN Studio")
        self._fit_to_screen()
        self.setAcceptDrops(True)
        self.panes: list[ComparePane] = []
        self._linking = False
        self._fitted = False

        self._build_actions()
        self._build_toolbar()
        self._build_central()
        self._build_metrics_dock()
        self._build_explorer_dock()
        self._build_status_bar()
        self._bind_controller()

        self._region_timer = QTimer(self, singleShot=True, interval=120)
        self._region_timer.timeout.connect(self._send_visible_region)
        self._flicker_timer = QTimer(self, interval=500)
        self._flicker_timer.timeout.connect(self._flicker_step)
        self.set_layout(self.settings.value("layout", "2x2"))
        self._restore_settings()
        # The images get the room: docks start narrow and short (the user can drag them wider).
        self.resizeDocks([self.explorer_dock], [330], Qt.Horizontal)
        self.resizeDocks([self.metrics_dock], [150], Qt.Vertical)
        self._refresh_info()

    def _build_central(self) -> None:
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(2, 2, 2, 2)
        self.grid.setSpacing(4)
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#3c4043;color:#fdd663;padding:6px;")
        self.banner.hide()
        host = QWidget()
        from PySide6.QtWidgets import QVBoxLayout

        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.grid_host, 1)
        self.setCentralWidget(host)

    def _build_metrics_dock(self) -> None:
        headers = ["PSNR-Y dB", "SSIM-Y", "PSNR-RGB dB", "SSIM-RGB", "FLIP", "view PSNR-Y", "view SSIM-Y"]
        self.metrics_table = QTableWidget(0, len(headers))
        self.metrics_table.setHorizontalHeaderLabels(headers)
        self.metrics_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self._best_font = QFont(self.metrics_table.font())
        self._best_font.setBold(True)
        self.metrics_table.setToolTip(
            "Against the original HR: Y channel (BT.601), scale-pixel border cropped, "
            "as in the paper. 'view' = the region visible in the panes. Bold green: best in its column "
            "(FLIP: lowest)."
        )
        dock = QDockWidget("Metrics", self)
        dock.setObjectName("metricsDock")
        dock.setWidget(self.metrics_table)
        self.addDockWidget(Qt.BottomDockWidgetArea, dock)
        self.metrics_dock = dock
        self.view_menu.addAction(dock.toggleViewAction())

    def _scroll_to_plot(self, plot) -> None:
        # Deferred: the scroll area resizes the explorer on a posted event after the plot is shown. Not
        # QScrollArea.ensureWidgetVisible: for a QGraphicsView it looks at the scene's text cursor instead.
        def scroll() -> None:
            bar, top = self.explorer_scroller.verticalScrollBar(), plot.mapTo(self.explorer, QPoint(0, 0)).y()
            shown = self.explorer_scroller.viewport().height()
            bar.setValue(min(top, max(bar.value(), top + plot.height() - shown)))  # all of it, else its top

        QTimer.singleShot(50, scroll)

    def _build_explorer_dock(self) -> None:
        self.explorer = LatentExplorer(self.controller)
        dock = QDockWidget("Latent explorer", self)
        dock.setObjectName("explorerDock")
        # Scrolls rather than forcing the window taller than a 720-line screen.
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.explorer)
        self.explorer.plot_revealed.connect(self._scroll_to_plot)
        self.explorer_scroller = scroller
        dock.setWidget(scroller)
        self.addDockWidget(Qt.RightDockWidgetArea, dock)
        self.explorer_dock = dock
        self.view_menu.addAction(dock.toggleViewAction())
        self.batch_panel = BatchPanel(self.controller)
        self.batch_panel.open_requested.connect(self.open_path)
        batch = QDockWidget("Folder processing", self)
        batch.setObjectName("batchDock")
        batch.setWidget(self.batch_panel)
        self.addDockWidget(Qt.RightDockWidgetArea, batch)
        self.tabifyDockWidget(dock, batch)
        dock.raise_()
        self.batch_dock = batch
        self.view_menu.addAction(batch.toggleViewAction())

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.info_label = QLabel("")
        self.pixel_label = QLabel("")
        self.zoom_label = QLabel("")
        self.zoom_label.setToolTip("Screen pixels per image pixel (F fit, Ctrl+1 1:1, Ctrl+2 2:1, Ctrl+4 4:1)")
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(260)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.cancel_button.hide()
        status.addWidget(self.info_label)
        status.addWidget(self.pixel_label, 1)
        status.addPermanentWidget(self.zoom_label)
        status.addPermanentWidget(self.progress_bar)
        status.addPermanentWidget(self.cancel_button)

    def _bind_controller(self) -> None:
        c = self.controller
        c.image_loaded.connect(self._on_image_loaded)
        c.result_updated.connect(self._on_result)
        c.results_cleared.connect(self._on_results_cleared)
        c.tile_ready.connect(self._on_tile)
        c.metrics_updated.connect(self._refresh_metrics)
        c.region_metrics_updated.connect(self._refresh_metrics)
        c.progress.connect(self._on_progress)
        c.busy_changed.connect(self._on_busy)
        c.message.connect(self.show_message)
        c.info_changed.connect(self._refresh_info)
        c.run_finished.connect(self._on_run_finished)
        c.staleness_changed.connect(self._refresh_metrics)

    def _fit_to_screen(self) -> None:
        """Open at 1400x900, or 90% of the screen where that is smaller (a 1280x720 laptop, a projector)."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width, height = 1400, 900
        if screen is not None:
            width, height = min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    # ----- layout and panes -----
    def set_layout(self, name: str) -> None:
        if name not in LAYOUTS:
            name = "2x2"
        rows, cols = LAYOUTS[name]
        if self.layout_combo.currentText() != name:
            self.layout_combo.setCurrentText(name)
        kinds = [p.kind for p in self.panes] + DEFAULT_KINDS[len(self.panes) :]
        old_range = self.leading_view().viewRange() if self.panes else None
        self.solo_index = None
        for pane in self.panes:
            self.grid.removeWidget(pane)
            pane.deleteLater()
        self.panes = []
        for i in range(rows * cols):
            pane = ComparePane(kinds[i] if i < len(kinds) else DEFAULT_KINDS[i % len(DEFAULT_KINDS)])
            pane.hovered.connect(self._on_hover)
            pane.kind_changed.connect(self._on_kind_changed)
            pane.view.sigRangeChanged.connect(self._on_range_changed)
            self.grid.addWidget(pane, i // cols, i % cols)
            self.panes.append(pane)
        first = self.panes[0].view
        for pane in self.panes[1:]:
            pane.view.setXLink(first)
            pane.view.setYLink(first)
        self._push_results()
        if old_range is not None:
            first.setRange(xRange=old_range[0], yRange=old_range[1], padding=0)
        self.settings.setValue("layout", name)
        self.split_action.setChecked(False)

    def _on_kind_changed(self, _kind: str) -> None:
        # A new error pane may change the shared error scale; otherwise only captions and metrics change
        # (flicker switches kinds twice a second: no need to redraw every pane each time).
        shared = self.controller.session.shared_error_scale([p.kind for p in self.panes])
        if any(p.error_scale != shared for p in self.panes):
            self._push_results()
        else:
            self._refresh_metrics()

    def _push_results(self, changed: str | None = None) -> None:
        """Hand every pane the session's results; with ``changed``, only panes showing it redraw."""
        session = self.controller.session
        shared = session.shared_error_scale([p.kind for p in self.panes])
        for pane in self.panes:
            pane.set_results(session.results, session.settings.scale, error_scale=shared, changed=changed)
        self._refresh_metrics()

    # ----- zoom -----
    def _on_range_changed(self, *_):
        self._region_timer.start()

    def _send_visible_region(self) -> None:
        if self.panes:
            self.controller.set_visible_region(self.panes[0].visible_region())
            self.zoom_label.setText(zoom_text(zoom_of(self.leading_view())))

    # ----- split and flicker -----
    def toggle_split(self, checked: bool | None = None) -> None:
        checked = self.split_action.isChecked() if checked is None else checked
        if len(self.panes) < 2:
            self.split_action.setChecked(False)
            self.show_message("info", "split needs two panes: choose a layout with at least two")
            return
        self.panes[0].set_split(self.panes[1].kind if checked else None)

    def toggle_flicker(self, checked: bool | None = None) -> None:
        checked = self.flicker_action.isChecked() if checked is None else checked
        if checked and len(self.panes) >= 2:
            self._flicker_kinds = (self.panes[0].kind, self.panes[1].kind)
            self._flicker_timer.start()
        else:
            self._flicker_timer.stop()
            if hasattr(self, "_flicker_kinds") and self.panes:
                self.panes[0].set_kind(self._flicker_kinds[0])
            self.flicker_action.setChecked(False)

    def _flicker_step(self) -> None:
        a, b = self._flicker_kinds
        self.panes[0].set_kind(b if self.panes[0].kind == a else a)

    # ----- controller events -----
    def _on_image_loaded(self) -> None:
        self._fitted = False
        image = self.controller.session.image
        self.setWindowTitle(f"IRN Studio — {image.path.name}")
        index = self.scale_combo.findData(self.controller.settings.scale)
        self.scale_combo.blockSignals(True)
        self.scale_combo.setCurrentIndex(index)
        self.scale_combo.blockSignals(False)
        if self.controller.session.lr_only:
            # IRN restored beside the baselines of the same LR; 1x1 shows the restoration.
            kinds = {1: ["irn_hr"], 2: ["irn_hr", "bicubic"]}.get(
                len(self.panes), ["irn_lr", "irn_hr", "bicubic", "sr"]
            )
            for pane, kind in zip(self.panes, kinds):
                pane.set_kind(kind)
        self._push_results()
        self.zoom_fit()
        self._refresh_info()

    def _on_results_cleared(self) -> None:
        for pane in self.panes:
            pane.clear_tiles()
        self._push_results()

    def _on_result(self, kind: str) -> None:
        for pane in self.panes:
            if kind in (pane.kind, pane.split_kind):
                pane.clear_tiles()
        self._push_results(changed=kind)
        if not self._fitted and kind in ("hr", "irn_lr"):
            self.zoom_fit()
            self._fitted = True

    def _on_run_finished(self) -> None:
        results = self.controller.session.results
        for pane in self.panes:
            if pane.kind not in results and pane.kind == "sr" and "lanczos" in results:
                pane.set_kind("lanczos")  # no SR model at this scale: show the next best baseline

    def _on_tile(self, kind: str, row: int, col: int, pixels) -> None:
        for pane in self.panes:
            if pane.kind == kind:
                pane.add_tile(row, col, pixels)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress_bar.setRange(0, max(total, 0))
        self.progress_bar.setValue(done)
        self.progress_bar.setFormat(text or "%p%")

    def _on_busy(self, busy: int) -> None:
        busy = bool(busy)
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_action.setEnabled(busy)
        if busy:
            self.progress_bar.setRange(0, 0)

    def show_message(self, level: str, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)
        if level in ("error", "warning"):
            self.banner.setText(("⚠ " if level == "warning" else "✖ ") + text)
            self.banner.show()
            QTimer.singleShot(15_000, self.banner.hide)

    def _refresh_info(self) -> None:
        c = self.controller
        parts = [c.device_text]
        image = c.session.image
        if image is not None:
            h, w = image.pixels.shape[:2]
            parts.append(f"{image.path.name} {w}×{h}, {image.bit_depth}-bit, {image.photo.describe()}")
        parts.append(f"x{c.settings.scale}")
        t = c.session.timings
        if t:
            parts.append(" ".join(f"{k} {v:.2f}s" for k, v in t.items()))
        self.info_label.setText("  ·  ".join(parts))
        self.model_label.setText(f"  {c.model_label()}  ")
        index = self.scale_combo.findData(c.settings.scale)
        if index != self.scale_combo.currentIndex():
            self.scale_combo.blockSignals(True)
            self.scale_combo.setCurrentIndex(index)
            self.scale_combo.blockSignals(False)

    def _refresh_metrics(self) -> None:
        session = self.controller.session
        rows = session.metrics_rows()
        self.metrics_table.setRowCount(len(rows))
        self.metrics_table.setVerticalHeaderLabels([label for label, _ in rows])
        best = best_metric_cells(session)
        for r, (_, cells) in enumerate(rows):
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if (r, col) in best:
                    item.setFont(self._best_font)
                    item.setForeground(QColor("#81c995"))
                    item.setToolTip("best in this column")
                self.metrics_table.setItem(r, col, item)
        for pane in self.panes:
            pane.set_caption(session.pane_caption(pane.kind))

    def _on_hover(self, row: float, col: float) -> None:
        if row < 0 or col < 0:
            return
        parts = [f"x={int(col)} y={int(row)}"]
        for pane in self.panes:
            value = pane.value_at(row, col)
            if value is not None:
                parts.append(f"{KINDS.get(pane.kind, pane.kind)} {value}")
        self.pixel_label.setText("   ".join(parts))

    # ----- lifetime -----
    def _restore_settings(self) -> None:
        c = self.controller
        stored = {
            key: cast(self.settings.value(key))
            for key, cast in (("seed", int), ("temperature", float), ("scale", int))
            if self.settings.value(key) is not None
        }
        c.update_settings(**stored)
        self.explorer.seed.setValue(c.settings.seed)
        self.explorer.temperature.setValue(c.settings.temperature)

    def _store_settings(self) -> None:
        c = self.controller
        self.settings.setValue("scale", c.settings.scale)
        self.settings.setValue("seed", c.settings.seed)
        self.settings.setValue("temperature", c.settings.temperature)
        self.settings.sync()

    def closeEvent(self, event) -> None:
        self._flicker_timer.stop()
        self._store_settings()
        self.controller.shutdown()
        super().closeEvent(event)

    def grab_screenshot(self, path: str | Path) -> None:
        """The window as PNG at ``path`` and what it shows as JSON beside it (see ``screenshot.describe``)."""
        save_screenshot(self, path)
