"""Machine-readable screenshots: the window as PNG and, beside it, everything it shows as JSON, both taken
from one settled geometry (the layout has run, the view is applied) so the record matches the picture."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtWidgets import QApplication

from irn_core.io.writing import write_bytes_atomic

from ..model.readouts import metrics_record, pane_record, study_curves, visible_computed
from .geometry import zoom_of

if TYPE_CHECKING:
    from .host import Host


def settle(window: Host) -> None:
    """Let layouts run and apply the store's view to the final pane sizes."""
    for _ in range(3):
        QApplication.processEvents()
    window.pane_grid.settle()
    for _ in range(2):
        QApplication.processEvents()


def visible_regions(window: Host) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The image region each pane shows, clipped to the image."""
    out = []
    for pane in window.panes:
        (r0, r1), (c0, c1) = pane.visible_region()
        size = pane.image_size()
        if size is not None:
            r0, r1, c0, c1 = max(0, r0), min(size[0], r1), max(0, c0), min(size[1], c1)
        out.append(((r0, r1), (c0, c1)))
    return out


def describe(window: Host, visible_ready: dict[int, float] | None = None) -> dict[str, Any]:
    """Window, screen, settings, view and, for each pane, what it shows and where: its image area in window
    pixels [x, y, w, h], its zoom (screen px per image px), the visible image region and the record of its
    result (state, badge, provenance, metrics); each metrics row and each plotted study curve with theirs."""
    store = window.store
    screen = window.screen().geometry() if window.screen() is not None else None
    panes = []
    for index, (pane, visible) in enumerate(zip(window.panes, visible_regions(window))):
        box = pane.view.sceneBoundingRect()  # the image area, without caption or colour bar
        top_left = pane.graphics.mapTo(window, pane.graphics.mapFromScene(box.topLeft()))
        (r0, r1), (c0, c1) = visible  # the part of the image in view, not of the empty canvas around it
        record = pane_record(store, pane.kind)
        record.update(
            pane=index + 1,
            split_kind=pane.split_kind,
            rect=[top_left.x(), top_left.y(), round(box.width()), round(box.height())],
            zoom=round(zoom_of(pane.view), 4),
            visible_region={"rows": [r0, r1], "cols": [c0, c1]},
            shown=pane.isVisibleTo(window.as_widget()),  # False for the others while one pane is shown alone
            visible_computed=visible_computed(store, pane.kind, visible),
        )
        if visible_ready is not None:  # seconds from opening to this pane's view computed (scripted runs)
            record["visible_ready_s"] = visible_ready.get(index)
        panes.append(record)
    plotted = {name for name, plot in window.explorer.plots.items() if plot.isVisibleTo(window)}
    view = store.view
    return {
        "window": [window.width(), window.height()],
        "screen": [screen.width(), screen.height()] if screen is not None else None,
        "image": None if store.image is None else store.image.path.name,
        "settings": dataclasses.asdict(store.settings),
        "view": {
            "layout": view.layout,
            "kinds": list(view.kinds),
            "zoom": view.zoom,
            "centre": view.centre,
            "solo": view.solo,
            "split": view.split,
            "presentation": view.presentation,
        },  # fmt: skip
        "layout": view.layout,
        "presentation": view.presentation,
        "scale": store.settings.scale,
        "shown_draw": store.shown_draw,
        "panes": panes,
        "metrics": metrics_record(store),
        "curves": [c for c in study_curves(store) if c["study"] in plotted],
    }


def save_screenshot(window: Host, path: str | Path, visible_ready: dict[int, float] | None = None) -> None:
    """Write the window to ``path`` (PNG) and ``describe(window)`` to the same name with .json."""
    settle(window)
    pixmap = window.grab()
    record = json.dumps(describe(window, visible_ready), indent=2, default=float)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    write_bytes_atomic(path, bytes(data.data()), overwrite=True)
    write_bytes_atomic(Path(path).with_suffix(".json"), record.encode(), overwrite=True)
