"""The main window's file, model and information dialogs (a mixin of MainWindow)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..model.kinds import KINDS

SHORTCUTS_HELP = [
    ("Ctrl+O", "open an image (or drop one on the window)"),
    ("Ctrl+R", "run IRN and the baselines"),
    ("Esc", "cancel the running job"),
    ("F / Ctrl+1 / Ctrl+2 / Ctrl+4", "fit, 1:1, 2:1, 4:1 zoom (all panes follow)"),
    ("1 … 4", "show that pane alone, same zoom (again: all panes)"),
    ("S", "split (swipe) view of the first two panes"),
    ("Space", "flicker between the first two panes"),
    ("L", "one LR pixel per screen pixel (the LR at its own size)"),
    ("N", "new latent draw"),
    ("D", "sample N draws"),
    ("Ctrl+S", "save the IRN LR image (lossless PNG)"),
    ("Ctrl+Shift+S", "save a comparison figure"),
    ("Ctrl+Shift+O", "process a whole folder"),
    ("F11", "presentation mode"),
    ("hold H", "the first pane shows the second pane's result until H is released"),
    ("Ctrl+B", "blind A/B test (← / → pick, Backspace undo)"),
    ("?", "this help"),
    ("Ctrl+Q", "quit"),
]
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.webp *.heic *.heif *.avif);;All files (*)"
MAX_RECENT = 8


class FileDialogs:
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

    def process_folder_dialog(self) -> None:
        """Ask for a folder, where its results go and what to do, then process it in the background."""
        from PySide6.QtWidgets import QInputDialog

        from ..model.batch import OPERATION_LABELS

        start = self.settings.value("last_dir", str(Path.home()))
        folder = QFileDialog.getExistingDirectory(self, "Folder of images to process", start)
        if not folder:
            return
        out = QFileDialog.getExistingDirectory(self, "Folder for the results (existing results are kept)", folder)
        if not out:
            return
        labels = list(OPERATION_LABELS.values())
        label, ok = QInputDialog.getItem(
            self, "Process folder", f"At x{self.controller.settings.scale}:", labels, 0, False
        )
        if ok:
            operation = next(k for k, v in OPERATION_LABELS.items() if v == label)
            if self.controller.process_folder(folder, out, operation):
                self.batch_dock.show()
                self.batch_dock.raise_()

    def load_weights_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load IRN weights", str(Path.home()), "Weights (*.safetensors *.pth *.pt);;All files (*)"
        )
        if path:
            self.controller.set_weights(path)

    def load_sr_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load SR model", str(Path.home()), "Models (*.pth *.pt *.safetensors *.ckpt);;All files (*)"
        )
        if path:
            self.controller.set_sr_model(path)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(urls[0])

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
        path, overwrite = self._ask_save_path(
            f"Save {KINDS.get(kind, kind)}",
            f"{self._stem()}_x{self.controller.settings.scale}_{suffix}.png",
            "PNG (*.png)",
        )
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            self.controller.save_result(kind, path, overwrite=overwrite)

    def save_figure_dialog(self) -> None:
        path, overwrite = self._ask_save_path("Save comparison figure", f"{self._stem()}_comparison.png", "PNG (*.png)")
        if path:
            panels = [(p.kind, KINDS.get(p.kind, p.kind)) for p in self.panes]
            self.controller.save_figure(path, panels, self.panes[0].visible_region(), overwrite=overwrite)

    def save_metrics_dialog(self) -> None:
        path, overwrite = self._ask_save_path("Save metrics", f"{self._stem()}_metrics.csv", "CSV (*.csv)")
        if path:
            self.controller.save_metrics(path, overwrite=overwrite)

    def start_blind_test(self, *, trials: int = 10, seed: int | None = None):
        """IRN restored against the best baseline, unlabelled, over the region in view (BlindDialog)."""
        from ..model.blind import BlindTest
        from .views.blind import BlindDialog

        session = self.controller.session
        kinds = [k for k in ("irn_hr", session.best_baseline_kind()) if k in session.results and session.is_current(k)]
        if len(kinds) < 2:
            self.show_message("error", "blind A/B test: run a comparison first (it shows IRN and the best baseline)")
            return None
        dialog = BlindDialog(session, BlindTest(kinds, trials=trials, seed=seed), self.panes[0].visible_region(), self)
        dialog.save_requested.connect(self._save_blind_csv)
        dialog.open()
        self.blind_dialog = dialog
        return dialog

    def _save_blind_csv(self, text: str) -> None:
        path, overwrite = self._ask_save_path("Save blind test", f"{self._stem()}_blind_ab.csv", "CSV (*.csv)")
        if path:
            self.controller.save_text(path, text, overwrite=overwrite)

    def _table_box(self, title: str, rows: list[tuple[str, str]]) -> QMessageBox:
        """A non-modal message box showing (label, value) rows as a table."""
        cells = "".join(
            f"<tr><td valign='top'><b>{html.escape(k)}</b></td><td>&nbsp;&nbsp;{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        box = QMessageBox(self)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.RichText)
        box.setText(f"<table>{cells}</table>")
        box.open()
        return box

    def show_help(self) -> None:
        """The shortcuts over the whole window, larger in presentation mode."""
        from .views.help_overlay import HelpOverlay

        large = self.presentation_action.isChecked()
        self.help_box = HelpOverlay(self, SHORTCUTS_HELP, point_size=20 if large else 13)

    def show_weights_info(self) -> None:
        self.weights_box = self._table_box(
            f"IRN x{self.controller.settings.scale} weights", self.controller.weights_description()
        )
