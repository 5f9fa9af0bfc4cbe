"""Comparison panes: pyqtgraph ViewBoxes with crisp pixels, linked zoom, split (swipe) and error maps."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...model.kinds import KINDS, LR_KINDS
from ...model.session import SessionResult as Result

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, background="#202124", foreground="#e8eaed")
ERROR_COLORMAP = pg.colormap.get("inferno")
SIGNED_COLORMAP = pg.colormap.get("CET-D1")  # diverging: blue darker than the original, red brighter


def is_colormapped(kind: str) -> bool:
    """Single-channel results (error and std maps) are shown through a colour map with a colour bar."""
    return kind.startswith(("error:", "flip:", "signed:")) or kind == "std_map"


COLORBAR_COLUMN_PX = 64


class ComparePane(QWidget):
    """One view of one result kind (or two, split by a draggable line).

    Signals: hovered(row, col) in HR pixel coordinates; kind_changed(kind).
    """

    hovered = Signal(float, float)
    kind_changed = Signal(str)

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.split_kind: str | None = None
        self.scale = 1
        self._split_x: float | None = None
        self._results: dict[str, Result] = {}
        self.error_scale: float | None = None
        self._tiles: list[pg.ImageItem] = []

        self.selector = QComboBox()
        for key, label in KINDS.items():
            self.selector.addItem(label, key)
        self.selector.setCurrentIndex(max(0, self.selector.findData(kind)))
        self.selector.currentIndexChanged.connect(self._on_selected)
        self.selector.setToolTip("What this pane shows")
        self.caption = QLabel("")
        self.caption.setObjectName("paneCaption")
        self.caption.setTextInteractionFlags(Qt.TextSelectableByMouse)
        header = QHBoxLayout()
        header.setContentsMargins(2, 2, 2, 2)
        header.addWidget(self.selector)
        # A long caption (metrics and where the result came from) is clipped, never widens its pane;
        # the whole text is in the tooltip.
        self.caption.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        header.addWidget(self.caption, 1)

        self.graphics = pg.GraphicsLayoutWidget()
        self.view: pg.ViewBox = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.image = pg.ImageItem()
        self.split_image = pg.ImageItem()
        self.split_image.setZValue(1)
        self.view.addItem(self.image)
        self.view.addItem(self.split_image)
        self.split_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#fbbc04", width=2))
        self.split_line.setZValue(10)
        self.split_line.addMarker("<|>", position=0.5, size=22)  # the handle to drag, half-way down
        self.split_line.sigPositionChanged.connect(self._on_split_moved)
        # What each side of the line shows, at the top beside it (as imgsli labels its two images).
        self.split_labels = (
            pg.TextItem("", color="#ffffff", fill=pg.mkBrush(32, 33, 36, 200), anchor=(1, 0)),
            pg.TextItem("", color="#ffffff", fill=pg.mkBrush(32, 33, 36, 200), anchor=(0, 0)),
        )
        for label in self.split_labels:
            label.setZValue(11)
        # the label goes on the value axis only (ColorBarItem(label=) labels the other side too)
        self.colorbar = pg.ColorBarItem(colorMap=ERROR_COLORMAP, values=(0, 0.1), interactive=False, width=12)
        self.graphics.addItem(self.colorbar)
        # Every pane keeps the colour bar's column, shown or not, so an error map never makes its pane's
        # image area smaller than its neighbours' (equal geometry and zoom across panes).
        self.graphics.ci.layout.setColumnFixedWidth(1, COLORBAR_COLUMN_PX)
        self.colorbar.hide()
        self.empty_text = pg.TextItem("", color="#9aa0a6", anchor=(0.5, 0.5))
        self.view.addItem(self.empty_text)
        self.view.sigRangeChanged.connect(self._centre_empty_text)
        self.view.sigRangeChanged.connect(self._place_split_labels)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.graphics, 1)

    # ----- content -----
    def set_kind(self, kind: str) -> None:
        index = self.selector.findData(kind)
        if index >= 0:
            self.selector.setCurrentIndex(index)

    def _on_selected(self, index: int) -> None:
        self.kind = self.selector.itemData(index)
        self.clear_tiles()
        self.refresh()
        self.kind_changed.emit(self.kind)

    def shown_kinds(self) -> list[str]:
        """The kinds this pane draws: its own and, in a split view, the other side's."""
        return [self.kind] + ([self.split_kind] if self.split_kind is not None else [])

    def set_results(
        self,
        results: dict[str, Result],
        scale: int,
        *,
        error_scale: float | None = None,
        changed: str | None = None,
    ) -> None:
        """error_scale: the levels at which every error pane's colours saturate (shared; None: its own).
        changed: the one kind that is new, when only one is: the pane redraws only if it shows that kind or
        its scale changed (a run sends about twenty results; redrawing every pane for each froze the GUI
        for up to a quarter of a second)."""
        shows_error_map = any(k.startswith(("error:", "signed:")) for k in self.shown_kinds())
        redraw = (
            changed is None
            or changed in self.shown_kinds()
            or scale != self.scale
            or (error_scale != self.error_scale and shows_error_map)
            or not self._results
        )
        self._results, self.scale, self.error_scale = results, scale, error_scale
        if redraw:
            self.refresh()

    def _rect_for(self, result: Result) -> QRectF:
        h, w = result.display.shape[:2]
        factor = self.scale if result.kind in LR_KINDS else 1  # an LR covers the HR it stands for
        return QRectF(0, 0, w * factor, h * factor)

    def _show(self, item: pg.ImageItem, result: Result | None, *, columns_from: float | None = None) -> None:
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
            shared = self.error_scale if result.kind.startswith(("error:", "signed:")) else None
            flip, signed = result.kind.startswith("flip:"), result.kind.startswith("signed:")
            top = 1.0 if flip else (shared or result.top_level() or 1e-3)  # FLIP's scale is absolute, 0-1
            levels = (-top, top) if signed else (0, top)
            item.setImage(data, levels=levels, autoLevels=False)
            item.setColorMap(SIGNED_COLORMAP if signed else ERROR_COLORMAP)
            self.colorbar.setColorMap(SIGNED_COLORMAP if signed else ERROR_COLORMAP)
            self.colorbar.setLevels(levels)
            if flip:
                unit = "FLIP (0 = looks the same)"
            elif signed:
                unit = "luma x − HR (8-bit levels)"
            else:
                unit = "std over draws (levels)" if result.kind == "std_map" else "|x − HR| (8-bit levels)"
            self.colorbar.axis.setLabel(unit)
            self.colorbar.show()
        else:
            item.setLookupTable(None)
            item.setImage(data, levels=(0, 255), autoLevels=False)
        item.setRect(rect)

    def refresh(self) -> None:
        result = self._results.get(self.kind)
        self.colorbar.hide()
        self._show(self.image, result)
        if self.split_kind is not None and result is not None:
            self._show(self.split_image, self._results.get(self.split_kind), columns_from=self._split_position())
        else:
            self.split_image.clear()
        self._place_split_labels()
        label = KINDS.get(self.kind, self.kind)
        if self.split_kind is not None:
            label = f"{label}  |  {KINDS.get(self.split_kind, self.split_kind)}"
        if result is not None:
            self.empty_text.setText("")
            return
        if not self._results:
            self.empty_text.setText("Open an image (Ctrl+O) or drop one here")
        else:
            self.empty_text.setText(f"{label}: not computed yet (Run, Ctrl+R)")
        self._centre_empty_text()

    def _centre_empty_text(self, *_) -> None:
        (x0, x1), (y0, y1) = self.view.viewRange()
        self.empty_text.setPos((x0 + x1) / 2, (y0 + y1) / 2)  # centred in what the pane shows

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)
        self.caption.setToolTip(text)

    # ----- progressive tiles -----
    def add_tile(self, row: int, col: int, pixels: np.ndarray) -> None:
        item = pg.ImageItem(pixels, levels=(0, 255), autoLevels=False)
        item.setRect(QRectF(col, row, pixels.shape[1], pixels.shape[0]))
        item.setZValue(0.5)
        self.view.addItem(item)
        self._tiles.append(item)

    def clear_tiles(self) -> None:
        for item in self._tiles:
            self.view.removeItem(item)
        self._tiles.clear()

    # ----- split (swipe) view -----
    def set_split(self, other_kind: str | None) -> None:
        self.split_kind = other_kind
        items = (self.split_line, *self.split_labels)
        if other_kind is None:
            for item in items:
                if item.scene() is not None:
                    self.view.removeItem(item)
        else:
            for item in items:
                if item.scene() is None:
                    self.view.addItem(item, ignoreBounds=True)
            (x0, x1), _ = self.view.viewRange()
            self.split_line.setValue((x0 + x1) / 2)
        self.refresh()
        self._place_split_labels()

    def split_label_texts(self) -> tuple[str, str]:
        """(left, right) labels of the split view; empty without one."""
        return self.split_labels[0].toPlainText(), self.split_labels[1].toPlainText()

    def _place_split_labels(self, *_) -> None:
        if self.split_kind is None:
            return
        left, right = self.split_labels
        left.setText(f"{KINDS.get(self.kind, self.kind)} ◂")
        right.setText(f"▸ {KINDS.get(self.split_kind, self.split_kind)}")
        _, (y0, y1) = self.view.viewRange()
        x, top = self._split_position(), y0 + (y1 - y0) * 0.01
        left.setPos(x, top)
        right.setPos(x, top)

    def _split_position(self) -> float:
        return float(self.split_line.value())

    def _on_split_moved(self) -> None:
        if self.split_kind is not None:
            self._show(self.split_image, self._results.get(self.split_kind), columns_from=self._split_position())
            self._place_split_labels()

    # ----- geometry -----
    def image_size(self) -> tuple[int, int] | None:
        for kind in ("hr", self.kind):
            result = self._results.get(kind)
            if result is not None:
                rect = self._rect_for(result)
                return int(rect.height()), int(rect.width())
        return None

    def visible_region(self) -> tuple[tuple[int, int], tuple[int, int]]:
        (x0, x1), (y0, y1) = self.view.viewRange()
        return (int(np.floor(y0)), int(np.ceil(y1))), (int(np.floor(x0)), int(np.ceil(x1)))

    def _on_mouse_moved(self, pos) -> None:
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


def zoom_of(view: pg.ViewBox) -> float:
    """Screen pixels per image pixel in ``view``."""
    (x0, x1), _ = view.viewRange()
    return view.sceneBoundingRect().width() / max(x1 - x0, 1e-9)


def zoom_to_ratio(view: pg.ViewBox, ratio: float) -> None:
    """Zoom so that one image pixel covers ``ratio`` screen pixels, keeping the centre."""
    (x0, x1), (y0, y1) = view.viewRange()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    size = view.size()
    half_w, half_h = size.width() / ratio / 2, size.height() / ratio / 2
    view.setRange(xRange=(cx - half_w, cx + half_w), yRange=(cy - half_h, cy + half_h), padding=0)
