"""The view's work first: while a region pass computes the region the user moved to, the whole comparison
waits at its next cancel check (after a dense block, a tile or a map), so the region gets both cores.

Two jobs at once each ran their OpenMP pool on the same two cores: a pan's region took 6.0-6.9 s at 12-24 MP
x4 beside the whole pass, against about 4 s alone. Cancel (Esc) still stops a waiting job within 50 ms.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from irn_core.ops.tiling import CancelCheck

WAKE_S = 0.05  # how often a waiting job looks at its cancel event


class Foreground:
    """Counts the view's jobs in progress; background jobs wait while any is."""

    def __init__(self) -> None:
        self._running = 0
        self._changed = threading.Condition()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._changed:
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    @property
    def busy(self) -> bool:
        return self._running > 0

    def wait(self, cancel: CancelCheck) -> None:
        """Return once no view job runs, or at once when ``cancel`` is set."""
        with self._changed:
            while self._running and not cancel.is_set():
                self._changed.wait(WAKE_S)


class YieldingCancel:
    """A background job's cancel check that first waits for the view's jobs (``Foreground.wait``)."""

    def __init__(self, cancel: CancelCheck, foreground: Foreground):
        self.cancel, self.foreground = cancel, foreground

    def is_set(self) -> bool:
        self.foreground.wait(self.cancel)
        return self.cancel.is_set()
