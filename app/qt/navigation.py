"""Where the panes look: fit and ratio zooms, the LR's own pixel size, one pane alone by its number (as tev
picks an image), centring on a point, and the demo's first look (where IRN and bicubic differ most). Every
move is a change of the store's view; the pane grid puts it on screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..control.focus import largest_difference_point
from .geometry import zoom_of

if TYPE_CHECKING:
    from .host import Host

MAX_PANE_KEYS = 4
DEMO_ZOOM = 2.0


class Navigation:
    def __init__(self, window: Host):
        self.window = window
        self.set_view = window.session.set_view

    def zoom_fit(self) -> None:
        self.set_view(zoom=None, centre=None)

    def zoom_ratio(self, ratio: float) -> None:
        """One image pixel on ``ratio`` screen pixels, around the present centre."""
        view = self.window.store.view
        centre = view.centre if view.zoom is not None else self._centre()
        self.set_view(zoom=ratio, centre=centre)

    def _centre(self) -> tuple[float, float] | None:
        lead = self.window.pane_grid.leading_view()
        (x0, x1), (y0, y1) = lead.viewRange()
        return (y0 + y1) / 2, (x0 + x1) / 2

    def zoom_lr_pixels(self) -> None:
        """One LR pixel per screen pixel: the LR at its own size, the other panes on the same region."""
        self.zoom_ratio(1 / max(self.window.store.settings.scale, 1))

    def look_at(self, row: float, col: float, ratio: float) -> None:
        self.set_view(zoom=ratio, centre=(row, col))

    def focus_largest_difference(self, ratio: float = DEMO_ZOOM) -> bool:
        """Centre every pane at ``ratio`` on where IRN and bicubic differ most; False, leaving the view
        alone, until both results are current."""
        point = largest_difference_point(self.window.store)
        if point is None:
            return False
        self.look_at(*point, ratio)
        self.window.statusBar().showMessage(
            f"showing where IRN and bicubic differ most, around x={point[1]} y={point[0]} (F: whole image)", 8000
        )
        return True

    def toggle_solo(self, index: int) -> None:
        """Show pane ``index`` (0-based) alone, same zoom and centre; the same number again shows them all."""
        view = self.window.store.view
        if index >= view.pane_count or view.pane_count < 2:
            return
        lead = self.window.pane_grid.leading_view()
        zoom = view.zoom if view.zoom is not None else None
        centre = view.centre if view.zoom is not None else None
        if zoom is None:  # a fitted view keeps its ratio and centre when one pane fills the area
            zoom, centre = zoom_of(lead), self._centre()
        solo = None if view.solo == index else index
        self.set_view(solo=solo, zoom=zoom, centre=centre)
        shown = "all panes" if solo is None else f"pane {index + 1} alone (press {index + 1} again for all)"
        self.window.statusBar().showMessage(f"showing {shown}", 4000)
