"""The typed messages that change the session store: what a person asks for and what a worker reports.

``SessionStore.apply(message)`` is the one entry for every change. Workers never touch the store; what they
send is wrapped in ``FromJob`` with the job's kind and generation, so the store can drop what a replaced job
still sends, and applied on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from irn_core.analysis.results import ComparisonSettings, Provenance
from irn_core.io.images import LoadedImage

from .results import SessionResult

Region = tuple[tuple[int, int], tuple[int, int]]  # ((row0, row1), (col0, col1)) in HR pixels


# ----- what a person asks for -----
@dataclass(frozen=True)
class OpenImage:
    """shown: the opened image as the result it is shown as ("hr", or "irn_lr" for an LR file), prepared in a
    worker for a large photo (its display conversion); None: the store prepares it."""

    image: LoadedImage
    shown: SessionResult | None = None


@dataclass(frozen=True)
class ChangeSettings:
    """Any of scale, weights, seed, temperature, oracle_z, jpeg_quality, sr_model. Invalid values raise
    InvalidInputError and change nothing."""

    changes: dict[str, Any]


@dataclass(frozen=True)
class ChangeView:
    """Any ViewState field: layout, kinds, zoom (None: fit), centre, solo, split, swapped, presentation,
    region (the HR region the leading pane shows)."""

    changes: dict[str, Any]


@dataclass(frozen=True)
class ShowDraw:
    """Show draw ``index`` of the current draw study in the IRN restored panes (its maps follow from a job)."""

    index: int


@dataclass(frozen=True)
class StartBatch:
    """A folder batch begins: its planned items (irn_core.io.batch.BatchItem) and where they go."""

    operation: str
    items: list[Any]
    out_dir: Path


@dataclass(frozen=True)
class Notice:
    level: str  # "info", "warning", "error"
    text: str


# ----- what workers report (inside FromJob) -----
@dataclass(frozen=True)
class ResultArrived:
    result: SessionResult


@dataclass(frozen=True)
class TileArrived:
    """A finished part of ``kind`` while it is computed: display pixels (rows, cols, 3) uint8 at HR (row, col);
    for a map, its (rows, cols) display values (as ``SessionResult.of`` gives them) and ``top``, the 99.5th
    percentile of their size (the colour scale until the whole map is there)."""

    kind: str
    row: int
    col: int
    pixels: np.ndarray
    top: float | None = None


@dataclass(frozen=True)
class ComparisonDone:
    """What a comparison or restoration leaves besides its results."""

    latent: np.ndarray | None = None
    latent_summary: str = ""
    lr_fidelity: dict[str, float] | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class StudyStarted:
    """A study ("draws", "temperature", "jpeg") begins; ``provenance`` records the settings it uses."""

    name: str
    provenance: Provenance


@dataclass(frozen=True)
class DrawArrived:
    """One latent draw of the draw study: its restoration as the "irn_hr" result it becomes when shown (with
    the draw's provenance and metrics; its maps are computed when it is shown)."""

    index: int
    seed: int
    result: SessionResult

    @property
    def psnr_y(self) -> float:
        return self.result.metrics.get("psnr_y", float("nan"))


@dataclass(frozen=True)
class StudyPoint:
    """One point of a study's curve: series ("IRN", "bicubic↓ + SR", ...), x (temperature or JPEG quality), PSNR-Y."""

    name: str
    series: str
    x: float
    y: float


@dataclass(frozen=True)
class RegionMetrics:
    """Metrics of ``region`` for each result, measured on the results with these provenances."""

    region: Region
    metrics: dict[str, dict[str, float]]
    measured: dict[str, Provenance | None]


@dataclass(frozen=True)
class FirstRegionMetrics:
    """Every method's metrics on the region a large photo's comparison computed ahead of the whole image (first
    the one it opened at, then each region the user moves to), under ``settings``: what the metrics table
    shows, labelled as that region's, until the whole image is done."""

    region: Region
    metrics: dict[str, dict[str, float]]
    settings: ComparisonSettings


@dataclass(frozen=True)
class BatchOutcome:
    index: int
    outcome: str
    message: str


@dataclass(frozen=True)
class JobProgress:
    done: int
    total: int
    text: str


@dataclass(frozen=True)
class JobEnded:
    """outcome: "finished", "failed" or "cancelled"; text: what to tell the user (a saved file, an error)."""

    outcome: str
    text: str = ""
    value: Any = None


@dataclass(frozen=True)
class FromJob:
    job: str
    generation: int
    message: Any
