"""Loaded models shared between calls: loading weights costs seconds, so it is done once per file."""

from __future__ import annotations

import threading
from pathlib import Path

from ..baselines import Baseline
from ..errors import WeightsError
from ..io.checkpoints import load_model, resolve_weights
from ..rescaler import IRNRescaler
from .compare import comparison_baselines
from .results import ComparisonSettings


class ModelCache:
    """IRN rescalers by weights file and baselines by (scale, SR model), each loaded once (the one cache
    of the CLI and the app); safe to use from worker threads (one load at a time)."""

    def __init__(self, *, device: str = "auto", precision: str = "auto"):
        self.device = device
        self.precision = precision
        self._lock = threading.Lock()
        self._rescalers: dict[str, IRNRescaler] = {}
        self._baselines: dict[tuple[int, str | None], tuple[list[Baseline], list[str]]] = {}

    def weights_path(self, settings: ComparisonSettings) -> Path:
        """The IRN weights file ``settings`` ask for (the bundled ones when none is chosen)."""
        return resolve_weights(settings.weights, settings.scale)

    def rescaler(self, settings: ComparisonSettings) -> IRNRescaler:
        return self.rescaler_for(settings.weights, scale=settings.scale)

    def rescaler_for(self, weights: str | None, *, scale: int | None) -> IRNRescaler:
        """The rescaler of a weights file or bundled name (None: the bundled model of ``scale``), with its
        restorer when the file is JPEG-robust; WeightsError when the file is not an IRN of ``scale``."""
        path = resolve_weights(weights, scale)
        key = str(path.resolve())
        with self._lock:
            if key not in self._rescalers:
                self._rescalers[key] = IRNRescaler(
                    load_model(path, scale=scale), device=self.device, precision=self.precision
                )
            rescaler = self._rescalers[key]
        if scale is not None and rescaler.scale != scale:
            raise WeightsError(f"{path} is an IRN x{rescaler.scale} checkpoint, but x{scale} was asked for")
        return rescaler

    def baselines(self, settings: ComparisonSettings) -> tuple[list[Baseline], list[str]]:
        """(baselines, notices) for the settings' scale and SR model; see ``comparison_baselines``."""
        key = (settings.scale, settings.sr_model)
        with self._lock:
            if key not in self._baselines:
                self._baselines[key] = comparison_baselines(settings, device=self.device)
            return self._baselines[key]
