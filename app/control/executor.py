"""How commands run jobs without knowing about threads: an ``Executor`` starts a job function in the
background and delivers what it sends, on the GUI thread, to ``deliver``; ``later`` runs a callback after a
pause (restarting it when asked again). The Qt one is ``irn_studio.qt.workers``; tests use ``ManualExecutor``,
which runs jobs only when told to, in any order."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from irn_core.errors import Cancelled, IRNError

from ..model.messages import FromJob, JobEnded, JobProgress

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a job function gets: ``emit(message)`` sends a store message, ``progress(done, total, text)``
    reports how far it is, ``cancel`` is set when it is no longer wanted."""

    kind: str
    generation: int
    send: Callable[[FromJob], None]
    cancel: threading.Event = field(default_factory=threading.Event)

    def emit(self, message: object) -> None:
        self.send(FromJob(self.kind, self.generation, message))

    def progress(self, done: int, total: int, text: str = "") -> None:
        self.emit(JobProgress(done, total, text))


JobFunction = Callable[[JobContext], Any]


def run_job(fn: JobFunction, ctx: JobContext) -> None:
    """Run ``fn`` and send how it ended: finished (with its value), cancelled, or failed with a message a
    person can act on (an IRNError or OSError as it is; anything else is a bug, logged with its traceback)."""
    try:
        value = fn(ctx)
    except Cancelled:
        ctx.emit(JobEnded("cancelled"))
    except (IRNError, OSError) as exc:
        ctx.emit(JobEnded("failed", str(exc)))
    except Exception as exc:  # a bug: keep the app alive, log the traceback, say what happened
        log.exception("unexpected error in a background job")
        ctx.emit(JobEnded("failed", f"unexpected error (a bug; details in the log): {type(exc).__name__}: {exc}"))
    else:
        ctx.emit(JobEnded("finished", value if isinstance(value, str) else "", value))


class Executor(Protocol):
    def submit(self, ctx: JobContext, fn: JobFunction) -> None: ...

    def later(self, key: str, delay_ms: int, callback: Callable[[], None]) -> None: ...

    def stop_later(self, key: str) -> None: ...

    def is_pending(self, key: str) -> bool: ...

    def wait(self, timeout_ms: int) -> bool: ...


class ManualExecutor:
    """Runs nothing by itself: ``run_next``/``run_all`` run queued jobs on the caller's thread (tests pick the
    order), ``fire_timers`` runs the pending ``later`` callbacks. ``deliver`` is set by the commands."""

    def __init__(self) -> None:
        self.queue: list[tuple[JobContext, JobFunction]] = []
        self.timers: dict[str, Callable[[], None]] = {}

    def submit(self, ctx: JobContext, fn: JobFunction) -> None:
        self.queue.append((ctx, fn))

    def later(self, key: str, delay_ms: int, callback: Callable[[], None]) -> None:
        self.timers[key] = callback

    def stop_later(self, key: str) -> None:
        self.timers.pop(key, None)

    def is_pending(self, key: str) -> bool:
        return key in self.timers

    def wait(self, timeout_ms: int) -> bool:
        return True

    def run_next(self, index: int = 0) -> None:
        ctx, fn = self.queue.pop(index)
        run_job(fn, ctx)

    def fire_timers(self) -> None:
        while self.timers:
            _, callback = self.timers.popitem()
            callback()

    def settle(self, limit: int = 200) -> None:
        """Run jobs and timers until nothing is left (at most ``limit`` steps)."""
        for _ in range(limit):
            if self.queue:
                self.run_next()
            elif self.timers:
                self.fire_timers()
            else:
                return
        raise RuntimeError("the session did not settle")
