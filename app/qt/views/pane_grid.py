"""The grid of comparison panes: built from the store's layout, drawn from its results, and looking where its
view says. The panes are linked (same region, same zoom). A user's pan or zoom goes back to the store as
zoom and centre; the store's zoom (None: fit) and centre are re-applied whenever the panes' size changes,
so full screen, layouts and reruns keep the view, and Fit always fills the pane."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from ...model.readouts import shared_error_scale
from ...model.store import SessionStore
from ...model.view import LAYOUTS
from ..geometry import fit_ratio, look_at, zoom_of
from .panes import ComparePane

# A user's drag or wheel moves the range at every event: the store hears of it once the move rests. A move the
# store asked for (open, fit, zoom at, a key, a script) is one jump, reported at once: the region in view is
# what the workers compute first, so each millisecond here is one more before the panes fill in.
REPORT_DELAY_MS = 120


class PaneGrid(QWidget):
    hovered = Signal(float, float)

    def __init__(self, store: SessionStore, set_view: Callable[..., bool], parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.set_view = store, set_view
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(2, 2, 2, 2)
        self.grid.setSpacing(4)
        self.panes: list[ComparePane] = []
        self._layout = ""
        self._applied: tuple[Any, ...] | None = None  # the view range we set last: not a user's move
        self._report_timer = QTimer(self, singleShot=True, interval=REPORT_DELAY_MS)
        self._report_timer.timeout.connect(self._report_view)
        # Owned timers, not QTimer.singleShot: a timer dies with the grid, a posted call would not.
        self._apply_timer = QTimer(self, singleShot=True, interval=0)
        self._apply_timer.timeout.connect(self.apply_view)
        self.rebuild()

    # ----- building -----
    def rebuild(self) -> None:
        view = self.store.view
        rows, cols = LAYOUTS[view.layout]
        for pane in self.panes:
            self.grid.removeWidget(pane)
            pane.deleteLater()
        self.panes = []
        for i in range(rows * cols):
            pane = ComparePane(view.kinds[i])
            pane.hovered.connect(self.hovered)
            pane.kind_chosen.connect(lambda kind, i=i: self._choose(i, kind))
            pane.view.sigRangeChanged.connect(self._on_range_changed)
            pane.view.sigResized.connect(self._on_resized)
            self.grid.addWidget(pane, i // cols, i % cols)
            self.panes.append(pane)
        first = self.panes[0].view
        for pane in self.panes[1:]:
            pane.view.setXLink(first)
            pane.view.setYLink(first)
        self._layout = view.layout
        self.redraw()

    def _choose(self, index: int, kind: str) -> None:
        kinds = list(self.store.view.kinds)
        kinds[index] = kind
        self.set_view(kinds=tuple(kinds))

    # ----- drawing -----
    def redraw(self, aspects: frozenset[str] = frozenset({"view"})) -> None:
        view = self.store.view
        if view.layout != self._layout:
            self.rebuild()
            return
        for i, pane in enumerate(self.panes):
            pane.setVisible(view.solo is None or view.solo == i)
        kinds = [view.shown_kind(i) for i in range(len(self.panes))]
        shared = shared_error_scale(self.store, kinds + [k for k in (view.split_kind(0),) if k])
        for i, pane in enumerate(self.panes):
            pane.draw(self.store, kinds[i], view.split_kind(i), shared)
        if "image" in aspects:
            self._applied = None
            self.apply_view()  # now, before the first paint: a large photo is then drawn downsampled to the pane
        elif aspects & {"view"} or self._applied is None:
            self._apply_timer.start()

    def leading_view(self) -> Any:
        solo = self.store.view.solo
        return self.panes[solo if solo is not None and solo < len(self.panes) else 0].view

    def image_size(self) -> tuple[int, int] | None:
        return self.panes[0].image_size() if self.panes else None

    # ----- where the panes look -----
    def apply_view(self) -> None:
        """Put the store's zoom and centre on the leading pane (the others follow)."""
        size = self.image_size()
        if size is None or not self.panes:
            return
        view, lead = self.store.view, self.leading_view()
        if lead.size().width() < 2 or lead.size().height() < 2:
            return
        ratio = view.zoom if view.zoom is not None else fit_ratio(lead, size)
        row, col = view.centre if view.centre is not None and view.zoom is not None else (size[0] / 2, size[1] / 2)
        target = (round(ratio, 6), round(row, 3), round(col, 3), lead.size().width(), lead.size().height())
        if target == self._applied and self.store.view.region is not None:
            return
        self._applied = target
        look_at(lead, row, col, ratio)
        self._report_timer.start(0)  # after the range changes look_at caused, which asked for the delay

    def _on_resized(self, *_: object) -> None:
        width, height = self._lead_size()
        if self._applied is None or self._applied[3:] != (width, height):
            self._applied = None
            self._apply_timer.start()

    def _on_range_changed(self, *_: object) -> None:
        self._report_timer.start(REPORT_DELAY_MS)

    def _report_view(self) -> None:
        """Tell the store where the panes look: the region always; zoom and centre only for a user's move."""
        if not self.panes or self.image_size() is None or self._applied is None:
            return  # nothing laid out by us yet: not a user's move
        lead = self.leading_view()
        (x0, x1), (y0, y1) = lead.viewRange()
        ratio, centre = zoom_of(lead), ((y0 + y1) / 2, (x0 + x1) / 2)
        region = self.panes[0].visible_region() if self.store.view.solo is None else self._solo_region()
        applied = self._applied
        own = (
            applied is not None
            and abs(ratio - applied[0]) <= 1e-3 * applied[0]
            and (abs(centre[0] - applied[1]) < 0.5 and abs(centre[1] - applied[2]) < 0.5)
        )
        if own:
            self.set_view(region=region)
        else:
            self._applied = (round(ratio, 6), round(centre[0], 3), round(centre[1], 3), *self._lead_size())
            self.set_view(zoom=min(max(ratio, 1 / 64), 64.0), centre=centre, region=region)

    def _lead_size(self) -> tuple[float, float]:
        size = self.leading_view().size()
        return size.width(), size.height()

    def _solo_region(self) -> tuple[tuple[int, int], tuple[int, int]]:
        solo = self.store.view.solo
        return self.panes[solo if solo is not None else 0].visible_region()

    def settled(self) -> bool:
        """No view change is waiting to reach the store."""
        return not self._report_timer.isActive()

    def settle(self) -> None:
        """Apply the view now (before a screenshot): the layout has run, geometry is final."""
        self._applied = None
        self.apply_view()
        self._report_timer.stop()
        self._report_view()
