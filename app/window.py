"""The main window: menus, toolbar, comparison panes, metrics table, status bar, shortcuts."""
from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDockWidget, QFileDialog, QGridLayout, QLabel, QMainWindow,
                               QMessageBox, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem,
                               QToolBar, QWidget)

from .controller import COMPARED_KINDS, KINDS, SessionController
from .samples import SAMPLES, sample_path
from .views.explorer import LatentExplorer
from .views.panes import ComparePane, zoom_to_ratio

SHORTCUTS_HELP = [
    ("Ctrl+O", "open an image (or drop one on the window)"), ("Ctrl+R", "run IRN and the baselines"),
    ("Esc", "cancel the running job"), ("F / 1 / 4", "fit, 1:1, 4:1 zoom (all panes follow)"),
    ("S", "split (swipe) view of the first two panes"), ("Space", "flicker between the first two panes"),
    ("L", "LR images at their own pixel size"), ("N", "new latent draw"), ("D", "sample N draws"),
    ("Ctrl+S", "save the IRN LR image (lossless PNG)"), ("Ctrl+Shift+S", "save a comparison figure"),
    ("F11", "presentation mode"), ("?", "this help"), ("Ctrl+Q", "quit"),
]

LAYOUTS = {"1x1": (1, 1), "1x2": (1, 2), "1x3": (1, 3), "2x2": (2, 2)}
DEFAULT_KINDS = ["hr", "irn_hr", "bicubic", "sr"]
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.webp);;All files (*)"
MAX_RECENT = 8


def _fmt(value: float | None, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return "∞" if math.isinf(value) else f"{value:.{digits}f}"


class MainWindow(QMainWindow):
    def __init__(self, controller: SessionController | None = None, *, settings: QSettings | None = None):
        super().__init__()
        self.controller = controller or SessionController(self)
        self.settings = settings or QSettings("IRN Studio", "IRN Studio")
        self.setWindowTitle("IRN Studio")
        self.resize(1400, 900)
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
        self._refresh_info()

    # ----- construction -----
    def _action(self, text: str, slot, shortcut=None, tip: str = "", checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip or text} ({QKeySequence(shortcut).toString()})" if shortcut else (tip or text))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action("&Open…", self.open_dialog, QKeySequence.Open, "Open an image")
        self.run_action = self._action("&Run", self.controller.run, "Ctrl+R", "Downscale, upscale and compare")
        self.cancel_action = self._action("&Cancel", self.controller.cancel, "Esc", "Cancel the running job")
        self.cancel_action.setEnabled(False)
        self.fit_action = self._action("&Fit", self.zoom_fit, "F", "Fit the image in the panes")
        self.one_action = self._action("1:1", lambda: self.zoom_ratio(1), "1", "One image pixel per screen pixel")
        self.four_action = self._action("4:1", lambda: self.zoom_ratio(4), "4", "Magnify 4x, crisp pixels")
        self.split_action = self._action("&Split", self.toggle_split, "S",
                                         "Swipe between the first two panes in the first pane", checkable=True)
        self.flicker_action = self._action("F&licker", self.toggle_flicker, "Space",
                                           "Alternate the first pane between its image and the second pane's",
                                           checkable=True)
        self.lr_native_action = self._action("LR at native size", self.toggle_lr_native, "L",
                                             "Show LR images at their own pixel size", checkable=True)
        self.load_weights_action = self._action("Load IRN weights…", self.load_weights_dialog, "Ctrl+W",
                                                "An official .pth or our .safetensors")
        self.bundled_weights_action = self._action("Use bundled weights", lambda: self.controller.set_weights(None))
        self.weights_info_action = self._action("About the IRN weights…", self.show_weights_info,
                                                tip="How the weights in use were trained and how well they do")
        self.load_sr_action = self._action("Load SR model…", self.load_sr_dialog, tip="Any SR checkpoint spandrel "
                                           "recognises (ESRGAN, EDSR, RCAN, SwinIR, HAT, …) for the SR pane")
        self.quit_action = self._action("&Quit", self.close, QKeySequence.Quit)
        self.save_lr_action = self._action("Save IRN LR image…", lambda: self.save_dialog("irn_lr"), "Ctrl+S",
                                           "The file to store or send: lossless PNG with IRN metadata")
        self.save_figure_action = self._action("Save comparison figure…", self.save_figure_dialog,
                                               "Ctrl+Shift+S", "The visible region of each pane, side by side")
        self.save_metrics_action = self._action("Save metrics (CSV)…", self.save_metrics_dialog)
        self.presentation_action = self._action("Presentation mode", self.toggle_presentation, "F11",
                                                "Full screen, large labels", checkable=True)
        self.help_action = self._action("Keyboard shortcuts", self.show_help, "?")
        self.new_draw_action = self._action("New latent draw", lambda: self.explorer.next_draw(), "N")
        self.sample_action = self._action("Sample draws", lambda: self.explorer.start_sampling(), "D")

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.samples_menu = file_menu.addMenu("Samples")
        for name in SAMPLES:
            self.samples_menu.addAction(name, lambda n=name: self.open_path(sample_path(n)))
        self.recent_menu = file_menu.addMenu("Open recent")
        self._rebuild_recent()
        file_menu.addSeparator()
        file_menu.addAction(self.save_lr_action)
        save_menu = file_menu.addMenu("Save result")
        for kind, label in KINDS.items():
            if kind != "hr":
                save_menu.addAction(f"{label}…", lambda k=kind: self.save_dialog(k))
        file_menu.addAction(self.save_figure_action)
        file_menu.addAction(self.save_metrics_action)
        file_menu.addSeparator()
        self.file_menu = file_menu
        file_menu.addAction(self.quit_action)
        model_menu = menu.addMenu("&Model")
        model_menu.addAction(self.run_action)
        model_menu.addAction(self.cancel_action)
        model_menu.addSeparator()
        model_menu.addAction(self.load_weights_action)
        model_menu.addAction(self.bundled_weights_action)
        model_menu.addAction(self.weights_info_action)
        model_menu.addAction(self.load_sr_action)
        self.model_menu = model_menu
        view_menu = menu.addMenu("&View")
        for action in (self.fit_action, self.one_action, self.four_action, self.split_action,
                       self.flicker_action, self.lr_native_action):
            view_menu.addAction(action)
        view_menu.addAction(self.presentation_action)
        self.view_menu = view_menu
        latent_menu = menu.addMenu("&Latent")
        latent_menu.addAction(self.new_draw_action)
        latent_menu.addAction(self.sample_action)
        self.help_menu = menu.addMenu("&Help")
        self.help_menu.addAction(self.help_action)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("mainToolbar")
        self.addToolBar(bar)
        bar.addAction(self.open_action)
        bar.addSeparator()
        bar.addWidget(QLabel(" Scale "))
        self.scale_combo = QComboBox()
        for scale in (2, 4, 8):
            self.scale_combo.addItem(f"x{scale}", scale)
        self.scale_combo.setCurrentIndex(self.scale_combo.findData(self.controller.settings.scale))
        self.scale_combo.currentIndexChanged.connect(
            lambda i: self.controller.set_scale(self.scale_combo.itemData(i)))
        self.scale_combo.setToolTip("Rescaling factor")
        bar.addWidget(self.scale_combo)
        self.model_label = QLabel("")
        self.model_label.setToolTip("IRN weights in use (Model → Load IRN weights… to change)")
        bar.addWidget(self.model_label)
        bar.addSeparator()
        bar.addAction(self.run_action)
        bar.addAction(self.cancel_action)
        bar.addSeparator()
        bar.addWidget(QLabel(" Layout "))
        self.layout_combo = QComboBox()
        self.layout_combo.addItems(list(LAYOUTS))
        self.layout_combo.currentTextChanged.connect(self.set_layout)
        bar.addWidget(self.layout_combo)
        for action in (self.fit_action, self.one_action, self.four_action, self.split_action, self.flicker_action):
            bar.addAction(action)
        self.toolbar = bar

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
        self.metrics_table = QTableWidget(0, 6)
        self.metrics_table.setHorizontalHeaderLabels(
            ["PSNR-Y dB", "SSIM-Y", "PSNR-RGB dB", "SSIM-RGB", "view PSNR-Y", "view SSIM-Y"])
        self.metrics_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.metrics_table.setToolTip("Against the original HR: Y channel (BT.601), scale-pixel border cropped, "
                                      "as in the paper. 'view' = the region visible in the panes.")
        dock = QDockWidget("Metrics", self)
        dock.setObjectName("metricsDock")
        dock.setWidget(self.metrics_table)
        self.addDockWidget(Qt.BottomDockWidgetArea, dock)
        self.metrics_dock = dock
        self.view_menu.addAction(dock.toggleViewAction())

    def _build_explorer_dock(self) -> None:
        self.explorer = LatentExplorer(self.controller)
        dock = QDockWidget("Latent explorer", self)
        dock.setObjectName("explorerDock")
        dock.setWidget(self.explorer)
        self.addDockWidget(Qt.RightDockWidgetArea, dock)
        self.explorer_dock = dock
        self.view_menu.addAction(dock.toggleViewAction())

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.info_label = QLabel("")
        self.pixel_label = QLabel("")
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(260)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.cancel_button.hide()
        status.addWidget(self.info_label)
        status.addWidget(self.pixel_label, 1)
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

    # ----- layout and panes -----
    def set_layout(self, name: str) -> None:
        if name not in LAYOUTS:
            name = "2x2"
        rows, cols = LAYOUTS[name]
        if self.layout_combo.currentText() != name:
            self.layout_combo.setCurrentText(name)
        kinds = [p.kind for p in self.panes] + DEFAULT_KINDS[len(self.panes):]
        old_range = self.panes[0].view.viewRange() if self.panes else None
        for pane in self.panes:
            self.grid.removeWidget(pane)
            pane.deleteLater()
        self.panes = []
        for i in range(rows * cols):
            pane = ComparePane(kinds[i] if i < len(kinds) else DEFAULT_KINDS[i % len(DEFAULT_KINDS)])
            pane.hovered.connect(self._on_hover)
            pane.kind_changed.connect(lambda _k: self._refresh_metrics())
            pane.view.sigRangeChanged.connect(self._on_range_changed)
            pane.lr_native = self.lr_native_action.isChecked()
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

    def _push_results(self) -> None:
        results, scale = self.controller.session.results, self.controller.settings.scale
        for pane in self.panes:
            pane.set_results(results, scale)
        self._refresh_metrics()

    # ----- zoom -----
    def zoom_fit(self) -> None:
        size = self.panes[0].image_size() if self.panes else None
        if size:
            h, w = size
            self.panes[0].view.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)

    def zoom_ratio(self, ratio: float) -> None:
        if self.panes:
            zoom_to_ratio(self.panes[0].view, ratio)

    def _on_range_changed(self, *_):
        self._region_timer.start()

    def _send_visible_region(self) -> None:
        if self.panes:
            self.controller.set_visible_region(self.panes[0].visible_region())

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

    def toggle_lr_native(self) -> None:
        for pane in self.panes:
            pane.lr_native = self.lr_native_action.isChecked()
            pane.refresh()

    # ----- files -----
    def open_dialog(self) -> None:
        start = self.settings.value("last_dir", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Open image", start, IMAGE_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        ok = self.controller.open_image(path)
        if ok:
            self.settings.setValue("last_dir", str(Path(path).parent))
            recent = [str(path)] + [p for p in self._recent() if p != str(path)]
            self.settings.setValue("recent", recent[:MAX_RECENT])
            self._rebuild_recent()
        return ok

    def _recent(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        for path in self._recent():
            self.recent_menu.addAction(path, lambda p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(self._recent()))

    def load_weights_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load IRN weights", str(Path.home()),
                                              "Weights (*.safetensors *.pth *.pt);;All files (*)")
        if path:
            self.controller.set_weights(path)

    def load_sr_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load SR model", str(Path.home()),
                                              "Models (*.pth *.pt *.safetensors *.ckpt);;All files (*)")
        if path:
            self.controller.set_sr_model(path)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(urls[0])

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
            for pane, kind in zip(self.panes, ["irn_lr", "irn_hr"]):
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
            pane.set_results(self.controller.session.results, self.controller.settings.scale)
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
            parts.append(f"{image.path.name} {w}×{h}")
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
        rows = [k for k in COMPARED_KINDS if k in session.metrics or k in session.results]
        extra = ["lr_fidelity"] if "lr_fidelity" in session.metrics else []
        self.metrics_table.setRowCount(len(rows) + len(extra))
        labels = [KINDS[k] for k in rows] + ["IRN LR vs bicubic LR" for _ in extra]
        self.metrics_table.setVerticalHeaderLabels(labels)
        for r, kind in enumerate(rows + extra):
            whole = session.metrics.get(kind, {})
            view = session.region_metrics.get(kind, {})
            values = [(whole.get("psnr_y"), 2), (whole.get("ssim_y"), 4), (whole.get("psnr_rgb"), 2),
                      (whole.get("ssim_rgb"), 4), (view.get("psnr_y"), 2), (view.get("ssim_y"), 4)]
            for col, (value, digits) in enumerate(values):
                self.metrics_table.setItem(r, col, QTableWidgetItem(_fmt(value, digits)))
        for pane in self.panes:
            whole = session.metrics.get(pane.kind)
            view = session.region_metrics.get(pane.kind)
            text = ""
            if whole:
                text = f"PSNR-Y {_fmt(whole['psnr_y'], 2)} dB · SSIM-Y {_fmt(whole['ssim_y'], 4)}"
                if view:
                    text += f"   (view {_fmt(view['psnr_y'], 2)} dB)"
            result = session.results.get(pane.kind)
            if result is not None and result.note:
                text = f"{text}   [{result.note}]" if text else f"[{result.note}]"
            pane.set_caption(text)

    def _on_hover(self, row: float, col: float) -> None:
        if row < 0 or col < 0:
            return
        parts = [f"x={int(col)} y={int(row)}"]
        for pane in self.panes:
            value = pane.value_at(row, col)
            if value is not None:
                parts.append(f"{KINDS.get(pane.kind, pane.kind)} {value}")
        self.pixel_label.setText("   ".join(parts))

    # ----- saving -----
    def _ask_save_path(self, title: str, suggested: str, filter_: str) -> tuple[str, bool]:
        start = Path(self.settings.value("save_dir", str(Path.home()))) / suggested
        # Qt's dialog asks before replacing an existing file, so a chosen existing path means "replace".
        path, _ = QFileDialog.getSaveFileName(self, title, str(start), filter_)
        if path:
            self.settings.setValue("save_dir", str(Path(path).parent))
        return path, bool(path) and Path(path).exists()

    def _stem(self) -> str:
        image = self.controller.session.image
        return image.path.stem if image is not None else "irn"

    def save_dialog(self, kind: str) -> None:
        if kind == "irn_lr":
            self.show_message("info", "IRN LR: keep it lossless (PNG). JPEG or WebP destroy what IRN encoded.")
        suffix = {"irn_lr": "lr", "irn_hr": "restored"}.get(kind, kind.replace(":", "_"))
        path, overwrite = self._ask_save_path(f"Save {KINDS.get(kind, kind)}",
                                              f"{self._stem()}_x{self.controller.settings.scale}_{suffix}.png",
                                              "PNG (*.png)")
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            self.controller.save_result(kind, path, overwrite=overwrite)

    def save_figure_dialog(self) -> None:
        path, overwrite = self._ask_save_path("Save comparison figure", f"{self._stem()}_comparison.png",
                                              "PNG (*.png)")
        if path:
            panels = [(p.kind, KINDS.get(p.kind, p.kind)) for p in self.panes]
            self.controller.save_figure(path, panels, self.panes[0].visible_region(), overwrite=overwrite)

    def save_metrics_dialog(self) -> None:
        path, overwrite = self._ask_save_path("Save metrics", f"{self._stem()}_metrics.csv", "CSV (*.csv)")
        if path:
            self.controller.save_metrics(path, overwrite=overwrite)

    # ----- presentation and help -----
    def toggle_presentation(self, checked: bool | None = None) -> None:
        self.set_presentation(self.presentation_action.isChecked() if checked is None else checked)

    def set_presentation(self, on: bool) -> None:
        """Full screen with large captions; docks and toolbar hidden (F11 again to leave)."""
        self.presentation_action.setChecked(on)
        for widget in (self.toolbar, self.metrics_dock, self.explorer_dock):
            widget.setVisible(not on)
        style = "font-size: 22pt; font-weight: bold;" if on else ""
        for pane in self.panes:
            pane.caption.setStyleSheet(style)
            pane.selector.setStyleSheet("font-size: 18pt;" if on else "")
        self.info_label.setStyleSheet("font-size: 16pt;" if on else "")
        self.showFullScreen() if on else self.showNormal()

    def _table_box(self, title: str, rows: list[tuple[str, str]]) -> QMessageBox:
        """A non-modal message box showing (label, value) rows as a table."""
        cells = "".join(f"<tr><td valign='top'><b>{html.escape(k)}</b></td><td>&nbsp;&nbsp;{html.escape(v)}</td></tr>"
                        for k, v in rows)
        box = QMessageBox(self)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.RichText)
        box.setText(f"<table>{cells}</table>")
        box.open()
        return box

    def show_help(self) -> None:
        self.help_box = self._table_box("Keyboard shortcuts", SHORTCUTS_HELP)

    def show_weights_info(self) -> None:
        self.weights_box = self._table_box(f"IRN x{self.controller.settings.scale} weights",
                                           self.controller.weights_description())

    # ----- lifetime -----
    def _restore_settings(self) -> None:
        c = self.controller
        for key, cast in (("seed", int), ("temperature", float)):
            value = self.settings.value(key)
            if value is not None:
                setattr(c.settings, key, cast(value))
        scale = self.settings.value("scale")
        if scale is not None:
            c.set_scale(int(scale))
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
        from irn_core.io import write_bytes_atomic
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice
        pixmap = self.grab()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.WriteOnly)
        pixmap.save(buffer, "PNG")
        write_bytes_atomic(path, bytes(data), overwrite=True)
