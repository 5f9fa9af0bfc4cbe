"""The latent explorer and the JPEG study: controls and pyqtgraph plots bound to the controller."""

from __future__ import annotations

import math

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

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        c = controller

        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(c.settings.seed)
        self.seed.setToolTip("Seed of the latent draw z ~ N(0, T²I)")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 1.5)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(c.settings.temperature)
        self.temperature.setToolTip("Latent temperature T (0: z = 0)")
        self.oracle = QCheckBox("oracle z (the forward pass's own latent)")
        self.oracle.setToolTip("Restore with the z that downscaling produced: shows what the discarded latent carried")
        self.new_draw = QPushButton("New draw")
        self.new_draw.setToolTip("Next seed, restore again (N)")
        self.apply = QPushButton("Restore")
        self.apply.setToolTip("Restore again now (seed and temperature edits rerun by themselves after a pause)")
        self.jpeg = QComboBox()
        for label, quality in JPEG_CHOICES:
            self.jpeg.addItem(label, quality)
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
        row = QHBoxLayout()
        row.addWidget(self.new_draw)
        row.addWidget(self.apply)
        form.addRow(row)
        form.addRow("LR storage", self.jpeg)
        row = QHBoxLayout()
        row.addWidget(self.draws)
        row.addWidget(self.sample_button)
        form.addRow("Draws", row)
        form.addRow("Show draw", self.step)
        row = QHBoxLayout()
        row.addWidget(self.sweep_button)
        row.addWidget(self.jpeg_button)
        form.addRow(row)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        form.addRow(row)

        self.draw_plot = pg.PlotWidget(title="PSNR-Y per draw")
        self.draw_plot.setLabel("bottom", "draw")
        self.draw_plot.setLabel("left", "PSNR-Y", units="dB")
        self.draw_curve = self.draw_plot.plot(
            [], [], pen=pg.mkPen("#fbbc04", width=2), symbol="o", symbolSize=7, symbolBrush="#fbbc04"
        )
        self.temperature_plot = pg.PlotWidget(title="PSNR-Y vs temperature")
        self.temperature_plot.setLabel("bottom", "temperature T")
        self.temperature_plot.setLabel("left", "PSNR-Y", units="dB")
        self.temperature_curve = self.temperature_plot.plot(
            [], [], pen=pg.mkPen("#8ab4f8", width=2), symbol="o", symbolSize=7, symbolBrush="#8ab4f8"
        )
        self.jpeg_plot = pg.PlotWidget(title="PSNR-Y vs LR JPEG quality")
        self.jpeg_plot.setLabel("bottom", "JPEG quality of the stored LR (101 = lossless PNG)")
        self.jpeg_plot.addLegend(offset=(5, 5))
        self.jpeg_curves: dict[str, pg.PlotDataItem] = {}
        for plot in (self.draw_plot, self.temperature_plot, self.jpeg_plot):
            plot.setMinimumHeight(150)
            plot.showGrid(x=True, y=True, alpha=0.3)
            plot.hide()  # an empty plot's 0-1 axes mean nothing: each appears with its first point
        self.reference_lines: dict[int, list[pg.InfiniteLine]] = {}

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.draw_plot, 1)
        layout.addWidget(self.temperature_plot, 1)
        layout.addWidget(self.jpeg_plot, 1)
        layout.addStretch()

        self.seed.valueChanged.connect(lambda v: c.update_settings(seed=v))
        self.temperature.valueChanged.connect(lambda v: c.update_settings(temperature=v))
        self.oracle.toggled.connect(lambda on: c.resample(oracle_z=on))
        self.new_draw.clicked.connect(self.next_draw)
        self.apply.clicked.connect(lambda: c.resample())
        self.jpeg.currentIndexChanged.connect(lambda i: c.set_jpeg_quality(self.jpeg.itemData(i)))
        self.sample_button.clicked.connect(self.start_sampling)
        self.step.valueChanged.connect(c.show_draw)
        self.sweep_button.clicked.connect(self.start_temperature)
        self.jpeg_button.clicked.connect(self.start_jpeg)
        self.cancel_button.clicked.connect(c.cancel_study)
        c.run_finished.connect(lambda: self.latent_label.setText(c.session.latent_summary()))
        c.run_finished.connect(self._draw_reference_lines)
        c.draw_ready.connect(self._on_draw)
        c.temperature_point.connect(self._on_temperature)
        c.jpeg_point.connect(self._on_jpeg)
        c.study_progress.connect(self._on_progress)
        c.study_busy_changed.connect(self._on_busy)

    def next_draw(self) -> None:
        self.seed.setValue(self.seed.value() + 1)
        self.controller.resample(seed=self.seed.value())

    def start_sampling(self) -> None:
        self.draw_curve.setData([], [])
        self.step.setEnabled(False)
        self.controller.sample(self.draws.value())

    def start_temperature(self) -> None:
        self.temperature_curve.setData([], [])
        self.controller.temperature_study()

    def start_jpeg(self) -> None:
        for curve in self.jpeg_curves.values():
            curve.setData([], [])
        self.controller.jpeg_study()

    def _on_draw(self, index: int, value: float) -> None:
        values = self.controller.session.draw_psnrs
        self._reveal(self.draw_plot)
        self.draw_curve.setData(list(range(len(values))), [v if not math.isnan(v) else 0 for v in values])
        self.step.setRange(0, len(values) - 1)
        self.step.setEnabled(True)

    def _on_temperature(self, t: float, value: float) -> None:
        points = self.controller.session.temperature_curve
        self._reveal(self.temperature_plot)
        self.temperature_curve.setData([p[0] for p in points], [p[1] for p in points])

    def _draw_reference_lines(self) -> None:
        """Bicubic and SR of the present run as labelled dashed lines on the plots of IRN's PSNR-Y (drawn when a
        run finishes, the only time those metrics change)."""
        levels = reference_levels(self.controller.session)
        for plot in (self.draw_plot, self.temperature_plot):
            for line in self.reference_lines.pop(id(plot), []):
                plot.removeItem(line)
            lines = []
            for (name, value), colour in zip(levels, REFERENCE_COLOURS):
                line = pg.InfiniteLine(
                    pos=value,
                    angle=0,
                    pen=pg.mkPen(colour, width=1, style=Qt.DashLine),
                    label=f"{name} {value:.2f} dB",
                    labelOpts={"position": 0.02, "color": colour, "anchors": [(0, 1), (0, 1)]},
                )
                plot.addItem(line)
                lines.append(line)
            self.reference_lines[id(plot)] = lines

    def reference_line_labels(self) -> list[str]:
        return [line.label.toPlainText() for line in self.reference_lines.get(id(self.draw_plot), [])]

    def _reveal(self, plot: pg.PlotWidget) -> None:
        """Show a plot with its first point, and say so: the dock scrolls to it on a short screen."""
        if plot.isHidden():
            plot.show()
            self.plot_revealed.emit(plot)

    def _on_jpeg(self, method: str, quality: int, value: float) -> None:
        self._reveal(self.jpeg_plot)
        if method not in self.jpeg_curves:
            colour = JPEG_COLOURS.get(method, "#f28b82")
            self.jpeg_curves[method] = self.jpeg_plot.plot(
                [], [], name=method, pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=6, symbolBrush=colour
            )
        points = sorted(self.controller.session.jpeg_curves[method])
        self.jpeg_curves[method].setData([p[0] for p in points], [p[1] for p in points])

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat(text)

    def _on_busy(self, busy: int) -> None:
        busy = bool(busy)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        for widget in (self.sample_button, self.sweep_button, self.jpeg_button):
            widget.setEnabled(not busy)
