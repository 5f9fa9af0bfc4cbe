"""Background work for the app: QRunnables with progress, cancel and latest-wins.

A job is a plain function ``fn(ctx)``; ``ctx.progress(done, total, text)`` reports progress,
``ctx.emit(payload)`` sends an intermediate result (a typed object), and ``ctx.cancel`` (a
threading.Event) is set when the job is no longer wanted. Each runner keeps at most one live job:
submitting a new one cancels the old, whose late signals are dropped. ``IRNError``s are shown to the
user as one line; any other exception is a bug, logged with its traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from irn_core.errors import Cancelled, IRNError

log = logging.getLogger(__name__)


class JobSignals(QObject):
    progress = Signal(int, int, int, str)  # generation, done, total, text
    partial = Signal(int, object)  # generation, payload
    finished = Signal(int, object)  # generation, result
    failed = Signal(int, str)  # generation, message
    cancelled = Signal(int)


@dataclass
class JobContext:
    generation: int
    signals: JobSignals
    cancel: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int, text: str = "") -> None:
        self.signals.progress.emit(self.generation, done, total, text)

    def emit(self, payload: Any) -> None:
        self.signals.partial.emit(self.generation, payload)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[JobContext], Any], ctx: JobContext):
        super().__init__()
        self.fn, self.ctx = fn, ctx
        self.setAutoDelete(True)

    def run(self) -> None:
        signals = self.ctx.signals
        try:
            result = self.fn(self.ctx)
        except Cancelled:
            signals.cancelled.emit(self.ctx.generation)
        except (IRNError, OSError) as exc:
            signals.failed.emit(self.ctx.generation, str(exc))
        except Exception as exc:  # a bug: keep the window alive, log the traceback, say what happened
            log.exception("unexpected error in a background job")
            signals.failed.emit(
                self.ctx.generation, f"unexpected error (a bug; details in the log): {type(exc).__name__}: {exc}"
            )
        else:
            signals.finished.emit(self.ctx.generation, result)  # dropped by the runner if no longer wanted


class JobRunner(QObject):
    """Runs one kind of job at a time on a shared pool; the newest submission wins.

    Signals carry only the current job's events (stale generations are filtered out).
    """

    progress = Signal(int, int, str)
    partial = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    busy_changed = Signal(int)  # 1 busy, 0 idle (PySide6 6.12 leaks refs of Python bools sent through signals)
    stopped = Signal(int)  # a cancelled job's worker has really ended (its generation)

    def __init__(self, pool: QThreadPool, *, parent=None):
        super().__init__(parent)
        self.pool = pool
        self.started_at = 0.0
        # How each job ended ("finished", "failed", "cancelled": it stopped by raising Cancelled), by
        # generation, superseded ones included: what tests check a cancel against.
        self.outcomes: dict[int, str] = {}
        self.stopping: set[int] = set()  # cancelled generations whose worker is still running
        self.generation = 0
        self.current: JobContext | None = None
        self.signals = JobSignals()
        self.signals.progress.connect(self._on_progress)
        self.signals.partial.connect(self._on_partial)
        self.signals.finished.connect(self._on_finished)
        self.signals.failed.connect(self._on_failed)
        self.signals.cancelled.connect(self._on_cancelled)

    @property
    def busy(self) -> bool:
        return self.current is not None

    def submit(self, fn: Callable[[JobContext], Any]) -> int:
        self.cancel()
        self.generation += 1
        self.current = JobContext(self.generation, self.signals)
        self.started_at = time.perf_counter()
        self.pool.start(_Runnable(fn, self.current))
        self.busy_changed.emit(1)
        return self.generation

    def cancel(self) -> None:
        if self.current is not None:
            self.current.cancel.set()
            self.stopping.add(self.current.generation)
            self.current = None
            self.busy_changed.emit(0)
            self.cancelled.emit()

    def _ended(self, generation: int) -> None:
        if generation in self.stopping:
            self.stopping.discard(generation)
            self.stopped.emit(generation)

    def _live(self, generation: int) -> bool:
        return self.current is not None and generation == self.current.generation

    def _on_progress(self, generation, done, total, text):
        if self._live(generation):
            self.progress.emit(done, total, text)

    def _on_partial(self, generation, payload):
        if self._live(generation):
            self.partial.emit(payload)

    def _end(self) -> None:
        self.current = None
        self.busy_changed.emit(0)

    def _on_finished(self, generation, result):
        self.outcomes[generation] = "finished"
        self._ended(generation)
        if self._live(generation):
            self._end()
            self.finished.emit(result)

    def _on_failed(self, generation, message):
        self.outcomes[generation] = "failed"
        self._ended(generation)
        if self._live(generation):
            self._end()
            self.failed.emit(message)

    def _on_cancelled(self, generation):
        self.outcomes[generation] = "cancelled"
        self._ended(generation)
        if self._live(generation):
            self._end()
            self.cancelled.emit()
