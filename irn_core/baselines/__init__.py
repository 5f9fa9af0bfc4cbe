"""Baselines IRN is compared with: bicubic downscaling followed by an upscaler.

Every baseline satisfies the ``Baseline`` protocol: float32 (H, W, 3) RGB [0, 1] in and out,
``upscale(lr, output_size=...)`` and ``roundtrip(hr)``, plus its ``name`` and ``scale``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import InvalidInputError
from ..ops.tiling import CancelCheck, ProgressCallback
from .classic import BicubicBaseline, LanczosBaseline, bicubic_downscale
from .sr import SRBaseline, load_sr_baseline

BASELINE_NAMES = ("bicubic", "lanczos", "sr")


@runtime_checkable
class Baseline(Protocol):
    """Bicubic down + some upscaler: what a comparison runs beside IRN."""

    name: str
    scale: int

    def upscale(
        self,
        lr: np.ndarray,
        *,
        output_size: tuple[int, int] | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
    ) -> np.ndarray:
        """(h, w, 3) LR -> (h*scale, w*scale, 3), or ``output_size`` cropped from the top left."""
        ...

    def roundtrip(
        self,
        hr: np.ndarray,
        *,
        jpeg_quality: int | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(bicubic LR as stored, restored of the input's size) for an (H, W, 3) image."""
        ...


def make_baseline(name: str, *, scale: int, device: str = "auto", path: str | Path | None = None) -> Baseline:
    """A baseline by name: "bicubic", "lanczos" or "sr" (our SR network, or the SR checkpoint at ``path``)."""
    if name == "bicubic":
        return BicubicBaseline(scale=scale)
    if name == "lanczos":
        return LanczosBaseline(scale=scale)
    if name in ("sr", "spandrel"):
        return load_sr_baseline(path, scale=scale, device=device)
    raise InvalidInputError(f"unknown method {name!r}; expected irn or one of {', '.join(BASELINE_NAMES)}")


__all__ = [
    "Baseline",
    "BicubicBaseline",
    "LanczosBaseline",
    "SRBaseline",
    "bicubic_downscale",
    "load_sr_baseline",
    "make_baseline",
    "BASELINE_NAMES",
]
