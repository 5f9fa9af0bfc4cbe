"""Where a pyqtgraph view looks, in image pixels and screen pixels per image pixel."""

from __future__ import annotations

import pyqtgraph as pg


def zoom_of(view: pg.ViewBox) -> float:
    """Screen pixels per image pixel in ``view``."""
    (x0, x1), _ = view.viewRange()
    return view.size().width() / max(x1 - x0, 1e-9)


def look_at(view: pg.ViewBox, row: float, col: float, ratio: float) -> None:
    """Centre ``view`` on image point (row, col) at ``ratio`` screen pixels per image pixel."""
    size = view.size()
    half_w, half_h = size.width() / ratio / 2, size.height() / ratio / 2
    view.setRange(xRange=(col - half_w, col + half_w), yRange=(row - half_h, row + half_h), padding=0)


def fit_ratio(view: pg.ViewBox, size: tuple[int, int]) -> float:
    """The zoom at which an image of ``size`` (h, w) fills ``view`` along its limiting side."""
    h, w = size
    box = view.size()
    return max(min(box.width() / max(w, 1), box.height() / max(h, 1)), 1e-6)


def centre_of(view: pg.ViewBox) -> tuple[float, float]:
    """(row, col) of the image point at the centre of ``view``."""
    (x0, x1), (y0, y1) = view.viewRange()
    return (y0 + y1) / 2, (x0 + x1) / 2
