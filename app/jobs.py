"""Background work for the app: QRunnables with progress, cancel and latest-wins.

A job is a plain function ``fn(ctx)``; ``ctx.progress(done, total, text)`` reports progress,
``ctx.emit(name, payload)`` sends intermediate results, and ``ctx.cancel`` (a threading.Event)
is set when the job is no longer wanted. Each job kind ("run", "metrics", ...) keeps at most
one live job: submitting a new one cancels the old, whose late signals are dropped.
"""
from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class JobSignals(QObject):
    progress = Signal(int, int, int, str)     # generation, done, total, text
    partial = Signal(int, str, object)        # generation, name, payload
    finished = Signal(int, object)            # generation, result
    failed = Signal(int, str)                 # generation, message
    cancelled = Signal(int)


@dataclass
class JobContext:
    generation: int
    signals: JobSignals
    cancel: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int, text: str = "") -> None:
        self.signals.progress.emit(self.generation, done, total, text)

    def emit(self, name: str, payload: Any) -> None:
        self.signals.partial.emit(self.generation, name, payload)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[JobContext], Any], ctx: JobContext, user_errors: tuple[type, ...]):
        super().__init__()
        self.fn, self.ctx, self.user_errors = fn, ctx, user_errors
        self.setAutoDelete(True)

    def run(self) -> None:
        from irn_core import Cancelled
        signals = self.ctx.signals
        try:
            result = self.fn(self.ctx)
        except Cancelled:
            signals.cancelled.emit(self.ctx.generation)
        except self.user_errors as exc:
            signals.failed.emit(self.ctx.generation, str(exc))
        except Exception as exc:  # a bug: keep the window alive and say what happened
            traceback.print_exc()
            signals.failed.emit(self.ctx.generation, f"unexpected error: {type(exc).__name__}: {exc}")
        else:
            if self.ctx.cancel.is_set():
                signals.cancelled.emit(self.ctx.generation)
            else:
                signals.finished.emit(self.ctx.generation, result)


class JobRunner(QObject):
    """Runs one kind of job at a time on a shared pool; the newest submission wins.

    Signals carry only the current job's events (stale generations are filtered out).
    """

    progress = Signal(int, int, str)
    partial = Signal(str, object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    busy_changed = Signal(int)  # 1 busy, 0 idle (PySide6 6.12 leaks refs of Python bools sent through signals)

    def __init__(self, pool: QThreadPool, *, user_errors: tuple[type, ...] = (ValueError,), parent=None):
        super().__init__(parent)
        self.pool = pool
        self.user_errors = user_errors
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
        self.pool.start(_Runnable(fn, self.current, self.user_errors))
        self.busy_changed.emit(1)
        return self.generation

    def cancel(self) -> None:
        if self.current is not None:
            self.current.cancel.set()
            self.current = None
            self.busy_changed.emit(0)
            self.cancelled.emit()

    def _live(self, generation: int) -> bool:
        return self.current is not None and generation == self.current.generation

    def _on_progress(self, generation, done, total, text):
        if self._live(generation):
            self.progress.emit(done, total, text)

    def _on_partial(self, generation, name, payload):
        if self._live(generation):
            self.partial.emit(name, payload)

    def _end(self) -> None:
        self.current = None
        self.busy_changed.emit(0)

    def _on_finished(self, generation, result):
        if self._live(generation):
            self._end()
            self.finished.emit(result)

    def _on_failed(self, generation, message):
        if self._live(generation):
            self._end()
            self.failed.emit(message)

    def _on_cancelled(self, generation):
        if self._live(generation):
            self._end()
            self.cancelled.emit()
