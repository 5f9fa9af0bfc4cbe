"""The latent studies' commands: draws (and showing one), temperature and JPEG sweeps. Qt-free."""

from __future__ import annotations

from functools import partial

import numpy as np

from ..model import messages as m
from .services import Services

DEFAULT_TEMPERATURES = (0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)
DEFAULT_QUALITIES = (None, 95, 90, 80, 70, 60, 50, 40, 30, 20, 10)
DRAW_MAPS = frozenset({"error:irn_hr", "signed:irn_hr", "flip:irn_hr"})


class StudyCommands:
    def __init__(self, services: Services):
        self.services = services
        self.store = services.store

    def _inputs(self, title: str, *, needs_original: bool) -> tuple[np.ndarray, np.ndarray | None] | None:
        s = self.store
        lr = s.results.get("irn_lr")
        if lr is None or (needs_original and s.reference is None) or not s.state_of("irn_lr").current:
            where = " on an original image" if needs_original else ""
            s.apply(m.Notice("error", f"the {title} needs a current IRN run{where}: press Run first"))
            return None
        return lr.pixels, s.reference

    def _start(self, name: str, fn, *, produces: frozenset[str] = frozenset()) -> bool:
        provenance = self.services.pipelines.study_provenance(name, self.store.settings)
        started = m.StudyStarted(name, provenance)
        return self.services.start("study", fn, produces=produces | {f"study:{name}"}, first=(started,)) is not None

    def sample(self, count: int) -> bool:
        """Restore the current LR with ``count`` latents: a PSNR per draw, then the std and mean images."""
        inputs = self._inputs("draw sampling", needs_original=False)
        if inputs is None:
            return False
        s = self.store
        job = partial(self.services.pipelines.draws, models=self.services.models, settings=s.settings, lr=inputs[0],
                      reference=inputs[1], output_size=s.output_size, count=count, icc=s.icc_profile)  # fmt: skip
        return self._start("draws", job, produces=frozenset({"mean_draw", "std_map"}))

    def show_draw(self, index: int) -> bool:
        """Show draw ``index`` in the IRN restored panes at once; its maps and FLIP follow from a job (until
        then the previous maps are marked as of an earlier result)."""
        s = self.store
        s.apply(m.ShowDraw(index))
        if s.shown_draw != index:
            return False
        result = s.results["irn_hr"]
        if s.reference is not None and result.pixels.shape == s.reference.shape:
            job = partial(self.services.pipelines.draw_maps, result=result, reference=s.reference,
                          scale=s.settings.scale, icc=s.icc_profile)  # fmt: skip
            self.services.start("draw", job, produces=DRAW_MAPS)
        return True

    def temperature_study(self, temperatures=DEFAULT_TEMPERATURES, draws: int = 2) -> bool:
        inputs = self._inputs("temperature study", needs_original=True)
        if inputs is None:
            return False
        job = partial(self.services.pipelines.temperature_sweep, models=self.services.models,
                      settings=self.store.settings, lr=inputs[0], reference=inputs[1], temperatures=temperatures,
                      count=draws)  # fmt: skip
        return self._start("temperature", job)

    def jpeg_study(self, qualities=DEFAULT_QUALITIES) -> bool:
        """PSNR-Y of IRN and of bicubic↓ + SR (bicubic↑ when no SR model) when the LR is stored as JPEG."""
        inputs = self._inputs("JPEG study", needs_original=True)
        if inputs is None:
            return False
        job = partial(self.services.pipelines.jpeg_study, models=self.services.models, settings=self.store.settings,
                      lr=inputs[0], reference=inputs[1], qualities=qualities)  # fmt: skip
        return self._start("jpeg", job)

    def cancel_study(self) -> None:
        self.services.cancel("study", say=True)
