"""The main window's actions, menus and toolbar (a mixin of MainWindow)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from ..model.kinds import KINDS
from ..samples import SAMPLES, sample_path
from .navigation import MAX_PANE_KEYS

LAYOUTS = {"1x1": (1, 1), "1x2": (1, 2), "1x3": (1, 3), "2x2": (2, 2)}


class WindowActions:
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

    def use_jpeg_robust_model(self) -> None:
        from irn_core.io.checkpoints import bundled_weights_path

        path = bundled_weights_path(2, variant="jpeg")
        if path is None:
            self.show_message(
                "error",
                "this installation has no bundled JPEG-robust model (irn_x2_jpeg.safetensors); train one "
                "(docs/TRAINING.md, jpeg_in_loop) and load it with Model → Load IRN weights",
            )
            return
        self.controller.set_weights(str(path))

    def _build_actions(self) -> None:
        self.open_action = self._action("&Open…", self.open_dialog, QKeySequence.Open, "Open an image")
        self.run_action = self._action("&Run", self.controller.run, "Ctrl+R", "Downscale, upscale and compare")
        self.cancel_action = self._action("&Cancel", self.controller.cancel, "Esc", "Cancel the running job")
        self.cancel_action.setEnabled(False)
        self.fit_action = self._action("&Fit", self.zoom_fit, "F", "Fit the image in the panes")
        self.one_action = self._action("1:1", lambda: self.zoom_ratio(1), "Ctrl+1", "One image pixel per screen pixel")
        self.two_action = self._action("2:1", lambda: self.zoom_ratio(2), "Ctrl+2", "Magnify 2x, crisp pixels")
        self.four_action = self._action("4:1", lambda: self.zoom_ratio(4), "Ctrl+4", "Magnify 4x, crisp pixels")
        self.pane_actions = [
            self._action(
                f"Pane {n} alone", lambda *_, i=n - 1: self.toggle_solo(i), str(n), f"Show pane {n} alone (again: all)"
            )
            for n in range(1, MAX_PANE_KEYS + 1)
        ]
        self.split_action = self._action(
            "&Split", self.toggle_split, "S", "Swipe between the first two panes in the first pane", checkable=True
        )
        self.flicker_action = self._action(
            "F&licker",
            self.toggle_flicker,
            "Space",
            "Alternate the first pane between its image and the second pane's",
            checkable=True,
        )
        self.lr_pixels_action = self._action(
            "LR pixels 1:1",
            self.zoom_lr_pixels,
            "L",
            "One LR pixel per screen pixel: the LR at its own size, the other panes on the same region",
        )
        self.load_weights_action = self._action(
            "Load IRN weights…", self.load_weights_dialog, "Ctrl+W", "An official .pth or our .safetensors"
        )
        self.bundled_weights_action = self._action("Use bundled weights", lambda: self.controller.set_weights(None))
        self.jpeg_weights_action = self._action(
            "Use the JPEG-robust x2 model",
            self.use_jpeg_robust_model,
            tip="IRN x2 with a compression-restoration module: for an LR that will be stored as JPEG",
        )
        self.weights_info_action = self._action(
            "About the IRN weights…",
            self.show_weights_info,
            tip="How the weights in use were trained and how well they do",
        )
        self.load_sr_action = self._action(
            "Load SR model…",
            self.load_sr_dialog,
            tip="Any SR checkpoint spandrel recognises (ESRGAN, EDSR, RCAN, SwinIR, HAT, …) for the SR pane",
        )
        self.quit_action = self._action("&Quit", self.close, QKeySequence.Quit)
        self.save_lr_action = self._action(
            "Save IRN LR image…",
            lambda: self.save_dialog("irn_lr"),
            "Ctrl+S",
            "The file to store or send: lossless PNG with IRN metadata",
        )
        self.save_figure_action = self._action(
            "Save comparison figure…",
            self.save_figure_dialog,
            "Ctrl+Shift+S",
            "The visible region of each pane, side by side",
        )
        self.save_metrics_action = self._action("Save metrics (CSV)…", self.save_metrics_dialog)
        self.process_folder_action = self._action(
            "Process folder…",
            self.process_folder_dialog,
            "Ctrl+Shift+O",
            "Downscale, round-trip or restore every image of a folder, in the background",
        )
        self.presentation_action = self._action(
            "Presentation mode", self.toggle_presentation, "F11", "Full screen, large labels", checkable=True
        )
        self.blind_action = self._action(
            "Blind A/B test…",
            lambda: self.start_blind_test(),
            "Ctrl+B",
            "IRN and the best baseline unlabelled in random order: pick the better one, then see which was which",
        )
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
        self.scale_combo.currentIndexChanged.connect(lambda i: self.controller.set_scale(self.scale_combo.itemData(i)))
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
