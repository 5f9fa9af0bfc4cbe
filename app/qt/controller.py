"""SessionController: the app's session on Qt: the store, the Qt executor and the Qt-free ``AppSession``
whose commands menus, keys, views and ``--do`` scripts call (``controller.session.run()``).

It adds no state of its own. Its Qt signals only tell listeners outside the views (the screenshot loop, the
benchmark, tests) that a notice was posted or a comparison ended; views redraw from ``store.changed``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool, Signal

from irn_core.analysis.results import ComparisonSettings

from ..control import tasks
from ..control.app_session import AppSession
from ..model.jobs import Job
from ..model.messages import JobEnded
from ..model.store import SessionStore
from .workers import QtExecutor


class SessionController(QObject):
    message = Signal(str, str)  # level ("info", "warning", "error"), text: every notice the store takes
    run_finished = Signal()
    run_failed = Signal(str)
    study_finished = Signal()
    job_ended = Signal(str, str, str)  # kind, outcome ("finished", "failed", "cancelled"), text

    def __init__(self, parent: QObject | None = None, *, pool: QThreadPool | None = None):
        super().__init__(parent)
        self.store = SessionStore()
        self.executor = QtExecutor(pool, self)
        self.pool = self.executor.pool
        self.models = tasks.make_models()
        self.session = AppSession(self.store, self.executor, tasks, self.models)
        self.services = self.session.services
        self.executor.deliver = self.services.deliver
        self.commands, self.studies, self.exports = self.session.commands, self.session.studies, self.session.exports
        self.services.ended_listeners.append(self._on_ended)
        self._notices_seen = 0
        self.store.changed.connect(self._on_changed)
        from irn_core.device import device_description, pick_device, resolve_precision

        device = pick_device()
        self.device_text = f"{device_description(device)}, {resolve_precision('auto', device)[0]}"

    @property
    def settings(self) -> ComparisonSettings:
        return self.store.settings

    @property
    def busy(self) -> bool:
        return self.commands.busy

    @property
    def checking_model(self) -> bool:
        return self.commands.checking_model

    def model_label(self) -> str:
        return tasks.model_label(self.models, self.settings)

    def weights_description(self) -> list[tuple[str, str]]:
        """What the IRN weights in use are and how they were trained; an error row when unreadable."""
        from irn_core.errors import WeightsError
        from irn_core.io.weights_record import describe_weights

        try:
            return describe_weights(self.models.weights_path(self.settings))
        except WeightsError as exc:
            return [("Error", str(exc))]

    def idle(self) -> bool:
        """No job is live and no rerun is waiting: what a script waits for before its next command."""
        return not self.store.jobs.live and not any(self.executor.is_pending(k) for k in ("rerun", "region"))

    def _on_changed(self, aspects: frozenset[str]) -> None:
        if "notices" in aspects:
            new = min(self.store.notice_count - self._notices_seen, len(self.store.notices))
            self._notices_seen = self.store.notice_count
            for notice in self.store.notices[len(self.store.notices) - new :]:
                self.message.emit(notice.level, notice.text)

    def _on_ended(self, job: Job, ended: JobEnded) -> None:
        self.job_ended.emit(job.kind, ended.outcome, ended.text)
        if job.kind == "comparison":
            if ended.outcome == "finished":
                self.run_finished.emit()
            elif ended.outcome == "failed":
                self.run_failed.emit(ended.text)
        elif job.kind == "study" and ended.outcome != "cancelled":
            self.study_finished.emit()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel every job and wait for the workers; True when none is left running."""
        for kind in list(self.store.jobs.policies):
            self.services.cancel(kind)
        return self.executor.wait(timeout_ms)
