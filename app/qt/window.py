"""The main window, composed of parts: actions (menus, toolbar, shortcuts), the pane grid, the metrics,
explorer and folder docks, the status line, navigation, presentation, hold-to-compare and the dialogs.
Every part draws from the store and redraws on its ``changed`` event; none keeps state of its own that the
store should hold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QScrollArea, QVBoxLayout, QWidget

from ..model.kinds import KINDS
from ..model.wording import zoom_text
from .actions import WindowActions
from .controller import SessionController
from .dialogs import FileDialogs
from .geometry import zoom_of
from .hold_compare import HoldToCompare
from .navigation import Navigation
from .presentation import Presentation
from .screenshot import save_screenshot
from .views.batch import BatchPanel
from .views.explorer import LatentExplorer
from .views.metrics_dock import MetricsTable
from .views.pane_grid import PaneGrid
from .views.panes import ComparePane
from .views.status import StatusLine

LONG_JOB_SECONDS = 30  # a job a single key would start that is expected to take longer asks first


class MainWindow(QMainWindow):
    def __init__(self, controller: SessionController | None = None, *, settings: QSettings | None = None):
        super().__init__()
        self.controller = controller or SessionController(self)
        self.store = self.controller.store
        self.session = self.controller.session
        self.prefs = settings or QSettings("IRN Studio", "IRN Studio")
        self.confirm: Callable[[str, str], bool] = self._ask
        self.setWindowTitle("IRN Studio")
        self._fit_to_screen()
        self.setAcceptDrops(True)

        self.navigation = Navigation(self)
        self.presentation = Presentation(self)
        self.dialogs = FileDialogs(self)
        self.hold = HoldToCompare(self)
        self.menu_actions = WindowActions(self)
        self.menu_actions.build()
        self.toolbar = self.menu_actions.toolbar
        self.presentation_action = self.menu_actions.presentation_action
        self.flicker_action = self.menu_actions.flicker_action

        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#3c4043;color:#fdd663;padding:6px;")
        self.banner.hide()
        self._restore_prefs()
        self.pane_grid = PaneGrid(self.store, self.session.set_view)
        self.pane_grid.hovered.connect(self._on_hover)
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.pane_grid, 1)
        self.setCentralWidget(host)

        self.metrics_table = MetricsTable(self.store)
        self.metrics_dock = self._dock(
            "Metrics", "metricsDock", self.metrics_table, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.explorer = LatentExplorer(self.store, self.controller.session)
        scroller = QScrollArea()  # scrolls rather than forcing the window taller than a 720-line screen
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.explorer)
        self.explorer_scroller = scroller
        self._plot_to_reveal: Any = None
        self.explorer.plot_revealed.connect(self._scroll_to_plot)
        scroller.verticalScrollBar().rangeChanged.connect(self._reveal_plot)
        self.explorer_dock = self._dock(
            "Latent explorer", "explorerDock", scroller, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.batch_panel = BatchPanel(self.store, self.session.cancel_batch)
        self.batch_panel.open_requested.connect(self.open_path)
        self.batch_dock = self._dock(
            "Folder processing", "batchDock", self.batch_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.tabifyDockWidget(self.explorer_dock, self.batch_dock)
        self.explorer_dock.raise_()
        self.status = StatusLine(
            self.store, self.statusBar(), self.banner, cancel=self.session.cancel,
            device_text=self.controller.device_text, model_label=self.controller.model_label,
        )  # fmt: skip
        self.store.changed.connect(self._on_store_changed)
        self.controller.run_finished.connect(self._on_run_finished)
        # The images get the room: docks start narrow and short (the user can drag them wider).
        self.resizeDocks([self.explorer_dock], [330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.metrics_dock], [150], Qt.Orientation.Vertical)
        self._on_store_changed(frozenset({"image", "settings", "view", "info", "jobs", "metrics", "studies"}))

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.menu_actions.view_menu.addAction(dock.toggleViewAction())
        return dock

    def _fit_to_screen(self) -> None:
        """Open at 1400x900, or 90% of the screen where that is smaller (a 1280x720 laptop, a projector)."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width, height = 1400, 900
        if screen is not None:
            width, height = min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    # ----- redrawing from the store -----
    def _on_store_changed(self, aspects: frozenset[str]) -> None:
        if "image" in aspects and self.store.image is not None:
            self.setWindowTitle(f"IRN Studio — {self.store.image.path.name}")
        if aspects & {"results", "tiles", "view", "image", "settings", "metrics", "jobs"}:
            self.pane_grid.redraw(aspects)
        if aspects & {"metrics", "results", "settings", "view", "jobs", "image"}:
            self.metrics_table.redraw()
        if "view" in aspects:
            self.prefs.setValue("layout", self.store.view.layout)
            self.status.zoom_label.setText(zoom_text(zoom_of(self.pane_grid.leading_view())))
            if self.store.view.presentation == self.presentation.on:
                self.presentation.style_panes()
        if "metrics" in aspects:
            self.presentation.follow_best_baseline()
        self.explorer.redraw(aspects)
        self.status.redraw(aspects)
        self.menu_actions.redraw(aspects)
        self.batch_panel.redraw(aspects)

    def _on_run_finished(self) -> None:
        view, results = self.store.view, self.store.results
        if "sr" not in results and "lanczos" in results and "sr" in view.kinds:
            # no SR model at this scale: show the next best baseline
            self.session.set_view(kinds=tuple("lanczos" if k == "sr" else k for k in view.kinds))

    def _scroll_to_plot(self, plot: Any) -> None:
        # The scroll area resizes the explorer on posted events after the plot is shown, possibly
        # several and late on a loaded machine: follow each range change for a while, not one guess.
        self._plot_to_reveal = plot
        QTimer.singleShot(0, self._reveal_plot)
        QTimer.singleShot(1500, self._stop_revealing)

    def _reveal_plot(self) -> None:
        plot = self._plot_to_reveal
        if plot is None:
            return
        bar, top = self.explorer_scroller.verticalScrollBar(), plot.mapTo(self.explorer, QPoint(0, 0)).y()
        shown = self.explorer_scroller.viewport().height()
        bar.setValue(min(top, max(bar.value(), top + plot.height() - shown)))  # all of it, else its top

    def _stop_revealing(self) -> None:
        self._plot_to_reveal = None

    def _on_hover(self, row: float, col: float) -> None:
        if row < 0 or col < 0:
            return
        parts = [f"x={int(col)} y={int(row)}"]
        for pane in self.panes:
            value = pane.value_at(row, col)
            if value is not None:
                parts.append(f"{KINDS.get(pane.kind, pane.kind)} {value}")
        self.status.pixel_label.setText("   ".join(parts))

    # ----- what menus, keys and tests call -----
    @property
    def panes(self) -> list[ComparePane]:
        return self.pane_grid.panes

    def open_path(self, path: str | Path) -> bool:
        """Open an image; when a comparison of the open one exists, ask first."""
        computed = [k for k in self.store.results if k not in ("hr", "irn_lr")]
        if computed and not self.confirm(
            "Open another image?", "The comparison on screen will be closed (nothing unsaved is kept)."
        ):
            return False
        ok = self.session.open_image(path)
        if ok:
            self.dialogs.remember_opened(path)
        return ok

    def set_layout(self, name: str) -> None:
        self.session.set_view(layout=name, solo=None)

    def toggle_split(self, checked: bool | None = None) -> None:
        checked = self.menu_actions.split_action.isChecked() if checked is None else checked
        if not self.session.set_view(split=checked):  # the view refuses a split of one pane, and says why
            self.menu_actions.split_action.setChecked(False)

    def sample_from_key(self) -> None:
        """D: sample draws, asking first when that will take long on this image."""
        count = self.explorer.draws.value()
        seconds = self.store.timings.get("irn_hr")
        image = self.store.image
        pixels = 0 if image is None else image.pixels.shape[0] * image.pixels.shape[1]
        expected = count * seconds if seconds else count * pixels / 1e6 * 4  # ~4 s per megapixel on a CPU
        if expected > LONG_JOB_SECONDS and not self.confirm(
            "Sample draws?", f"{count} draws of this image will take about {expected / 60:.0f} min. Start?"
        ):
            return
        self.explorer.start_sampling(count)

    def show_message(self, level: str, text: str) -> None:
        self.status.show(level, text)

    def as_widget(self) -> QWidget:
        """The window as the parent of the dialogs its parts open."""
        return self

    def _ask(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
        return (
            QMessageBox.question(self, title, text, buttons, QMessageBox.StandardButton.Cancel)
            == QMessageBox.StandardButton.Yes
        )

    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(urls[0])

    # ----- lifetime -----
    def _restore_prefs(self) -> None:
        stored = {
            key: cast(self.prefs.value(key))
            for key, cast in (("seed", int), ("temperature", float), ("scale", int))
            if self.prefs.value(key) is not None
        }
        self.session.update_settings(**stored)
        layout = self.prefs.value("layout")
        if layout:
            self.session.set_view(layout=str(layout))

    def closeEvent(self, event: Any) -> None:
        self.hold.stop()
        s = self.store.settings
        for key, value in (("scale", s.scale), ("seed", s.seed), ("temperature", s.temperature)):
            self.prefs.setValue(key, value)
        self.prefs.sync()
        self.controller.shutdown()
        super().closeEvent(event)

    def grab_screenshot(self, path: str | Path, visible_ready: dict[int, float] | None = None) -> None:
        """The window as PNG at ``path`` and everything it shows as JSON beside it (``screenshot.describe``)."""
        save_screenshot(self, path, visible_ready)
