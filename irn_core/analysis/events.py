"""What the library pipelines (``compare``, ``region``, ``restore``) tell their caller as they run: one event
type each, passed to an ``on_event`` sink in the order things happen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..ops.metrics import Region
from .results import Result


@dataclass(frozen=True)
class Progress:
    """How far the whole pipeline is: ``fraction`` of its work in [0, 1] (tiles weigh most), and what it is
    doing in words ("IRN upscale 3/12")."""

    fraction: float
    text: str


@dataclass(frozen=True)
class TileReady:
    """A finished part of ``kind``: pixels (rows, cols, 3) in [0, 1] at HR position (row, col); for a map
    ("error:KIND", "signed:KIND", "flip:KIND") its (rows, cols) values as ``error_map`` etc. give them."""

    kind: str
    row: int
    col: int
    pixels: np.ndarray


@dataclass(frozen=True)
class ResultReady:
    result: Result


@dataclass(frozen=True)
class Notice:
    """Something the user should know (a missing SR model, a lossy LR file); level "info" or "warning"."""

    level: str
    text: str


@dataclass(frozen=True)
class RegionMeasured:
    """Every method's metrics on a region computed before the whole image (``analysis.region``): kind ->
    PSNR/SSIM on Y and RGB of ((r0, r1), (c0, c1)) against the original there, no border cropped. Until the
    whole image is done these are the only figures; they are the region's, and say so."""

    region: Region
    metrics: dict[str, dict[str, float]]


Event = Progress | TileReady | ResultReady | Notice | RegionMeasured
EventSink = Callable[[Event], None]


def ignore(_event: Event) -> None:
    pass
