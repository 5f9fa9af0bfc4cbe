"""The main window's file, model and information dialogs: a part of MainWindow."""

from __future__ import annotations

import html
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..model.kinds import KINDS
from ..model.readouts import best_baseline_kind

if TYPE_CHECKING:
    from .host import Host

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
    def __init__(self, window: Host):
        self.window = window
        self.prefs = window.prefs
        self.controller = window.controller
        self.blind_dialog: Any = None

    # ----- files -----
    def open_dialog(self) -> None:
        start = str(self.prefs.value("last_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self.window.as_widget(), "Open image", start, IMAGE_FILTER)
        if path:
            self.window.open_path(path)

    def remember_opened(self, path: str | Path) -> None:
        self.prefs.setValue("last_dir", str(Path(path).parent))
        recent = [str(path)] + [p for p in self.recent() if p != str(path)]
        self.prefs.setValue("recent", recent[:MAX_RECENT])
        self.rebuild_recent()

    def recent(self) -> list[str]:
        value: Any = self.prefs.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def rebuild_recent(self) -> None:
        self.window.menu_actions.recent_menu.clear()
        for path in self.recent():
            self.window.menu_actions.recent_menu.addAction(path, partial(self.window.open_path, path))
        self.window.menu_actions.recent_menu.setEnabled(bool(self.recent()))

    def process_folder_dialog(self) -> None:
        """Ask for a folder, where its results go and what to do, then process it in the background."""
        from PySide6.QtWidgets import QInputDialog

        from ..model.batch import OPERATION_LABELS

        start = str(self.prefs.value("last_dir", str(Path.home())))
        folder = QFileDialog.getExistingDirectory(self.window.as_widget(), "Folder of images to process", start)
        if not folder:
            return
        out = QFileDialog.getExistingDirectory(
            self.window.as_widget(), "Folder for the results (existing results are kept)", folder
        )
        if not out:
            return
        labels = list(OPERATION_LABELS.values())
        label, ok = QInputDialog.getItem(
            self.window.as_widget(), "Process folder", f"At x{self.controller.settings.scale}:", labels, 0, False
        )
        if ok:
            operation = next(k for k, v in OPERATION_LABELS.items() if v == label)
            if self.controller.session.process_folder(folder, out, operation):
                self.window.batch_dock.show()
                self.window.batch_dock.raise_()

    def load_weights_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window.as_widget(),
            "Load IRN weights",
            str(Path.home()),
            "Weights (*.safetensors *.pth *.pt);;All files (*)",
        )
        if path:
            self.controller.session.set_weights(path)

    def load_sr_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window.as_widget(),
            "Load SR model",
            str(Path.home()),
            "Models (*.pth *.pt *.safetensors *.ckpt);;All files (*)",
        )
        if path:
            self.controller.session.set_sr_model(path)

    # ----- saving -----
    def _ask_save_path(self, title: str, suggested: str, filter_: str) -> tuple[str, bool]:
        start = Path(str(self.prefs.value("save_dir", str(Path.home())))) / suggested
        # Qt's dialog asks before replacing an existing file, so a chosen existing path means "replace".
        path, _ = QFileDialog.getSaveFileName(self.window.as_widget(), title, str(start), filter_)
        if path:
            self.prefs.setValue("save_dir", str(Path(path).parent))
        return path, bool(path) and Path(path).exists()

    def _stem(self) -> str:
        image = self.window.store.image
        return image.path.stem if image is not None else "irn"

    def save_dialog(self, kind: str) -> None:
        state = self.window.store.state_of(kind)
        if state.stale and not self.window.confirm(
            "Save an out-of-date result?",
            f"{KINDS.get(kind, kind)} is out of date ({state.reason}): it does not match the present settings. "
            "Save it anyway (its file records the settings it was made with)?",
        ):
            return
        if kind == "irn_lr":
            self.window.show_message("info", "IRN LR: keep it lossless (PNG). JPEG or WebP destroy what IRN encoded.")
        suffix = {"irn_lr": "lr", "irn_hr": "restored"}.get(kind, kind.replace(":", "_"))
        path, overwrite = self._ask_save_path(
            f"Save {KINDS.get(kind, kind)}",
            f"{self._stem()}_x{self.controller.settings.scale}_{suffix}.png",
            "PNG (*.png)",
        )
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            self.controller.session.save_result(kind, path, overwrite=overwrite)

    def save_figure_dialog(self) -> None:
        path, overwrite = self._ask_save_path("Save comparison figure", f"{self._stem()}_comparison.png", "PNG (*.png)")
        if path:
            panels = [(p.kind, KINDS.get(p.kind, p.kind)) for p in self.window.pane_grid.panes]
            self.controller.session.save_figure(
                path, panels, self.window.pane_grid.panes[0].visible_region(), overwrite=overwrite
            )

    def save_metrics_dialog(self) -> None:
        path, overwrite = self._ask_save_path("Save metrics", f"{self._stem()}_metrics.csv", "CSV (*.csv)")
        if path:
            self.controller.session.save_metrics(path, overwrite=overwrite)

    def start_blind_test(self, *, trials: int = 10, seed: int | None = None):
        """IRN restored against the best baseline, unlabelled, over the region in view (BlindDialog)."""
        from ..model.blind import BlindTest
        from .views.blind import BlindDialog

        store = self.window.store
        kinds = [k for k in ("irn_hr", best_baseline_kind(store)) if store.state_of(k).current]
        if len(kinds) < 2:
            self.window.show_message(
                "error", "blind A/B test: run a comparison first (it shows IRN and the best baseline)"
            )
            return None
        region = self.window.pane_grid.panes[0].visible_region()
        dialog = BlindDialog(store, BlindTest(kinds, trials=trials, seed=seed), region, self.window.as_widget())
        dialog.save_requested.connect(self._save_blind_csv)
        dialog.open()
        self.blind_dialog = dialog
        return dialog

    def _save_blind_csv(self, text: str) -> None:
        path, overwrite = self._ask_save_path("Save blind test", f"{self._stem()}_blind_ab.csv", "CSV (*.csv)")
        if path:
            self.controller.session.save_text(path, text, overwrite=overwrite)

    def _table_box(self, title: str, rows: list[tuple[str, str]]) -> QMessageBox:
        """A non-modal message box showing (label, value) rows as a table."""
        cells = "".join(
            f"<tr><td valign='top'><b>{html.escape(k)}</b></td><td>&nbsp;&nbsp;{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        box = QMessageBox(self.window.as_widget())
        box.setWindowTitle(title)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table>{cells}</table>")
        box.open()
        return box

    def show_help(self) -> None:
        """The shortcuts over the whole window, larger in presentation mode."""
        from .views.help_overlay import HelpOverlay

        large = self.window.presentation.on
        self.help_box = HelpOverlay(self.window.as_widget(), SHORTCUTS_HELP, point_size=20 if large else 13)

    def show_weights_info(self) -> None:
        self.weights_box = self._table_box(
            f"IRN x{self.controller.settings.scale} weights", self.controller.weights_description()
        )
