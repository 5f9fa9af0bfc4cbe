"""A scripted window: open, compare, perform a script's commands one by one as the session becomes idle, then
save a screenshot and its record and end. What ``--screenshot``, ``--do``, ``--script`` and ``--demo`` run."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from irn_core.analysis.region import wants_region_first

from ..control.script import Step, perform
from ..model.readouts import view_metrics_in, visible_computed
from .screenshot import visible_regions
from .window import MainWindow

EXIT_TIMEOUT = 3
POLL_MS = 50
VIEW_STEPS = {"layout", "pane", "zoom", "split", "solo", "presentation"}  # need no finished comparison


class ScriptedRun:
    """steps: performed after the comparison, each when the session is idle; then ``first_look`` (the demo's
    view), then the screenshot (if ``screenshot``) once the region metrics of the view are in."""

    def __init__(self, window: MainWindow, steps: list[Step], *, screenshot: str | None, timeout_s: float,
                 first_look: Callable[[], None] | None = None):  # fmt: skip
        self.window, self.steps, self.screenshot = window, list(steps), screenshot
        self.first_look, self.timeout_s = first_look, timeout_s
        self.code = 0
        self.loop = QEventLoop()
        self.poll = QTimer(interval=POLL_MS)
        self.poll.timeout.connect(self._step)
        self.deadline = QTimer(singleShot=True)
        self.deadline.timeout.connect(self._expired)
        self._looked = False
        self._ended = False
        self.visible_ready: dict[int, float] = {}  # pane index -> seconds from opening to its view computed
        window.controller.run_failed.connect(self._failed)

    def start(self) -> None:
        """Perform the steps in the running application's event loop (an interactive demo)."""
        self.poll.start()

    def exec(self, *, opened: bool) -> int:
        """Runs its own event loop, not app.exec(): quitting the application would end every later event
        loop of this process (tests run the app in-process)."""
        if not opened:
            self.code = 1
            QTimer.singleShot(200, self._finish)
        else:
            self.poll.start()
        self.deadline.start(int(self.timeout_s * 1000))
        self.loop.exec()
        return self.code

    def _note_visible(self) -> None:
        store = self.window.store
        for index, (pane, region) in enumerate(zip(self.window.panes, visible_regions(self.window))):
            if (
                index not in self.visible_ready
                and store.image is not None
                and visible_computed(store, pane.kind, region)
            ):
                self.visible_ready[index] = round(time.monotonic() - store.opened_at, 2)

    def _large(self) -> bool:
        store = self.window.store
        return store.reference is not None and wants_region_first(store.reference.shape, store.settings)

    def _ready(self) -> bool:
        """Whether the next step (or, after the last, the screenshot) may go: the session is idle; on a large
        photo, a view step needs only the other jobs done, and the screenshot only the panes' views computed and
        their metrics in, the view region's at least (the whole image may go on computing: the JSON says what
        is computed)."""
        if not self.window.pane_grid.settled():
            return False
        if self.window.controller.idle():
            return True
        if not self._large():
            return False
        background = {"comparison", "region", "region_metrics"}
        if any(job.kind not in background for job in self.window.store.jobs.live.values()):
            return False
        if self.steps:
            return self.steps[0].name in VIEW_STEPS
        if not self._looked:
            return True
        kinds = [pane.kind for pane in self.window.panes]
        return len(self.visible_ready) == len(kinds) and view_metrics_in(self.window.store, kinds)

    def _step(self) -> None:
        self._note_visible()
        if self._ended or not self._ready():
            return
        if self.steps:
            step = self.steps.pop(0)
            if step.name in VIEW_STEPS:
                self.visible_ready.clear()  # a new view: its panes are computed anew
            if not perform(step, self.window):
                errors = [n.text for n in self.window.store.notices if n.level == "error"]
                print(
                    f"irn-studio: {step.text!r} was refused: {errors[-1] if errors else 'see above'}", file=sys.stderr
                )
                self.code = 1
                self._finish()
            return
        if not self._looked:
            self._looked = True
            if self.first_look is not None:
                self.first_look()
            return  # the view changed: region metrics follow; the next idle poll saves
        if self.screenshot is None:
            self.poll.stop()
            self._ended = True
            return
        self._finish()

    def _failed(self, text: str) -> None:
        self.code = 1
        QTimer.singleShot(200, self._finish)

    def _expired(self) -> None:
        print(
            f"irn-studio: --timeout {self.timeout_s:g} s expired before the script and the comparison were done; "
            f"{self.screenshot} shows what was (its JSON marks each pane's state)",
            file=sys.stderr,
        )
        self.code = EXIT_TIMEOUT
        self._finish()

    def _finish(self) -> None:
        if self._ended and self.screenshot is None:
            return
        self._ended = True
        self.poll.stop()
        self.deadline.stop()
        if self.screenshot is not None:
            try:
                self.window.grab_screenshot(self.screenshot, self.visible_ready)
                print(f"wrote {self.screenshot} and {Path(self.screenshot).with_suffix('.json').name}")
            except Exception as exc:  # report, never hang
                print(f"irn-studio: cannot save screenshot: {exc}", file=sys.stderr)
                self.code = 1
            self.window.close()
        self.loop.quit()
