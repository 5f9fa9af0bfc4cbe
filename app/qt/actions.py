"""The main window's actions, menus and toolbar: a part of MainWindow that builds and holds them.
Window shortcuts work whatever widget has focus, except while typing in a field (Qt gives the field
the key first)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from ..model.kinds import KINDS
from ..model.view import LAYOUTS
from ..samples import SAMPLES, sample_path
from .navigation import MAX_PANE_KEYS

if TYPE_CHECKING:
    from .host import Host


class WindowActions:
    def __init__(self, window: Host):
        self.window = window

    def _action(self, text: str, slot: Callable[..., Any], shortcut: Any = None, tip: str = "",
                checkable: bool = False) -> QAction:  # fmt: skip
        action = QAction(text, self.window.as_widget())
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{tip or text} ({QKeySequence(shortcut).toString()})" if shortcut else (tip or text))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    def _open_sample(self, name: str) -> None:
        self.window.open_path(sample_path(name))

    def use_jpeg_robust_model(self) -> None:
        from irn_core.io.checkpoints import bundled_weights_path

        path = bundled_weights_path(2, variant="jpeg")
        if path is None:
            self.window.show_message(
                "error",
                "this installation has no bundled JPEG-robust model (irn_x2_jpeg.safetensors); train one "
                "(docs/TRAINING.md, jpeg_in_loop) and load it with Model → Load IRN weights",
            )
            return
        self.window.session.set_weights(str(path))

    def build(self) -> None:
        w = self.window
        self._build_actions(w)
        self._build_toolbar(w)

    def _build_actions(self, w: Host) -> None:
        self.open_action = self._action("&Open…", w.dialogs.open_dialog, QKeySequence.StandardKey.Open, "Open an image")
        self.run_action = self._action("&Run", w.session.run, "Ctrl+R", "Downscale, upscale and compare")
        self.cancel_action = self._action("&Cancel", w.session.cancel, "Esc", "Cancel the running job")
        self.cancel_action.setEnabled(False)
        self.fit_action = self._action("&Fit", w.navigation.zoom_fit, "F", "Fit the image in the panes")
        self.one_action = self._action(
            "1:1", lambda: w.navigation.zoom_ratio(1), "Ctrl+1", "One image pixel per screen pixel"
        )
        self.two_action = self._action("2:1", lambda: w.navigation.zoom_ratio(2), "Ctrl+2", "Magnify 2x, crisp pixels")
        self.four_action = self._action("4:1", lambda: w.navigation.zoom_ratio(4), "Ctrl+4", "Magnify 4x, crisp pixels")
        self.pane_actions = [
            self._action(
                f"Pane {n} alone",
                lambda *_, i=n - 1: w.navigation.toggle_solo(i),
                str(n),
                f"Show pane {n} alone (again: all)",
            )
            for n in range(1, MAX_PANE_KEYS + 1)
        ]
        self.split_action = self._action(
            "&Split", w.toggle_split, "S", "Swipe between the first two panes in the first pane", checkable=True
        )
        self.flicker_action = self._action(
            "F&licker",
            w.hold.toggle_flicker,
            "Space",
            "Alternate the first pane between its image and the second pane's",
            checkable=True,
        )
        self.lr_pixels_action = self._action(
            "LR pixels 1:1",
            w.navigation.zoom_lr_pixels,
            "L",
            "One LR pixel per screen pixel: the LR at its own size, the other panes on the same region",
        )
        self.load_weights_action = self._action(
            "Load IRN weights…", w.dialogs.load_weights_dialog, "Ctrl+W", "An official .pth or our .safetensors"
        )
        self.bundled_weights_action = self._action("Use bundled weights", lambda: w.session.set_weights(None))
        self.jpeg_weights_action = self._action(
            "Use the JPEG-robust x2 model",
            self.use_jpeg_robust_model,
            tip="IRN x2 with a compression-restoration module: for an LR that will be stored as JPEG",
        )
        self.weights_info_action = self._action(
            "About the IRN weights…",
            w.dialogs.show_weights_info,
            tip="How the weights in use were trained and how well they do",
        )
        self.load_sr_action = self._action(
            "Load SR model…",
            w.dialogs.load_sr_dialog,
            tip="Any SR checkpoint spandrel recognises (ESRGAN, EDSR, RCAN, SwinIR, HAT, …) for the SR pane",
        )
        self.quit_action = self._action("&Quit", w.close, QKeySequence.StandardKey.Quit)
        self.save_lr_action = self._action(
            "Save IRN LR image…",
            lambda: w.dialogs.save_dialog("irn_lr"),
            "Ctrl+S",
            "The file to store or send: lossless PNG with IRN metadata",
        )
        self.save_figure_action = self._action(
            "Save comparison figure…",
            w.dialogs.save_figure_dialog,
            "Ctrl+Shift+S",
            "The visible region of each pane, side by side",
        )
        self.save_metrics_action = self._action("Save metrics (CSV)…", w.dialogs.save_metrics_dialog)
        self.process_folder_action = self._action(
            "Process folder…",
            w.dialogs.process_folder_dialog,
            "Ctrl+Shift+O",
            "Downscale, round-trip or restore every image of a folder, in the background",
        )
        self.presentation_action = self._action(
            "Presentation mode", w.presentation.toggle, "F11", "Full screen, large labels", checkable=True
        )
        self.blind_action = self._action(
            "Blind A/B test…",
            lambda: w.dialogs.start_blind_test(),
            "Ctrl+B",
            "IRN and the best baseline unlabelled in random order: pick the better one, then see which was which",
        )
        self.help_action = self._action("Keyboard shortcuts", w.dialogs.show_help, "?")
        self.new_draw_action = self._action("New latent draw", lambda: w.explorer.next_draw(), "N")
        self.sample_action = self._action("Sample draws", w.sample_from_key, "D")

        menu = w.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.samples_menu = file_menu.addMenu("Samples")
        for name in SAMPLES:
            self.samples_menu.addAction(name, partial(self._open_sample, name))
        self.recent_menu = file_menu.addMenu("Open recent")
        w.dialogs.rebuild_recent()
        file_menu.addSeparator()
        file_menu.addAction(self.save_lr_action)
        save_menu = file_menu.addMenu("Save result")
        for kind, label in KINDS.items():
            if kind != "hr":
                save_menu.addAction(f"{label}…", partial(w.dialogs.save_dialog, kind))
        file_menu.addAction(self.save_figure_action)
        file_menu.addAction(self.save_metrics_action)
        file_menu.addSeparator()
        file_menu.addAction(self.process_folder_action)
        file_menu.addSeparator()
        self.file_menu = file_menu
        file_menu.addAction(self.quit_action)
        model_menu = menu.addMenu("&Model")
        model_menu.addAction(self.run_action)
        model_menu.addAction(self.cancel_action)
        model_menu.addSeparator()
        model_menu.addAction(self.load_weights_action)
        model_menu.addAction(self.bundled_weights_action)
        model_menu.addAction(self.jpeg_weights_action)
        model_menu.addAction(self.weights_info_action)
        model_menu.addAction(self.load_sr_action)
        self.model_menu = model_menu
        view_menu = menu.addMenu("&View")
        for action in (
            self.fit_action,
            self.one_action,
            self.two_action,
            self.four_action,
            self.lr_pixels_action,
            self.split_action,
            self.flicker_action,
        ):
            view_menu.addAction(action)
        panes_menu = view_menu.addMenu("Show one pane")
        for action in self.pane_actions:
            panes_menu.addAction(action)
        view_menu.addAction(self.presentation_action)
        view_menu.addAction(self.blind_action)
        self.view_menu = view_menu
        latent_menu = menu.addMenu("&Latent")
        latent_menu.addAction(self.new_draw_action)
        latent_menu.addAction(self.sample_action)
        self.help_menu = menu.addMenu("&Help")
        self.help_menu.addAction(self.help_action)

    def _build_toolbar(self, w: Host) -> None:
        bar = QToolBar("Main", w.as_widget())
        bar.setObjectName("mainToolbar")
        w.addToolBar(bar)
        bar.addAction(self.open_action)
        bar.addSeparator()
        bar.addWidget(QLabel(" Scale "))
        self.scale_combo = QComboBox()
        for scale in (2, 4, 8):
            self.scale_combo.addItem(f"x{scale}", scale)
        self.scale_combo.setCurrentIndex(self.scale_combo.findData(w.store.settings.scale))
        self.scale_combo.currentIndexChanged.connect(lambda i: w.session.set_scale(self.scale_combo.itemData(i)))
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
        self.layout_combo.currentTextChanged.connect(w.set_layout)
        bar.addWidget(self.layout_combo)
        for action in (self.fit_action, self.one_action, self.four_action, self.split_action, self.flicker_action):
            bar.addAction(action)
        self.toolbar = bar

    def redraw(self, aspects: frozenset[str]) -> None:
        """The toolbar says what the store holds: scale, layout, weights, whether a job can be cancelled."""
        w = self.window
        if aspects & {"settings", "image", "info"}:
            for combo, value in ((self.scale_combo, w.store.settings.scale),):
                index = combo.findData(value)
                if index != combo.currentIndex():
                    combo.blockSignals(True)
                    combo.setCurrentIndex(index)
                    combo.blockSignals(False)
            self.model_label.setText(f"  {w.controller.model_label()}  ")
        if "view" in aspects:
            view = w.store.view
            if self.layout_combo.currentText() != view.layout:
                self.layout_combo.blockSignals(True)
                self.layout_combo.setCurrentText(view.layout)
                self.layout_combo.blockSignals(False)
            self.split_action.setChecked(view.split)
            self.split_action.setEnabled(view.pane_count > 1)  # a swipe needs a second pane's result
        if "jobs" in aspects:
            self.cancel_action.setEnabled(bool(w.store.jobs.live))
