"""The latent explorer and the JPEG study: controls that call the commands, and plots drawn from the store's
studies; a study computed for other settings is drawn grey and dashed, its title saying it is out of date."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...model.metrics_table import reference_levels
from ...model.store import SessionStore

JPEG_CHOICES = [("lossless (PNG)", None)] + [(f"JPEG q{q}", q) for q in (95, 90, 80, 70, 50, 30, 10)]
JPEG_COLOURS = {
    "IRN": "#fbbc04",
    "IRN JPEG-robust": "#f28b82",
    "bicubic↓ + SR": "#8ab4f8",
    "bicubic↓ + bicubic↑": "#81c995",
}

REFERENCE_COLOURS = ("#81c995", "#8ab4f8")  # bicubic, SR: as in the JPEG plot


class LatentExplorer(QWidget):
    plot_revealed = Signal(object)  # a plot that has just appeared with its first point

    def __init__(self, store: SessionStore, controller: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.controller = store, controller
        c = controller
        settings = store.settings

        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(settings.seed)
        self.seed.setToolTip("Seed of the latent draw z ~ N(0, T²I)")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 1.5)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(settings.temperature)
        self.temperature.setToolTip("Latent temperature T (0: z = 0)")
        self.oracle = QCheckBox("oracle z (the forward pass's own latent)")
        self.oracle.setToolTip("Restore with the z that downscaling produced: shows what the discarded latent carried")
        self.new_draw = QPushButton("New draw")
        self.new_draw.setToolTip("Next seed, restore again (N)")
        self.apply = QPushButton("Restore")
        self.apply.setToolTip("Restore again now (seed and temperature edits rerun by themselves after a pause)")
        self.jpeg = QComboBox()
        for text, quality in JPEG_CHOICES:
            self.jpeg.addItem(text, quality)
        self.jpeg.setToolTip("Store the IRN LR like this before restoring")

        self.draws = QSpinBox()
        self.draws.setRange(2, 64)
        self.draws.setValue(8)
        self.sample_button = QPushButton("Sample draws")
        self.sample_button.setToolTip("Restore with N seeds: std map, mean image, PSNR per draw (D)")
        self.step = QSpinBox()
        self.step.setRange(0, 0)
        self.step.setToolTip("Show this draw in the IRN restored panes")
        self.step.setEnabled(False)
        self.sweep_button = QPushButton("PSNR vs temperature")
        self.jpeg_button = QPushButton("PSNR vs JPEG quality")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button.hide()

        form = QFormLayout()
        self.latent_label = QLabel()
        self.latent_label.setWordWrap(True)
        self.latent_label.setToolTip(
            "Statistics of the latent the downscale produced. The reverse pass draws z ~ N(0, T²I); "
            "the bundled weights' forward z is nearly 0 (docs/RESULTS.md, 'The latent')"
        )
        form.addRow(self.latent_label)
        form.addRow("Seed", self.seed)
        form.addRow("Temperature", self.temperature)
        form.addRow(self.oracle)
        form.addRow(_row(self.new_draw, self.apply))
        form.addRow("LR storage", self.jpeg)
        form.addRow("Draws", _row(self.draws, self.sample_button))
        form.addRow("Show draw", self.step)
        form.addRow(_row(self.sweep_button, self.jpeg_button))
        row = _row(self.progress, self.cancel_button)
        row.setStretch(0, 1)
        form.addRow(row)

        self.draw_plot = _plot("PSNR-Y per draw", "draw")
        self.temperature_plot = _plot("PSNR-Y vs temperature", "temperature T")
        self.jpeg_plot = _plot("PSNR-Y vs LR JPEG quality", "JPEG quality of the stored LR (101 = lossless PNG)")
        self.jpeg_plot.addLegend(offset=(5, 5))
        self.titles = {"draws": "PSNR-Y per draw", "temperature": "PSNR-Y vs temperature",
                       "jpeg": "PSNR-Y vs LR JPEG quality"}  # fmt: skip
        self.plots = {"draws": self.draw_plot, "temperature": self.temperature_plot, "jpeg": self.jpeg_plot}
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        # The mark on the curve itself, where the eye is, besides the title (which a short dock scrolls away).
        self.stale_marks = {name: pg.TextItem("", color="#e37400", anchor=(0, 1)) for name in self.plots}
        for name, mark in self.stale_marks.items():
            self.plots[name].addItem(mark, ignoreBounds=True)
        self.reference_lines: dict[int, list[pg.InfiniteLine]] = {}
        self._references: list[tuple[str, float]] = []

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for plot in self.plots.values():
            layout.addWidget(plot, 1)
        layout.addStretch()

        self.seed.valueChanged.connect(lambda v: c.update_settings(seed=v))
        self.temperature.valueChanged.connect(lambda v: c.update_settings(temperature=v))
        self.oracle.toggled.connect(lambda on: c.resample(oracle_z=on))
        self.new_draw.clicked.connect(self.next_draw)
        self.apply.clicked.connect(lambda: c.resample())
        self.jpeg.currentIndexChanged.connect(lambda i: c.set_jpeg_quality(self.jpeg.itemData(i)))
        self.sample_button.clicked.connect(lambda: self.start_sampling())
        self.step.valueChanged.connect(c.show_draw)
        self.sweep_button.clicked.connect(c.temperature_study)
        self.jpeg_button.clicked.connect(c.jpeg_study)
        self.cancel_button.clicked.connect(c.cancel_study)

    def next_draw(self) -> None:
        self.controller.resample(seed=self.store.settings.seed + 1)

    def start_sampling(self, count: int | None = None) -> bool:
        return self.controller.sample(count or self.draws.value())

    # ----- drawing from the store -----
    def redraw(self, aspects: frozenset[str]) -> None:
        if aspects & {"settings", "image"}:
            self._controls()
        if aspects & {"studies", "settings", "image", "results"}:
            for name in self.plots:
                self._study(name)
        if aspects & {"metrics", "results", "settings", "image"}:
            self._reference_lines()
            self.latent_label.setText(self.store.latent_summary)
        if "jobs" in aspects:
            self._busy()

    def _controls(self) -> None:
        s = self.store.settings
        for widget in (self.seed, self.temperature, self.oracle):
            widget.blockSignals(True)
        self.seed.setValue(s.seed)
        self.temperature.setValue(s.temperature)
        self.oracle.setChecked(s.oracle_z)
        for widget in (self.seed, self.temperature, self.oracle):
            widget.blockSignals(False)
        self.jpeg.blockSignals(True)
        self.jpeg.setCurrentIndex(max(0, self.jpeg.findData(s.jpeg_quality)))
        self.jpeg.blockSignals(False)

    def _study(self, name: str) -> None:
        plot, study = self.plots[name], self.store.studies.get(name)
        state = self.store.study_state(name)
        series: dict[str, list[tuple[float, float]]] = {}
        if study is not None:
            series = dict(study.points)
            if study.draws:
                series["IRN"] = [(float(d.index), d.psnr_y) for d in study.draws]
        for (plot_name, title), curve in list(self.curves.items()):
            if plot_name == name and title not in series:
                plot.removeItem(curve)
                del self.curves[(plot_name, title)]
        for title, points in series.items():
            curve = self.curves.get((name, title))
            if curve is None:
                curve = self.curves[(name, title)] = plot.plot([], [], name=title if name == "jpeg" else None)
            colour = "#80868b" if state.stale else JPEG_COLOURS.get(title, "#fbbc04" if name == "draws" else "#8ab4f8")
            style = Qt.PenStyle.DashLine if state.stale else Qt.PenStyle.SolidLine
            curve.setPen(pg.mkPen(colour, width=2, style=style))
            curve.setSymbol("o")
            curve.setSymbolBrush(colour)
            curve.setSymbolSize(6)
            points = sorted(points)
            curve.setData([p[0] for p in points], [p[1] if not math.isnan(p[1]) else 0 for p in points])
        mark = self.stale_marks[name]
        first = next((sorted(p)[0] for p in series.values() if p), None)
        mark.setText(f"OUT OF DATE: {state.reason}" if state.stale and first is not None else "")
        if first is not None:
            mark.setPos(first[0], first[1])
        title = self.titles[name] + (f" — OUT OF DATE: {state.reason}" if state.stale else "")
        plot.setTitle(title, color="#e37400" if state.stale else "#e8eaed")
        if series and plot.isHidden():
            plot.show()
            self.plot_revealed.emit(plot)
        elif not series:
            plot.hide()  # an empty plot's 0-1 axes mean nothing: each appears with its first point
        if name == "draws":
            count = len(study.draws) if study is not None else 0
            self.step.blockSignals(True)
            self.step.setRange(0, max(count - 1, 0))
            if self.store.shown_draw is not None:
                self.step.setValue(self.store.shown_draw)
            self.step.blockSignals(False)
            self.step.setEnabled(count > 0 and not state.stale)

    def _reference_lines(self) -> None:
        """Bicubic and SR of the present run as labelled dashed lines on the plots of IRN's PSNR-Y."""
        levels = reference_levels(self.store)
        if levels == self._references:
            return
        self._references = levels
        for plot in (self.draw_plot, self.temperature_plot):
            for line in self.reference_lines.pop(id(plot), []):
                plot.removeItem(line)
            lines = []
            for (name, value), colour in zip(levels, REFERENCE_COLOURS):
                line = pg.InfiniteLine(
                    pos=value, angle=0, pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine),
                    label=f"{name} {value:.2f} dB",
                    labelOpts={"position": 0.02, "color": colour, "anchors": [(0, 1), (0, 1)]},
                )  # fmt: skip
                plot.addItem(line)
                lines.append(line)
            self.reference_lines[id(plot)] = lines

    def reference_line_labels(self) -> list[str]:
        return [line.label.toPlainText() for line in self.reference_lines.get(id(self.draw_plot), [])]

    def _busy(self) -> None:
        jobs = self.store.jobs.running("study")
        self.progress.setVisible(bool(jobs))
        self.cancel_button.setVisible(bool(jobs))
        for widget in (self.sample_button, self.sweep_button, self.jpeg_button):
            widget.setEnabled(not jobs)
        if jobs:
            done, total, text = jobs[0].progress
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(text)


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row


def _plot(title: str, bottom: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(title=title)
    plot.setLabel("bottom", bottom)
    plot.setLabel("left", "PSNR-Y", units="dB")
    plot.setMinimumHeight(150)
    plot.showGrid(x=True, y=True, alpha=0.3)
    plot.hide()
    return plot
