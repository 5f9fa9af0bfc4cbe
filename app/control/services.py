"""What every command part gets, declared: the store, the executor, the pipelines and the model cache, and
the one way to start a job under its kind's policy and to take in what jobs send."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..model.jobs import Job, JobRefused
from ..model.messages import FromJob, JobEnded, Notice
from ..model.store import SessionStore
from .executor import Executor, JobContext, JobFunction

EndedListener = Callable[[Job, JobEnded], None]


@dataclass
class Services:
    store: SessionStore
    executor: Executor
    pipelines: Any  # irn_studio.control.tasks, or a stub with the same functions
    models: Any
    ended_listeners: list[EndedListener] = field(default_factory=list)
    _cancel_events: dict[int, threading.Event] = field(default_factory=dict)
    _cancel_asked: set[int] = field(default_factory=set)

    def start(
        self, kind: str, fn: JobFunction, *, produces: frozenset[str] = frozenset(), first: tuple[Any, ...] = ()
    ) -> int | None:
        """Start ``fn`` as a job of ``kind``; what it replaces is cancelled. ``first``: messages of this job
        applied before it runs (a study's start). None, with the reason as an error notice, if refused."""
        try:
            job, replaced = self.store.start_job(kind, produces)
        except JobRefused as exc:
            self.store.apply(Notice("error", str(exc)))
            return None
        for old in replaced:
            self._cancel(old.generation)
        ctx = JobContext(kind, job.generation, self.deliver)
        self._cancel_events[job.generation] = ctx.cancel
        for message in first:
            self.deliver(FromJob(kind, job.generation, message))
        self.executor.submit(ctx, fn)
        return job.generation

    def cancel(self, kind: str, *, say: bool = False) -> bool:
        """Cancel the running jobs of ``kind``; with ``say``, tell the user until the worker has stopped."""
        jobs = self.store.cancel_jobs(kind)
        for job in jobs:
            self._cancel(job.generation)
            if say:
                self._cancel_asked.add(job.generation)
        if jobs and say:
            self.store.apply(Notice("info", "cancelling… (the tile being computed finishes first)"))
        return bool(jobs)

    def _cancel(self, generation: int) -> None:
        event = self._cancel_events.get(generation)
        if event is not None:
            event.set()

    def deliver(self, envelope: FromJob) -> None:
        """Apply what a job sent (on the GUI thread); tell the listeners when a live job has ended."""
        job = self.store.jobs.live.get(envelope.generation)
        self.store.apply(envelope)
        if not isinstance(envelope.message, JobEnded):
            return
        self._cancel_events.pop(envelope.generation, None)
        if envelope.generation in self._cancel_asked:
            self._cancel_asked.discard(envelope.generation)
            self.store.apply(Notice("info", "cancelled: the worker has stopped"))
        if job is not None:
            for listener in list(self.ended_listeners):
                listener(job, envelope.message)
