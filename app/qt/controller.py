"""SessionController: Qt glue between the session model, the job layer and the views.

Views call its methods and bind to its signals; it changes the Qt-free ``SessionModel`` and runs library
pipelines (``tasks``) in ``JobRunner`` workers, latest request wins. The GUI thread holds only numpy
arrays and Qt objects and never waits on torch.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from irn_core.analysis.models import ModelCache
from irn_core.analysis.studies import DrawResult
from irn_core.errors import ImageIOError, IRNError, WeightsError
from irn_core.io.checkpoints import bundled_weights_path, describe_checkpoint
from irn_core.io.images import read_image
from irn_core.io.weights_record import describe_weights

from ..model import SessionModel, SessionResult
from ..model.batch import BatchModel
from . import tasks
from .commands import ExportCommands, RegionCommands, StudyCommands
from .jobs import JobRunner

RERUN_DELAY_MS = 600


class SessionController(StudyCommands, ExportCommands, RegionCommands, QObject):
    image_loaded = Signal()
    result_updated = Signal(str)  # kind
    results_cleared = Signal()
    staleness_changed = Signal()
    tile_ready = Signal(str, int, int, object)  # kind, HR row, HR col, uint8 pixels
    metrics_updated = Signal()
    region_metrics_updated = Signal()
    progress = Signal(int, int, str)
    busy_changed = Signal(int)  # 1 busy, 0 idle (PySide6 6.12 leaks refs of Python bools sent through signals)
    message = Signal(str, str)  # level ("info", "warning", "error"), text
    info_changed = Signal()
    run_finished = Signal()
    run_failed = Signal(str)
    cancelled = Signal()
    draw_ready = Signal(int, float)  # draw index, PSNR-Y (nan without an original)
    sampling_finished = Signal()
    temperature_point = Signal(float, float)
    jpeg_point = Signal(str, int, float)  # method, quality (101 = lossless), PSNR-Y
    study_progress = Signal(int, int, str)
    study_busy_changed = Signal(int)
    saved = Signal(str)
    batch_changed = Signal(int)  # row index of the folder being processed
    batch_finished = Signal(str)  # summary line
    batch_progress = Signal(int, int, str)
    batch_busy_changed = Signal(int)

    def __init__(self, parent=None, *, pool: QThreadPool | None = None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self.session = SessionModel()
        self.rerun_timer = QTimer(self, singleShot=True, interval=RERUN_DELAY_MS)
        self.rerun_timer.timeout.connect(self._rerun_stale)
        self.compared = False  # a comparison of this image was asked for: keep it current from now on
        self.batch = BatchModel()
        self.batch.row_changed.connect(self.batch_changed.emit)
        self.batch.finished.connect(self.batch_finished.emit)
        self.models = ModelCache()
        self.visible_region: tuple[tuple[int, int], tuple[int, int]] | None = None
        self.session.result_changed.connect(self.result_updated.emit)
        self.session.results_cleared.connect(self.results_cleared.emit)
        self.session.image_loaded.connect(self.image_loaded.emit)
        self.session.settings_changed.connect(self.info_changed.emit)
        self.session.staleness_changed.connect(self.staleness_changed.emit)
        self.runner = self._runner(progress=self.progress, partial=self._on_partial, finished=self._on_run_finished)
        self.runner.failed.connect(self.run_failed)
        self.runner.cancelled.connect(self.cancelled)
        self.runner.stopped.connect(self._on_stopped)
        self.runner.busy_changed.connect(self.busy_changed)
        self.metrics_runner = self._runner(finished=self._on_region_metrics, report_errors=False)
        self.study_runner = self._runner(
            progress=self.study_progress, partial=self._on_partial, finished=lambda _r: self.sampling_finished.emit()
        )
        self.study_runner.busy_changed.connect(self.study_busy_changed)
        self.save_runner = self._runner(finished=lambda text: (self.saved.emit(text), self.message.emit("info", text)))
        self.batch_runner = self._runner(
            progress=self.batch_progress, partial=self._on_partial, finished=lambda summary: self.batch.finish(summary)
        )
        self.batch_runner.busy_changed.connect(self.batch_busy_changed)
        self.batch_runner.cancelled.connect(lambda: self.batch.finish("cancelled"))
        # checkpoints chosen by the user are opened here, not on the GUI thread (torch, spandrel)
        self.model_check_runner = self._runner(finished=self._on_model_checked)
        self.model_check_runner.failed.connect(lambda _t: setattr(self, "_run_after_model_check", False))
        self._run_after_model_check = False
        self._cancel_asked: int | None = None  # the generation the user cancelled, to say when it has stopped
        from irn_core.device import device_description, pick_device, resolve_precision

        device = pick_device()
        self.device_text = f"{device_description(device)}, {resolve_precision('auto', device)[0]}"

    def _runner(self, *, progress=None, partial=None, finished=None, report_errors: bool = True) -> JobRunner:
        runner = JobRunner(self.pool, parent=self)
        for signal, slot in ((runner.progress, progress), (runner.partial, partial), (runner.finished, finished)):
            if slot is not None:
                signal.connect(slot)
        if report_errors:
            runner.failed.connect(lambda text: self.message.emit("error", text))
        return runner

    # ----- state queries -----
    @property
    def settings(self):
        return self.session.settings

    @property
    def busy(self) -> bool:
        return self.runner.busy

    @property
    def checking_model(self) -> bool:
        return self.model_check_runner.busy

    def result(self, kind: str) -> SessionResult | None:
        return self.session.results.get(kind)

    def available_scales(self) -> list[int]:
        return [s for s in (2, 4, 8) if bundled_weights_path(s) is not None] or [2, 4]

    def weights_path(self) -> Path:
        return self.models.weights_path(self.settings)

    def model_label(self) -> str:
        try:
            path = self.weights_path()
        except WeightsError:
            return "no weights"
        return ("bundled " if not self.settings.weights else "") + path.name

    def weights_description(self) -> list[tuple[str, str]]:
        """What the IRN weights in use are and how they were trained; an error row when unreadable."""
        try:
            return describe_weights(self.weights_path())
        except WeightsError as exc:
            return [("Error", str(exc))]

    # ----- loading and settings -----
    def open_image(self, path: str | Path) -> bool:
        """Load an image (or an LR written by IRN Studio); on failure keep what was loaded."""
        try:
            image = read_image(path)
        except ImageIOError as exc:
            self.message.emit("error", str(exc))
            return False
        self.runner.cancel()
        self.session.load_image(image)
        self.compared = False
        if self.session.lr_only:
            info = self.session.lr_info
            self.message.emit(
                "info",
                f"{image.path.name} is an IRN x{info.scale} LR image ({info.model}): restoring it, beside "
                "bicubic and SR of the same LR. There are no metrics: the file does not hold the original.",
            )
            self.restore()  # what a user opening an LR wants; no Run to press
        for note in image.notes:
            self.message.emit("info", f"{image.path.name}: {note}")
        return True

    def open_array(self, pixels, name: str) -> None:
        """Show an in-memory image (used by the sample gallery and tests)."""
        self.runner.cancel()
        self.session.load_array(pixels, name)
        self.compared = False

    def update_settings(self, **changes) -> bool:
        """Change settings through the model (which marks results stale); False with a message when invalid.

        Results made stale are recomputed after a short pause (RERUN_DELAY_MS), so typing a seed or
        stepping the temperature reruns once, not per keystroke; there is no separate step to remember.
        """
        try:
            self.session.update_settings(**changes)
        except IRNError as exc:
            self.message.emit("error", str(exc))
            return False
        if self.compared and self.session.needs() is not None:
            self.rerun_timer.start()
        return True

    def _rerun_stale(self) -> None:
        needs = self.session.needs()
        if needs == "run" and not self.checking_model:
            self.run()
        elif needs == "restore":
            self.restore()

    def set_scale(self, scale: int) -> None:
        self.update_settings(scale=scale)

    def set_weights(self, path: str | None) -> None:
        """Use an IRN checkpoint from disk (None: the bundled weights); its scale is adopted. The file is
        opened in a worker; a run asked for meanwhile starts once it is checked."""
        if path is None:
            self.model_check_runner.cancel()
            self.update_settings(weights=None)
            if self._run_after_model_check:
                self._run_after_model_check = False
                self.run()
            return
        self.message.emit("info", f"checking {Path(path).name}…")
        self.model_check_runner.submit(lambda ctx: describe_checkpoint(path))

    def set_sr_model(self, path: str | None) -> None:
        """Use an SR checkpoint from disk for the SR pane (None: ours), checked in a worker like weights."""
        if path is None:
            self.update_settings(sr_model=None)
            return
        self.message.emit("info", f"checking {Path(path).name}…")
        self.model_check_runner.submit(lambda ctx: describe_checkpoint(path))

    def _on_model_checked(self, info) -> None:
        if info.kind == "irn":
            self.update_settings(weights=str(info.path), scale=info.scale)
            self.message.emit("info", f"using {info.label}")
        elif info.scale != self.settings.scale:
            self._run_after_model_check = False
            self.message.emit(
                "error",
                f"{info.path.name} is a x{info.scale} {info.architecture} model; "
                f"the comparison is at x{self.settings.scale}",
            )
            return
        else:
            self.update_settings(sr_model=str(info.path))
            self.message.emit("info", f"SR pane: {info.path.name} ({info.architecture} x{info.scale})")
        if self._run_after_model_check:
            self._run_after_model_check = False
            self.run()

    # ----- running -----
    def cancel(self) -> None:
        """Stop the running comparison; says "cancelling…" until its worker has really stopped."""
        if self.runner.busy:
            self._cancel_asked = self.runner.generation
            self.message.emit("info", "cancelling… (the tile being computed finishes first)")
        self.runner.cancel()

    def _on_stopped(self, generation: int) -> None:
        if generation == self._cancel_asked:
            self.message.emit("info", "cancelled: the worker has stopped")

    def _priority(self):
        if self.visible_region is None:
            return None
        (r0, r1), (c0, c1) = self.visible_region
        return (r0 + r1) / 2 / self.settings.scale, (c0 + c1) / 2 / self.settings.scale

    def _weights_ok(self) -> bool:
        try:
            self.weights_path()
        except WeightsError as exc:
            self.message.emit("error", str(exc))
            return False
        return True

    def run(self) -> bool:
        """Downscale, upscale and run the baselines in a worker (cancels any run in progress)."""
        if self.session.image is None:
            self.message.emit("error", "open an image first (File → Open, or a sample)")
            return False
        if self.checking_model:
            self._run_after_model_check = True
            return True
        if not self._weights_ok():
            return False
        if self.session.lr_only:
            return self.restore()
        self.session.clear_results()
        self.compared = True
        settings, hr, priority = self.settings, self.session.reference, self._priority()
        icc = self.session.icc_profile
        self.runner.submit(lambda ctx: tasks.comparison_task(ctx, self.models, settings, hr, priority, icc))
        return True

    def restore(self) -> bool:
        """Upscale the current IRN LR again with the current latent settings (no new downscale)."""
        s = self.session
        lr = s.results.get("irn_lr")
        if lr is None or s.needs() == "run":
            return self.run() if s.image is not None else False
        if not self._weights_ok():
            return False
        image, info = (s.image, s.lr_info) if s.lr_only else (None, None)
        self.compared = True
        job = partial(
            tasks.restore_task,
            models=self.models,
            settings=self.settings,
            lr=lr.pixels,
            reference=s.reference,
            output_size=s.output_size,
            oracle_latent=s.latent,
            image=image,
            lr_info=info,
            priority=self._priority(),
            icc=s.icc_profile,
        )
        self.runner.submit(job)
        return True

    def resample(
        self, *, seed: int | None = None, temperature: float | None = None, oracle_z: bool | None = None
    ) -> None:
        """Change the latent settings and restore again from the current LR."""
        changes = {
            k: v for k, v in (("seed", seed), ("temperature", temperature), ("oracle_z", oracle_z)) if v is not None
        }
        if self.update_settings(**changes):
            self.rerun_timer.stop()
            self.restore()

    def set_jpeg_quality(self, quality: int | None) -> None:
        """Store the IRN LR as JPEG of ``quality`` (None: lossless) before restoring, and restore again."""
        if self.update_settings(jpeg_quality=quality):
            self.rerun_timer.stop()
            self.restore()

    def _on_partial(self, payload) -> None:
        if isinstance(payload, SessionResult):
            self.session.add_result(payload)
            if payload.metrics:
                self.metrics_updated.emit()
                self.update_region_metrics()
        elif isinstance(payload, tasks.Tile):
            self.tile_ready.emit(payload.kind, payload.row, payload.col, payload.pixels)
        elif isinstance(payload, tasks.Notice):
            self.message.emit(payload.level, payload.text)
        elif isinstance(payload, tasks.BatchOutcome):
            self.batch.record(payload.index, payload.outcome, payload.message)
        elif isinstance(payload, DrawResult):
            self.draw_ready.emit(payload.index, self.session.add_draw(payload))
        elif payload[0] == "temperature":
            self.session.temperature_curve.append(payload[1:])
            self.temperature_point.emit(*payload[1:])
        elif payload[0] == "jpeg":
            _, method, quality, value = payload
            self.session.jpeg_curves.setdefault(method, []).append((quality, value))
            self.jpeg_point.emit(method, quality, value)

    def _on_run_finished(self, outcome: tasks.RunOutcome) -> None:
        if outcome.latent is not None:
            self.session.latent = outcome.latent
        if outcome.lr_fidelity:
            self.session.lr_fidelity = outcome.lr_fidelity
            self.metrics_updated.emit()
        self.session.timings = {
            k: r.provenance.seconds
            for k, r in self.session.results.items()
            if r.provenance is not None and r.provenance.seconds and ":" not in k
        }
        self.session.timings["total"] = time.perf_counter() - self.runner.started_at
        self.info_changed.emit()
        self.run_finished.emit()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the workers; True when none is left running."""
        runners = (
            self.runner,
            self.metrics_runner,
            self.study_runner,
            self.save_runner,
            self.model_check_runner,
            self.batch_runner,
        )
        for runner in runners:
            runner.cancel()
        return self.pool.waitForDone(timeout_ms)
