"""Where the panes look (a mixin of MainWindow): fit and ratio zooms, the LR's own pixel size, one pane
alone by its number (as tev picks an image), centring on a point, and the demo's first look: where IRN
and bicubic differ most.

Every move keeps the panes linked: they show the same region at the same zoom. Showing one pane alone
keeps the zoom ratio and the centre, so pressing its number again returns to the same view.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

from ..model.focus import largest_difference_point
from .views.panes import zoom_of, zoom_to_ratio

MAX_PANE_KEYS = 4
DEMO_ZOOM = 2.0


def centre_of(view) -> tuple[float, float]:
    """(row, col) of the image point at the centre of ``view``."""
    (x0, x1), (y0, y1) = view.viewRange()
    return (y0 + y1) / 2, (x0 + x1) / 2


def look_at(view, row: float, col: float, ratio: float) -> None:
    """Centre ``view`` on image point (row, col) at ``ratio`` screen pixels per image pixel."""
    size = view.size()
    half_w, half_h = size.width() / ratio / 2, size.height() / ratio / 2
    view.setRange(xRange=(col - half_w, col + half_w), yRange=(row - half_h, row + half_h), padding=0)


class NavigationMixin:
    """For MainWindow (needs ``panes`` and ``grid``)."""

    solo_index: int | None = None

    def zoom_fit(self) -> None:
        size = self.panes[0].image_size() if self.panes else None
        if size:
            h, w = size
            self.leading_view().setRange(xRange=(0, w), yRange=(0, h), padding=0.02)

    def zoom_ratio(self, ratio: float) -> None:
        if self.panes:
            zoom_to_ratio(self.leading_view(), ratio)

    def zoom_lr_pixels(self) -> None:
        """One LR pixel per screen pixel: the LR at its own size, aligned with the other panes, which show
        the same region (the HR results then at 1/scale)."""
        self.zoom_ratio(1 / max(self.controller.settings.scale, 1))

    def leading_view(self):
        """The view box the others follow: the pane shown alone, else the first."""
        index = self.solo_index if self.solo_index is not None else 0
        return self.panes[index].view

    def look_at(self, row: float, col: float, ratio: float) -> None:
        if self.panes:
            look_at(self.leading_view(), row, col, ratio)

    def focus_largest_difference(self, ratio: float = DEMO_ZOOM) -> bool:
        """Centre every pane at ``ratio`` on where IRN and bicubic differ most (the region metrics follow);
        False, leaving the view alone, until both results are current."""
        point = largest_difference_point(self.controller.session)
        if point is None:
            return False
        self.look_at(*point, ratio)
        self.statusBar().showMessage(
            f"showing where IRN and bicubic differ most, around x={point[1]} y={point[0]} (F: whole image)", 8000
        )
        return True

    def toggle_solo(self, index: int) -> None:
        """Show pane ``index`` (0-based) alone in the whole comparison area, same zoom and centre; the same
        number again (or another layout) shows them all."""
        if index >= len(self.panes) or len(self.panes) < 2:
            return
        view = self.leading_view()
        ratio, (row, col) = zoom_of(view), centre_of(view)
        self.solo_index = None if self.solo_index == index else index
        for i, pane in enumerate(self.panes):
            pane.setVisible(self.solo_index is None or i == self.solo_index)
        # The new geometry is known once the layout has run: keep the zoom and centre then.
        QTimer.singleShot(0, lambda: self.look_at(row, col, ratio))
        shown = "all panes" if self.solo_index is None else f"pane {index + 1} alone (press {index + 1} again for all)"
        self.statusBar().showMessage(f"showing {shown}", 4000)
