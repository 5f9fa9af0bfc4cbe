"""SessionStore: the one owner of everything the app shows.

The open image, the settings, every result with its provenance, tiles in progress, studies and draws, the
region metrics, the view (layout, pane kinds, zoom, centre), the jobs in flight, the folder batch and the
notices. Every change goes through ``apply(message)`` (``messages``) or the two typed job setters; after each
it emits ``changed(aspects)``, a frozenset naming what changed ("image", "settings", "results",
"result:KIND", "tiles", "studies", "metrics", "view", "jobs", "notices", "batch", "info"). Views are
functions of the store and redraw on it; whether an item is current is derived in ``staleness``.

Qt-free and torch-free: plain pytest and hypothesis drive it. The events are a 24-line emitter
(``events``) rather than psygnal: one event with a set of aspects is all the views need, and a fresh install
stays one package smaller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from irn_core.analysis.results import ComparisonSettings, Provenance
from irn_core.io.images import LoadedImage
from irn_core.io.lrfile import LRInfo, read_lr_info, recorded_output_size

from . import messages as m
from .batch import BatchModel
from .events import EventEmitter
from .jobs import Job, JobBook
from .results import SessionResult, image_of_array, shown_result
from .staleness import ItemState, Study, result_state, study_state
from .view import LR_FILE_DEFAULT, LR_FILE_KINDS, ViewState

MAX_NOTICES = 200


class SessionStore:
    def __init__(self, settings: ComparisonSettings | None = None, view: ViewState | None = None):
        self.settings = settings or ComparisonSettings()
        self.view = view or ViewState()
        self.image: LoadedImage | None = None
        self.lr_info: LRInfo | None = None
        self.results: dict[str, SessionResult] = {}
        self.tiles: dict[str, list[m.TileArrived]] = {}
        self.latent: np.ndarray | None = None
        self.latent_summary = ""
        self.lr_fidelity: dict[str, float] = {}
        self.lr_fidelity_of: Provenance | None = None
        self.region_metrics: dict[str, dict[str, float]] = {}
        self.region_measured: dict[str, Provenance | None] = {}
        self.region_of_metrics: m.Region | None = None
        self.first_region: m.FirstRegionMetrics | None = None  # a large photo's, until its whole image is done
        self.timings: dict[str, float] = {}
        self.studies: dict[str, Study] = {}
        self.shown_draw: int | None = None
        self.jobs = JobBook()
        self.batch = BatchModel()
        self.notices: list[m.Notice] = []
        self.opened_at = 0.0  # time.monotonic() when the image was opened: how long things took to appear
        self.notice_count = 0  # every notice ever taken (the list keeps the last MAX_NOTICES)
        self.changed = EventEmitter("changed")
        self._handlers: dict[type, Callable[[Any], set[str]]] = {
            m.OpenImage: self._open,
            m.ChangeSettings: self._settings,
            m.ChangeView: self._view,
            m.ShowDraw: self._show_draw,
            m.Notice: self._notice,
            m.StartBatch: self._start_batch,
            m.FromJob: self._from_job,
        }
        self._job_handlers: dict[type, Callable[[Job, Any], set[str]]] = {
            m.ResultArrived: self._result,
            m.TileArrived: self._tile,
            m.ComparisonDone: self._comparison_done,
            m.StudyStarted: self._study_started,
            m.DrawArrived: self._draw,
            m.StudyPoint: self._point,
            m.RegionMetrics: self._region_metrics,
            m.FirstRegionMetrics: self._first_region,
            m.BatchOutcome: self._batch_outcome,
            m.JobProgress: self._progress,
            m.JobEnded: self._ended,
            m.Notice: lambda _job, notice: self._notice(notice),
        }

    # ----- the one entry -----
    def apply(self, message: object) -> None:
        handler = self._handlers.get(type(message))
        if handler is None:
            raise TypeError(
                f"expected a store message ({', '.join(t.__name__ for t in self._handlers)}), got {message!r}"
            )
        aspects = handler(message)
        if aspects:
            self.changed.emit(frozenset(aspects))

    def start_job(self, kind: str, produces: frozenset[str] = frozenset()) -> tuple[Job, list[Job]]:
        """A new job (JobBook.start: raises JobRefused for a SINGLE kind already running); returns it and the
        jobs it replaces, whose workers the caller cancels. Tiles of what it will produce start afresh."""
        job, replaced = self.jobs.start(kind, produces)
        for kind_ in produces:
            self.tiles.pop(kind_, None)
        self.changed.emit(frozenset({"jobs", "tiles"}))
        return job, replaced

    def cancel_jobs(self, kind: str) -> list[Job]:
        jobs = self.jobs.cancel(kind)
        if jobs:
            for job in jobs:
                for kind_ in job.produces:
                    self.tiles.pop(kind_, None)
            self.changed.emit(frozenset({"jobs", "tiles"}))
        return jobs

    # ----- derived state -----
    def state_of(self, kind: str) -> ItemState:
        return result_state(self, kind)

    def study_state(self, name: str) -> ItemState:
        return study_state(self, name)

    @property
    def lr_only(self) -> bool:
        """True when the open image is an LR written by IRN Studio: there is no original to compare to."""
        return self.lr_info is not None

    @property
    def icc_profile(self) -> bytes | None:
        return None if self.image is None else self.image.photo.icc_profile

    @property
    def reference(self) -> np.ndarray | None:
        hr = self.results.get("hr")
        return None if hr is None else hr.pixels

    @property
    def output_size(self) -> tuple[int, int] | None:
        """The size a restoration should have: the original's, or the size an LR file records."""
        if self.reference is not None:
            h, w = self.reference.shape[:2]
            return h, w
        if self.lr_info is None or self.image is None:
            return None
        return recorded_output_size(self.image.pixels.shape[:2], self.lr_info, scale=self.settings.scale)

    @property
    def metrics(self) -> dict[str, dict[str, float]]:
        """Whole-image metrics of every compared result that has them, and "lr_fidelity"."""
        from .readouts import metric_row_kinds, whole_metrics

        return {k: v for k in metric_row_kinds(self) if (v := whole_metrics(self, k))}

    def busy(self, kind: str) -> bool:
        return self.jobs.busy(kind)

    # ----- handlers: each returns the aspects it changed -----
    def _open(self, message: m.OpenImage) -> set[str]:
        image = message.image
        info = read_lr_info(image)
        self.opened_at = time.monotonic()
        self.image, self.lr_info = image, info
        self.results, self.tiles, self.studies, self.shown_draw = {}, {}, {}, None
        self.latent, self.latent_summary, self.lr_fidelity, self.lr_fidelity_of = None, "", {}, None
        self.region_metrics, self.region_measured, self.region_of_metrics, self.timings = {}, {}, None, {}
        self.first_region = None
        view = self.view.replace(zoom=None, centre=None, region=None, swapped=False)
        if info is not None:
            if info.scale in (2, 4, 8):
                self.settings = self.settings.replace(scale=info.scale)
            kinds = LR_FILE_KINDS.get(view.pane_count, LR_FILE_DEFAULT)
            view = view.replace(kinds=kinds + view.kinds[len(kinds) :])
        shown = message.shown or shown_result(image, info)
        self.results[shown.kind] = shown
        self.view = view
        return {"image", "settings", "results", "tiles", "studies", "metrics", "view", "info"}

    def open_array(self, pixels: np.ndarray, name: str) -> None:
        """Open an in-memory (H, W, 3) float32 [0, 1] image (samples, tests)."""
        self.apply(m.OpenImage(image_of_array(pixels, name)))

    def _settings(self, message: m.ChangeSettings) -> set[str]:
        new = self.settings.replace(**message.changes)
        if new == self.settings:
            return set()
        self.settings = new
        return {"settings", "results", "studies", "metrics", "info"}

    def _view(self, message: m.ChangeView) -> set[str]:
        new = self.view.replace(**message.changes)
        if new == self.view:
            return set()
        self.view = new
        return {"view", "metrics"}

    def _show_draw(self, message: m.ShowDraw) -> set[str]:
        study = self.studies.get("draws")
        if study is None or not 0 <= message.index < len(study.draws):
            count = 0 if study is None else len(study.draws)
            self.notices.append(m.Notice("error", f"show draw: expected a draw 0-{count - 1}, got {message.index}"))
            return {"notices"}
        self.results["irn_hr"] = study.draws[message.index].result
        self.shown_draw = message.index
        return {"results", "result:irn_hr", "metrics"}

    def _start_batch(self, message: m.StartBatch) -> set[str]:
        self.batch.start(message.operation, message.items, message.out_dir)
        return {"batch"}

    def _notice(self, notice: m.Notice) -> set[str]:
        self.notices = (self.notices + [notice])[-MAX_NOTICES:]
        self.notice_count += 1
        return {"notices"}

    def _from_job(self, message: m.FromJob) -> set[str]:
        if isinstance(message.message, m.JobEnded):
            self.jobs.reported[message.generation] = message.message.outcome
        job = self.jobs.live.get(message.generation)
        if job is None:  # replaced or cancelled: its late messages are dropped, its ending recorded
            if isinstance(message.message, m.JobEnded):
                self.jobs.end(message.generation, message.message.outcome)
            return set()
        return self._job_handlers[type(message.message)](job, message.message)

    def _result(self, job: Job, message: m.ResultArrived) -> set[str]:
        result = message.result
        shown = self.results.get("irn_hr")
        if job.kind == "draw" and (shown is None or shown.provenance != result.provenance):
            return set()  # the draw is no longer the one shown: its restoration must not come back
        self.results[result.kind] = result
        self.tiles.pop(result.kind, None)
        if result.kind == "irn_hr" and (result.provenance is None or result.provenance.draw_index is None):
            self.shown_draw = None  # a restoration replaced the draw that was shown
        return {"results", f"result:{result.kind}", "metrics", "tiles"}

    def _tile(self, _job: Job, tile: m.TileArrived) -> set[str]:
        self.tiles.setdefault(tile.kind, []).append(tile)
        return {"tiles", f"tile:{tile.kind}"}

    def _comparison_done(self, _job: Job, done: m.ComparisonDone) -> set[str]:
        if done.latent is not None:
            self.latent, self.latent_summary = done.latent, done.latent_summary
        if done.lr_fidelity:
            self.lr_fidelity = dict(done.lr_fidelity)
            lr = self.results.get("irn_lr")
            self.lr_fidelity_of = None if lr is None else lr.provenance
        self.timings = {
            k: r.provenance.seconds
            for k, r in self.results.items()
            if r.provenance is not None and r.provenance.seconds and ":" not in k
        } | {"total": done.seconds}
        return {"metrics", "info"}

    def _study_started(self, _job: Job, started: m.StudyStarted) -> set[str]:
        self.studies[started.name] = Study(started.name, started.provenance)
        if started.name == "draws":
            self.shown_draw = None
        return {"studies"}

    def _draw(self, _job: Job, draw: m.DrawArrived) -> set[str]:
        self.studies["draws"].draws.append(draw)
        return {"studies"}

    def _point(self, _job: Job, point: m.StudyPoint) -> set[str]:
        self.studies[point.name].points.setdefault(point.series, []).append((point.x, point.y))
        return {"studies"}

    def _region_metrics(self, _job: Job, region: m.RegionMetrics) -> set[str]:
        self.region_metrics, self.region_measured = dict(region.metrics), dict(region.measured)
        self.region_of_metrics = region.region
        return {"metrics"}

    def _first_region(self, _job: Job, first: m.FirstRegionMetrics) -> set[str]:
        self.first_region = first
        return {"metrics"}

    def _batch_outcome(self, _job: Job, outcome: m.BatchOutcome) -> set[str]:
        self.batch.record(outcome.index, outcome.outcome, outcome.message)
        return {"batch"}

    def _progress(self, job: Job, progress: m.JobProgress) -> set[str]:
        job.progress = (progress.done, progress.total, progress.text)
        return {"jobs"}

    def _ended(self, job: Job, ended: m.JobEnded) -> set[str]:
        self.jobs.end(job.generation, ended.outcome)
        aspects = {"jobs", "results", "studies", "metrics"}  # what was pending is now there or missing
        for name in (p.split(":", 1)[1] for p in job.produces if p.startswith("study:")):
            if ended.outcome == "finished" and name in self.studies:
                self.studies[name].complete = True
        if job.kind == "batch":
            self.batch.finish(ended.text if ended.outcome == "finished" else ended.outcome)
            aspects.add("batch")
        if ended.outcome == "failed":
            aspects |= self._notice(m.Notice("error", ended.text))
        elif ended.text and job.kind in ("save", "batch"):
            aspects |= self._notice(m.Notice("info", ended.text))
        return aspects
