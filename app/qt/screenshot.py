"""Machine-readable screenshots: the window as PNG and, beside it, what every pane shows as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice

from irn_core.io.images import write_bytes_atomic

from .views.panes import zoom_of


def describe(window) -> dict:
    """Window, screen, layout and, for each pane, what it shows and where: its rectangle in window pixels
    [x, y, w, h], its zoom (screen px per image px), the visible image region and the session's record
    of its result (provenance, stale, metrics). Lets figures be cited exactly and tests check geometry."""
    screen = window.screen().geometry() if window.screen() is not None else None
    panes = []
    for pane in window.panes:
        box = pane.view.sceneBoundingRect()  # the image area, without caption or colour bar
        top_left = pane.graphics.mapTo(window, pane.graphics.mapFromScene(box.topLeft()))
        (x0, x1), _ = pane.view.viewRange()
        (r0, r1), (c0, c1) = pane.visible_region()
        size = pane.image_size()
        if size is not None:  # the part of the image in view, not of the empty canvas around it
            r0, r1, c0, c1 = max(0, r0), min(size[0], r1), max(0, c0), min(size[1], c1)
        record = window.controller.session.pane_record(pane.kind)
        record.update(
            rect=[top_left.x(), top_left.y(), round(box.width()), round(box.height())],
            zoom=round(zoom_of(pane.view), 4),
            visible_region={"rows": [r0, r1], "cols": [c0, c1]},
            shown=pane.isVisibleTo(window),  # False for the others while one pane is shown alone
        )
        panes.append(record)
    return {
        "window": [window.width(), window.height()],
        "screen": [screen.width(), screen.height()] if screen is not None else None,
        "layout": window.layout_combo.currentText(),
        "presentation": window.presentation_action.isChecked(),
        "scale": window.controller.settings.scale,
        "panes": panes,
    }


def save_screenshot(window, path: str | Path) -> None:
    """Write the window to ``path`` (PNG) and ``describe(window)`` to the same name with .json."""
    pixmap = window.grab()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    pixmap.save(buffer, "PNG")
    write_bytes_atomic(path, bytes(data), overwrite=True)
    record = json.dumps(describe(window), indent=2, default=float)
    write_bytes_atomic(Path(path).with_suffix(".json"), record.encode(), overwrite=True)
