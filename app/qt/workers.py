"""The Qt executor: job functions run on a QThreadPool; what they send crosses to the GUI thread through one
queued signal and is delivered there. ``later`` is a restartable single-shot QTimer per key."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from ..control.executor import JobContext, JobFunction, run_job
from ..model.messages import FromJob


class _Runnable(QRunnable):
    def __init__(self, fn: JobFunction, ctx: JobContext):
        super().__init__()
        self.fn, self.ctx = fn, ctx
        self.setAutoDelete(True)

    def run(self) -> None:
        run_job(self.fn, self.ctx)


class QtExecutor(QObject):
    # FromJob envelopes, emitted on worker threads, received on the GUI thread (queued connection)
    sent = Signal(object)

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self.deliver: Callable[[FromJob], None] = lambda _envelope: None
        self.sent.connect(self._on_sent)
        self._timers: dict[str, QTimer] = {}
        self._callbacks: dict[str, Callable[[], None]] = {}

    def _on_sent(self, envelope: FromJob) -> None:
        self.deliver(envelope)

    def submit(self, ctx: JobContext, fn: JobFunction) -> None:
        ctx.send = self.sent.emit
        self.pool.start(_Runnable(fn, ctx))

    def later(self, key: str, delay_ms: int, callback: Callable[[], None]) -> None:
        self._callbacks[key] = callback
        timer = self._timers.get(key)
        if timer is None:
            timer = self._timers[key] = QTimer(self, singleShot=True)
            timer.timeout.connect(lambda: self._callbacks[key]())
        timer.start(delay_ms)

    def stop_later(self, key: str) -> None:
        timer = self._timers.get(key)
        if timer is not None:
            timer.stop()

    def is_pending(self, key: str) -> bool:
        timer = self._timers.get(key)
        return timer is not None and timer.isActive()

    def wait(self, timeout_ms: int) -> bool:
        for timer in self._timers.values():
            timer.stop()
        return self.pool.waitForDone(timeout_ms)
