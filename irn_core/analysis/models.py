"""Loaded models shared between calls: loading weights costs seconds, so it is done once per file."""

from __future__ import annotations

import threading
from pathlib import Path

from ..baselines import Baseline
from ..io.checkpoints import resolve_weights
from ..rescaler import IRNRescaler
from .compare import comparison_baselines
from .results import ComparisonSettings


class ModelCache:
    """IRN rescalers by weights file and baselines by (scale, SR model); safe to use from worker threads
    (one load at a time)."""

    def __init__(self, *, device: str = "auto"):
        self.device = device
        self._lock = threading.Lock()
        self._rescalers: dict[str, IRNRescaler] = {}
        self._baselines: dict[tuple[int, str | None], tuple[list[Baseline], list[str]]] = {}

    def weights_path(self, settings: ComparisonSettings) -> Path:
        """The IRN weights file ``settings`` ask for (the bundled ones when none is chosen)."""
        return resolve_weights(settings.weights, settings.scale)

    def rescaler(self, settings: ComparisonSettings) -> IRNRescaler:
        path = self.weights_path(settings)
        key = str(path.resolve())
        with self._lock:
            if key not in self._rescalers:
                self._rescalers[key] = IRNRescaler.from_weights(str(path), scale=settings.scale, device=self.device)
            return self._rescalers[key]

    def baselines(self, settings: ComparisonSettings) -> tuple[list[Baseline], list[str]]:
        """(baselines, notices) for the settings' scale and SR model; see ``comparison_baselines``."""
        key = (settings.scale, settings.sr_model)
        with self._lock:
            if key not in self._baselines:
                self._baselines[key] = comparison_baselines(settings, device=self.device)
            return self._baselines[key]
