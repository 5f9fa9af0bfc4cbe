"""Presentation mode (F11): full screen, two panes (IRN against the best current baseline), large labels and
nothing else. The zoom and centre are the store's, so they survive going in and out; leaving puts the
layout, pane kinds, docks and window size back as they were."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDockWidget, QWidget

from ..model.readouts import best_baseline_kind

if TYPE_CHECKING:
    from .host import Host


@dataclass
class _Before:
    layout: str
    kinds: tuple[str, ...]
    visible: dict[int, bool]  # id(widget) -> was visible
    maximized: bool
    on_top: list[QDockWidget]  # the docks whose tab was raised (a tabbed dock hidden and shown loses it)


class Presentation:
    def __init__(self, window: Host):
        self.window = window
        self._before: _Before | None = None

    @property
    def on(self) -> bool:
        return self._before is not None

    def toggle(self, checked: bool | None = None) -> None:
        self.set(self.window.presentation_action.isChecked() if checked is None else checked)

    def _chrome(self) -> list[QWidget]:
        w = self.window
        return [w.toolbar, w.status.info_label, *w.findChildren(QDockWidget)]

    def set(self, on: bool) -> None:
        w = self.window
        w.presentation_action.setChecked(on)
        if on == self.on:
            return
        if on:
            view = w.store.view
            docks = [d for d in w.findChildren(QDockWidget) if not d.isHidden() and not d.visibleRegion().isEmpty()]
            self._before = _Before(
                view.layout, view.kinds, {id(x): not x.isHidden() for x in self._chrome()}, w.isMaximized(), docks
            )
            for widget in self._chrome():
                widget.setVisible(False)
            w.session.set_view(layout="1x2", kinds=("irn_hr", best_baseline_kind(w.store)), presentation=True)
            self.style_panes()
            w.showFullScreen()
            return
        before, self._before = self._before, None
        assert before is not None
        w.session.set_view(layout=before.layout, kinds=before.kinds, presentation=False)
        self.style_panes()
        for widget in self._chrome():
            widget.setVisible(before.visible.get(id(widget), True))
        for dock in before.on_top:
            dock.raise_()
        w.showMaximized() if before.maximized else w.showNormal()

    def follow_best_baseline(self) -> None:
        """Which baseline is best is known once a run has its metrics."""
        view = self.window.store.view
        if self.on and view.pane_count > 1:
            best = best_baseline_kind(self.window.store)
            if view.kinds[1] != best:
                self.window.session.set_view(kinds=(view.kinds[0], best))

    def style_panes(self) -> None:
        # Captions are clipped rather than widen their pane, so a large font never pushes panes off screen.
        large = self.on
        for pane in self.window.pane_grid.panes:
            for widget, style in (
                (pane.caption, "font-size: 18pt; font-weight: bold;"),
                (pane.selector, "font-size: 18pt;"),
            ):
                wanted = style if large else ""
                if widget.styleSheet() != wanted:  # a new style sheet relays the pane out: only when it changes
                    widget.setStyleSheet(wanted)
