"""The view's work first: the whole comparison waits at its cancel checks while a region pass runs."""

import threading
import time

import numpy as np

from irn_core import ComparisonSettings
from irn_studio.control import tasks
from irn_studio.control.foreground import Foreground, YieldingCancel


def _checks_in_background(check: YieldingCancel, count: int, done: list) -> threading.Thread:
    def work() -> None:
        for _ in range(count):
            if check.is_set():
                done.append("cancelled")
                return
            done.append("step")

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_a_background_job_waits_while_the_view_job_runs_and_goes_on_after():
    foreground, cancel, done = Foreground(), threading.Event(), []
    with foreground.held():
        thread = _checks_in_background(YieldingCancel(cancel, foreground), 3, done)
        time.sleep(0.3)
        assert done == []  # not one step while the region is computed
    thread.join(timeout=5)
    assert done == ["step"] * 3


def test_cancel_stops_a_waiting_job_at_once():
    foreground, cancel, done = Foreground(), threading.Event(), []
    with foreground.held():
        thread = _checks_in_background(YieldingCancel(cancel, foreground), 3, done)
        time.sleep(0.1)
        started = time.perf_counter()
        cancel.set()
        thread.join(timeout=5)
        assert done == ["cancelled"] and time.perf_counter() - started < 0.5
    assert not foreground.busy


def test_the_comparison_yields_to_region_passes(monkeypatch):
    from irn_core.analysis import region

    seen = {}

    def run_region_first(*_args, cancel, **_kwargs):
        seen["cancel"] = cancel
        raise RuntimeError("stop here")

    def compare_region(*_args, **_kwargs):
        seen["busy during the region pass"] = tasks.VIEW_FIRST.busy

    monkeypatch.setattr(region, "run_region_first", run_region_first)
    monkeypatch.setattr(region, "compare_region", compare_region)

    class Models:
        def weights_path(self, settings):
            from pathlib import Path

            return Path("irn_x2.safetensors")

        def rescaler(self, settings):
            return None

        def baselines(self, settings):
            return [], []

    class Context:
        cancel = threading.Event()

        def emit(self, message):
            pass

        def progress(self, *args):
            pass

    hr, settings = np.zeros((16, 16, 3), np.float32), ComparisonSettings(scale=2)
    try:
        tasks.comparison(Context(), models=Models(), settings=settings, hr=hr, view_region=None)
    except RuntimeError:
        pass
    assert isinstance(seen["cancel"], YieldingCancel) and seen["cancel"].foreground is tasks.VIEW_FIRST
    tasks.region_pass(Context(), models=Models(), settings=settings, hr=hr, view_region=((0, 8), (0, 8)))
    assert seen["busy during the region pass"] and not tasks.VIEW_FIRST.busy
