"""A comparison pane: one result kind (or two, split by a draggable line) drawn from the store, with crisp
pixels, a colour bar for maps, tiles while it is computed, and a badge on the image when it is not current."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...model.kinds import KINDS, LR_KINDS
from ...model.readouts import pane_caption
from ...model.results import SessionResult
from .split_line import SplitLine

if TYPE_CHECKING:
    from ...model.store import SessionStore

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, background="#202124", foreground="#e8eaed")
ERROR_COLORMAP = pg.colormap.get("inferno")
SIGNED_COLORMAP = pg.colormap.get("CET-D1")  # diverging: blue darker than the original, red brighter
COLORBAR_COLUMN_PX = 64
STALE_OPACITY = 0.4
BADGE_STYLE = {
    "stale": "background:#e37400;color:#ffffff;font-weight:bold;padding:3px 6px;border-radius:3px;",
    "pending": "background:#3c4043;color:#fdd663;font-weight:bold;padding:3px 6px;border-radius:3px;",
}


def is_colormapped(kind: str) -> bool:
    """Single-channel results (error and std maps) are shown through a colour map with a colour bar."""
    return kind.startswith(("error:", "flip:", "signed:")) or kind == "std_map"


def colour_unit(kind: str) -> str:
    if kind.startswith("flip:"):
        return "FLIP (0 = looks the same)"
    if kind.startswith("signed:"):
        return "luma x − HR (8-bit levels)"
    return "std over draws (levels)" if kind == "std_map" else "|x − HR| (8-bit levels)"


class ComparePane(QWidget):
    """Signals: hovered(row, col) in HR pixel coordinates; kind_chosen(kind) when the user picks a kind."""

    hovered = Signal(float, float)
    kind_chosen = Signal(str)

    def __init__(self, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.split_kind: str | None = None
        self.error_scale: float | None = None
        self.state = "missing"
        self._results: dict[str, SessionResult] = {}
        self._drawn: tuple = ()
        self._tiles: list[pg.ImageItem] = []
        self._tile_source: list = []

        self.selector = QComboBox()
        for key, text in KINDS.items():
            self.selector.addItem(text, key)
        self.selector.setCurrentIndex(max(0, self.selector.findData(kind)))
        self.selector.currentIndexChanged.connect(lambda i: self.kind_chosen.emit(self.selector.itemData(i)))
        self.selector.setToolTip("What this pane shows")
        self.caption = QLabel("")
        self.caption.setObjectName("paneCaption")
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long caption is clipped, never widens its pane; the whole text is in the tooltip.
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        header = QHBoxLayout()
        header.setContentsMargins(2, 2, 2, 2)
        header.addWidget(self.selector)
        header.addWidget(self.caption, 1)

        self.graphics = pg.GraphicsLayoutWidget()
        self.view: pg.ViewBox = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.view.disableAutoRange()  # where the pane looks is the store's view, never the items' bounds
        self.image = pg.ImageItem()
        self.split_image = pg.ImageItem()
        self.split_image.setZValue(1)
        self.view.addItem(self.image)
        self.view.addItem(self.split_image)
        self.split = SplitLine(self.view, self._on_split_moved)
        self.colorbar = pg.ColorBarItem(colorMap=ERROR_COLORMAP, values=(0, 0.1), interactive=False, width=12)
        self.graphics.addItem(self.colorbar)
        # Every pane keeps the colour bar's column, shown or not: equal image areas and zoom across panes.
        self.graphics.ci.layout.setColumnFixedWidth(1, COLORBAR_COLUMN_PX)
        self.colorbar.hide()
        self.empty_text = pg.TextItem("", color="#9aa0a6", anchor=(0.5, 0.5))
        self.view.addItem(self.empty_text, ignoreBounds=True)
        # The badge sits on the image area itself, fixed on screen, never at the end of a clipped caption.
        self.badge = QLabel("", self.graphics)
        self.badge.setObjectName("paneBadge")
        self.badge.move(6, 6)
        self.badge.hide()
        self.view.sigRangeChanged.connect(self._centre_empty_text)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.graphics, 1)

    # ----- drawing from the store -----
    def set_kind(self, kind: str) -> None:
        """As if the user picked ``kind`` in the selector."""
        index = self.selector.findData(kind)
        if index >= 0 and index != self.selector.currentIndex():
            self.selector.setCurrentIndex(index)
        elif index >= 0:
            self.kind_chosen.emit(kind)

    def shown_kinds(self) -> list[str]:
        return [self.kind] + ([self.split_kind] if self.split_kind is not None else [])

    def draw(self, store: SessionStore, kind: str, split_kind: str | None, error_scale: float | None) -> None:
        """Show ``kind`` (and ``split_kind`` right of the line) as the store holds them. Pixels are redrawn only
        when the result, its state or the colour scale changed: a run sends about twenty results."""
        if kind != self.kind or split_kind != self.split_kind:
            self.kind = kind
            self._set_split(split_kind)
            self.selector.blockSignals(True)
            self.selector.setCurrentIndex(max(0, self.selector.findData(kind)))
            self.selector.blockSignals(False)
        self._results = store.results
        result, state = store.results.get(kind), store.state_of(kind)
        other = store.results.get(split_kind) if split_kind else None
        key = (kind, id(result), split_kind, id(other), error_scale if is_colormapped(kind) else None, state.status)
        if key != self._drawn:
            self._drawn, self.error_scale = key, error_scale
            self.colorbar.hide()
            self._show(self.image, result)
            self._show(self.split_image, other, columns_from=self.split.position if other is not None else None)
            self.image.setOpacity(STALE_OPACITY if state.stale else 1.0)
            self.split.place_labels()
        self.state = state.status
        self._draw_tiles(store.tiles.get(kind, []))
        badge = state.badge()
        self.badge.setText(badge)
        self.badge.setStyleSheet(BADGE_STYLE["stale" if state.stale else "pending"])
        self.badge.setToolTip(badge)
        self.badge.adjustSize()
        self.badge.setVisible(bool(badge) and result is not None)
        self._set_empty_text(store, result, state.status)
        text = pane_caption(store, kind)
        self.caption.setText(text)
        self.caption.setToolTip(text)

    def _set_empty_text(self, store: SessionStore, result: SessionResult | None, status: str) -> None:
        label = KINDS.get(self.kind, self.kind)
        if result is not None:
            self.empty_text.setText("")
        elif store.image is None:
            self.empty_text.setText("Open an image (Ctrl+O) or drop one here")
        elif status == "pending":
            self.empty_text.setText(f"{label}: computing…")
        else:
            self.empty_text.setText(f"{label}: not computed yet (Run, Ctrl+R)")
        self._centre_empty_text()

    def _rect_for(self, result: SessionResult) -> QRectF:
        h, w = result.display.shape[:2]
        factor = (result.scale or 1) if result.kind in LR_KINDS else 1  # an LR covers the HR it stands for
        return QRectF(0, 0, w * factor, h * factor)

    def _show(self, item: pg.ImageItem, result: SessionResult | None, *, columns_from: float | None = None) -> None:
        if result is None:
            item.clear()
            return
        data, rect = result.display, self._rect_for(result)
        if columns_from is not None:
            factor = rect.width() / data.shape[1]
            first = int(np.clip(round(columns_from / factor), 0, data.shape[1]))
            data = data[:, first:]
            rect = QRectF(first * factor, 0, rect.width() - first * factor, rect.height())
            if data.shape[1] == 0:
                item.clear()
                return
        if is_colormapped(result.kind):
            self._show_map(item, result.kind, data, result.top_level())
        else:
            item.setLookupTable(None)
            item.setImage(data, levels=None, autoLevels=False)  # uint8 as it is: no rescale of every pixel
        item.setRect(rect)

    def _show_map(self, item: pg.ImageItem, kind: str, data: np.ndarray, own_top: float | None) -> None:
        """A map in its colours: FLIP on its absolute 0-1 scale, error and signed maps on the scale shared by
        the maps shown (else their own), with the colour bar."""
        signed, flip = kind.startswith("signed:"), kind.startswith("flip:")
        shared = self.error_scale if kind.startswith(("error:", "signed:")) else None
        top = 1.0 if flip else (shared or own_top or 1e-3)
        levels = (-top, top) if signed else (0, top)
        colormap = SIGNED_COLORMAP if signed else ERROR_COLORMAP
        item.setImage(data, levels=levels, autoLevels=False)
        item.setColorMap(colormap)
        self.colorbar.setColorMap(colormap)
        self.colorbar.setLevels(levels)
        self.colorbar.axis.setLabel(colour_unit(kind))
        self.colorbar.show()

    def _draw_tiles(self, tiles: list) -> None:
        if tiles is not self._tile_source or len(tiles) < len(self._tiles):
            for item in self._tiles:
                self.view.removeItem(item)
            self._tiles, self._tile_source = [], tiles
        for tile in tiles[len(self._tiles) :]:
            if tile.pixels.ndim == 2:  # a map of the region computed first
                item = pg.ImageItem()
                self._show_map(item, tile.kind, tile.pixels, tile.top)
            else:
                item = pg.ImageItem(tile.pixels, levels=None, autoLevels=False)  # uint8 as it is: no rescale
            item.setRect(QRectF(tile.col, tile.row, tile.pixels.shape[1], tile.pixels.shape[0]))
            item.setZValue(0.5)
            self.view.addItem(item)
            self._tiles.append(item)

    @property
    def tile_count(self) -> int:
        return len(self._tiles)

    def _centre_empty_text(self, *_: object) -> None:
        (x0, x1), (y0, y1) = self.view.viewRange()
        self.empty_text.setPos((x0 + x1) / 2, (y0 + y1) / 2)

    # ----- split (swipe) view -----
    def _set_split(self, other_kind: str | None) -> None:
        self.split_kind = other_kind
        if other_kind is None:
            self.split.hide()
        else:
            self.split.show(self.kind, other_kind)

    def split_label_texts(self) -> tuple[str, str]:
        return self.split.label_texts()

    def _on_split_moved(self) -> None:
        if self.split_kind is not None:
            self._show(self.split_image, self._results.get(self.split_kind), columns_from=self.split.position)

    # ----- geometry -----
    def image_size(self) -> tuple[int, int] | None:
        for kind in ("hr", self.kind, "irn_hr", "irn_lr"):
            result = self._results.get(kind)
            if result is not None:
                rect = self._rect_for(result)
                return int(rect.height()), int(rect.width())
        return None

    def visible_region(self) -> tuple[tuple[int, int], tuple[int, int]]:
        (x0, x1), (y0, y1) = self.view.viewRange()
        return (int(np.floor(y0)), int(np.ceil(y1))), (int(np.floor(x0)), int(np.ceil(x1)))

    def _on_mouse_moved(self, pos: object) -> None:
        if self.view.sceneBoundingRect().contains(pos):
            point = self.view.mapSceneToView(pos)
            self.hovered.emit(point.y(), point.x())

    def value_at(self, row: float, col: float) -> tuple | None:
        """The displayed value of this pane's result at HR pixel (row, col), or None outside it."""
        result = self._results.get(self.kind)
        if result is None:
            return None
        rect = self._rect_for(result)
        factor = rect.width() / result.display.shape[1]
        r, c = int(row // factor), int(col // factor)
        if not (0 <= r < result.display.shape[0] and 0 <= c < result.display.shape[1]):
            return None
        value = result.display[r, c]
        if np.ndim(value):
            return tuple(int(v) for v in value)
        if self.kind.startswith("flip:"):
            return (f"FLIP {float(value):.3f}",)
        return (f"{float(value):+.1f} levels",) if self.kind.startswith("signed:") else (f"{float(value):.1f} levels",)
