"""Presentation mode (F11): the screen shows two panes, IRN against the best baseline, with large labels
and nothing else; leaving it puts the window back as it was."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QDockWidget


@dataclass
class _Before:
    layout: str
    kinds: list[str]
    visible: dict[int, bool]  # id(widget) -> was visible
    maximized: bool


class PresentationMixin:
    """For MainWindow: set_presentation / toggle_presentation."""

    _before_presentation: _Before | None = None

    def toggle_presentation(self, checked: bool | None = None) -> None:
        self.set_presentation(self.presentation_action.isChecked() if checked is None else checked)

    def _chrome(self) -> list:
        return [self.toolbar, self.info_label, *self.findChildren(QDockWidget)]

    def set_presentation(self, on: bool) -> None:
        """Full screen, 1x2 (IRN restored | the best baseline by PSNR-Y), large captions that fit, toolbar,
        docks and status line hidden. F11 again restores layout, panes, docks and window size."""
        if on == (self._before_presentation is not None):
            self.presentation_action.setChecked(on)
            return
        self.presentation_action.setChecked(on)
        if on:
            self._before_presentation = _Before(
                self.layout_combo.currentText(),
                [p.kind for p in self.panes],
                {id(w): not w.isHidden() for w in self._chrome()},
                self.isMaximized(),
            )
            for widget in self._chrome():
                widget.setVisible(False)
            self.set_layout("1x2")
            for pane, kind in zip(self.panes, ("irn_hr", self.controller.session.best_baseline_kind())):
                pane.set_kind(kind)
            self._style_panes(large=True)
            self.controller.run_finished.connect(self._present_best_baseline)
            self.showFullScreen()
            self.zoom_fit()
            return
        self.controller.run_finished.disconnect(self._present_best_baseline)
        before, self._before_presentation = self._before_presentation, None
        self._style_panes(large=False)
        self.set_layout(before.layout)
        for pane, kind in zip(self.panes, before.kinds):
            pane.set_kind(kind)
        for widget in self._chrome():
            widget.setVisible(before.visible.get(id(widget), True))
        self.showMaximized() if before.maximized else self.showNormal()
        self.zoom_fit()

    def _present_best_baseline(self) -> None:
        # which baseline is best is known once a run has its metrics
        if self._before_presentation is not None and len(self.panes) > 1:
            self.panes[1].set_kind(self.controller.session.best_baseline_kind())

    def _style_panes(self, *, large: bool) -> None:
        # Captions are clipped rather than widen their pane, so a large font never pushes panes off screen.
        for pane in self.panes:
            pane.caption.setStyleSheet("font-size: 18pt; font-weight: bold;" if large else "")
            pane.selector.setStyleSheet("font-size: 18pt;" if large else "")
