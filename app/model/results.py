"""A result as the session holds it: float pixels for metrics and saving, display pixels for the panes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from irn_core.analysis.results import Provenance
from irn_core.io.images import LoadedImage
from irn_core.io.lrfile import LRInfo
from irn_core.io.metadata import display_srgb
from irn_core.ops.codecs import to_uint8

METRIC_COLUMNS = (("psnr_y", 2), ("ssim_y", 4), ("psnr_rgb", 2), ("ssim_rgb", 4), ("flip", 4))


def format_metric(value: float | None, digits: int) -> str:
    """A metric for a table cell: "–" when missing or NaN, "∞" for identical images."""
    if value is None or math.isnan(value):
        return "–"
    return "∞" if math.isinf(value) else f"{value:.{digits}f}"


@dataclass
class SessionResult:
    """pixels: float32 (H, W, 3) RGB in [0, 1], or (H, W) for maps. display: uint8 sRGB for images, the map
    in display units for maps. provenance is None only for the opened image itself. metrics: against the
    original (whole image), when there is one. A map ("error:irn_hr") carries the provenance of the result
    it was computed from, which is how the session tells that it belongs to the result shown."""

    kind: str
    pixels: np.ndarray
    display: np.ndarray
    provenance: Provenance | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    note: str = ""
    _top: float | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(
        cls,
        kind: str,
        pixels: np.ndarray,
        provenance: Provenance | None = None,
        *,
        metrics: dict[str, float] | None = None,
        note: str = "",
        icc: bytes | None = None,
    ) -> SessionResult:
        """icc: the colour profile of the open image; the display (not ``pixels``) is converted to sRGB.
        Maps (error, std; ``pixels`` in [0, 1]) are displayed in 8-bit levels, the unit of every error figure;
        FLIP maps keep FLIP's own 0-1 scale. Done in the worker that made the result, not on the GUI thread."""
        if pixels.ndim == 3:
            display = display_srgb(to_uint8(pixels), icc)
        else:
            display = pixels.astype(np.float32) * (1.0 if kind.startswith("flip:") else 255.0)
        return cls(kind, pixels, display, provenance, dict(metrics or {}), note)

    def top_level(self) -> float:
        """The 99.5th percentile of a map's display (levels; of its size for a signed map): where its colour
        scale saturates. Cached."""
        if self._top is None:
            self._top = float(np.percentile(np.abs(self.display), 99.5)) if self.display.ndim == 2 else 255.0
        return self._top

    def caption(self) -> str:
        """Where this result came from, in one line (the note, e.g. a draw's, first)."""
        text = self.provenance.describe() if self.provenance is not None else ""
        return " · ".join(p for p in (self.note, text) if p)

    @property
    def scale(self) -> int | None:
        """The scale it was computed at (an LR covers scale × its size of the HR); None for the original."""
        return None if self.provenance is None else self.provenance.settings.scale


def shown_result(image: LoadedImage, info: LRInfo | None) -> SessionResult:
    """The opened image as the result it is shown as: the original ("hr"), or an LR file as stored ("irn_lr").
    The display conversion is the costly part: a worker calls this for a large photo."""
    icc = image.photo.icc_profile
    if info is not None:
        return SessionResult.of("irn_lr", image.pixels, note=f"{image.path.name} as stored", icc=icc)
    return SessionResult.of("hr", image.pixels, note=image.path.name, icc=icc)


def image_of_array(pixels: np.ndarray, name: str) -> LoadedImage:
    """An in-memory (H, W, 3) float32 [0, 1] image as if opened from a file called ``name``."""
    return LoadedImage(path=Path(name), pixels=np.ascontiguousarray(pixels, np.float32), bit_depth=8)
