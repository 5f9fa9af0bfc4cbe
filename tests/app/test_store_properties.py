"""Property test of the session: random sequences of 5-25 user actions, with the jobs they start finishing in
random interleavings, on stub pipelines (tests/app/stub_session.py). After each sequence settles:

1. everything the store calls current has the value the settings in force give (stale is never shown as
   current), for results, maps, the draw shown, and study curves;
2. no job result or error is lost: every save reports, a checkpoint check is only ever cancelled by a later
   request of its own kind or by Cancel, and the last IRN weights chosen are the weights in force;
3. the store's current content equals a fresh store's given only the final settings and the same requests.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stub_session import (
    baseline_value,
    draw_value,
    irn_hr_value,
    lr_value,
    make_session,
    map_value,
    open_stub_image,
    study_points,
)

ACTIONS = st.one_of(
    st.tuples(st.just("open"), st.sampled_from(["a.png", "b.png"])),
    st.tuples(st.just("scale"), st.sampled_from([2, 4])),
    st.tuples(st.just("seed"), st.integers(0, 3)),
    st.tuples(st.just("temperature"), st.sampled_from([0.5, 1.0])),
    st.tuples(st.just("oracle"), st.booleans()),
    st.tuples(st.just("jpeg"), st.sampled_from([None, 50])),
    st.tuples(st.just("draws"), st.integers(2, 3)),
    st.tuples(st.just("show-draw"), st.integers(0, 1)),
    st.tuples(st.just("sample-then-show"), st.integers(0, 1)),  # draws, wait for them, show one
    st.tuples(st.just("weights"), st.sampled_from(["irn_x2.pth", "irn_x4.pth", None])),
    st.tuples(st.just("sr-model"), st.sampled_from(["sr_x2.pth", "sr_x4.pth", None])),
    st.tuples(st.just("weights"), st.sampled_from(["irn_x2.pth", "irn_x4.pth"])),  # (choosing files: as likely
    st.tuples(st.just("sr-model"), st.sampled_from(["sr_x2.pth", "sr_x4.pth"])),  # as any other request)
    st.tuples(st.just("layout"), st.sampled_from(["1x1", "1x3", "2x2"])),
    st.tuples(st.just("study"), st.sampled_from(["temperature", "jpeg"])),
    st.tuples(st.just("save"), st.sampled_from(["irn_hr", "bicubic", "unwritable"])),
    st.tuples(st.just("run"), st.none()),
    st.tuples(st.just("cancel"), st.none()),
    st.tuples(st.just("work"), st.integers(0, 5)),  # one queued job finishes (which one: the integer)
    st.tuples(st.just("timers"), st.none()),  # the rerun pause elapses
    st.tuples(st.just("settle"), st.none()),  # every job finishes and every pause elapses
    st.tuples(st.just("settle"), st.none()),  # (twice: as likely as any request)
)


class Harness:
    def __init__(self):
        self.session, self.executor = make_session()
        self.store = self.session.store
        self.requests: list[tuple[int, str, str]] = []  # (step, action, detail) of what was asked
        self.weights: str | None = None  # the IRN weights the user last settled on
        self.saves = 0
        self.ran = False
        self.step = 0

    def do(self, action: str, arg) -> None:
        s, session = self.store, self.session
        self.step += 1
        if action == "open":
            open_stub_image(session, arg)
            self.ran = False
        elif action in ("scale", "seed", "temperature", "jpeg"):
            session.update_settings(**{"jpeg_quality" if action == "jpeg" else action: arg})
        elif action == "oracle":
            session.resample(oracle_z=arg)
        elif action == "draws":
            session.sample(arg)
        elif action == "show-draw":
            session.show_draw(arg)
        elif action == "sample-then-show":
            session.sample(2)
            self.executor.settle()
            session.show_draw(arg)
        elif action == "weights":
            session.set_weights(arg)
            self.weights = arg
        elif action == "sr-model":
            session.set_sr_model(arg)
        elif action == "layout":
            session.set_view(layout=arg)
        elif action == "study":
            (session.temperature_study if arg == "temperature" else session.jpeg_study)()
        elif action == "save":
            if session.save_result("irn_hr" if arg == "unwritable" else arg, f"/tmp/{arg}/x.png"):
                self.saves += 1
        elif action == "run":
            self.ran = session.run() or self.ran
        elif action == "cancel":
            if s.busy("irn_weights"):
                self.weights = s.settings.weights  # the check stops: the weights stay what they were
            session.cancel()
        elif action == "work" and self.executor.queue:
            self.executor.run_next(arg % len(self.executor.queue))
        elif action == "timers":
            self.executor.fire_timers()
        elif action == "settle":
            self.executor.settle()
        self.requests.append((self.step, action, str(arg)))

    def settle(self) -> None:
        self.executor.settle()


def expected_value(store, kind: str) -> float:
    """What a current ``kind`` must hold under the store's settings (and the draw shown)."""
    s = store.settings
    if kind == "irn_hr" and store.shown_draw is not None:
        return draw_value(store.studies["draws"].provenance.settings, store.shown_draw)
    if ":" in kind:
        prefix, source = kind.split(":", 1)
        return map_value(prefix + ":", expected_value(store, source))
    if kind == "irn_lr":
        return lr_value(s)
    if kind == "irn_hr":
        return irn_hr_value(s)
    return baseline_value(kind, s)


def current_content(store) -> dict:
    """What a person sees as current: values of current results and points of current studies."""
    out = {}
    for kind, result in store.results.items():
        if store.state_of(kind).current and kind not in ("hr",):
            out[kind] = round(float(result.pixels.flat[0]), 9)
    for name, study in store.studies.items():
        if store.study_state(name).current:
            out[f"study:{name}"] = {k: list(v) for k, v in study.points.items()} or len(study.draws)
    return out


def check(h: Harness) -> None:
    store = h.store
    # 1. current means right for the settings in force
    for kind, result in store.results.items():
        state = store.state_of(kind)
        if state.current and kind not in ("hr", "mean_draw", "std_map"):
            assert np.all(result.pixels == np.float32(expected_value(store, kind))), (kind, h.requests)
        assert state.status in ("current", "stale"), (kind, state)
    for name in ("temperature", "jpeg"):
        study = store.studies.get(name)
        if study is not None and store.study_state(name).current:
            assert study.points == study_points(name, store.settings), (name, h.requests)
    # 2. nothing lost
    jobs = store.jobs
    assert not jobs.live
    saves = [g for g, outcome in jobs.reported.items() if outcome in ("finished", "failed")]
    assert h.saves <= len(saves) + len([g for g in jobs.outcomes if g not in jobs.reported])
    texts = [n.text for n in store.notices]
    assert sum(t.startswith("saved ") or "permission denied" in t for t in texts) == h.saves, h.requests
    assert store.settings.weights == h.weights or any("is not x" in t or "model; expected" in t for t in texts), (
        store.settings.weights,
        h.weights,
        h.requests,
    )
    # 3. a fresh store given only the final settings and the same requests holds the same
    fresh, executor = make_session(store.settings)
    if store.image is not None:
        fresh.open_array(store.results["hr"].pixels, store.image.path.name)
        if any(k not in ("hr",) for k in store.results) and (h.ran or store.studies):
            fresh.run()
            executor.settle()
        for name, study in store.studies.items():
            if store.study_state(name).current:
                if name == "draws":
                    fresh.sample(len(study.draws))
                else:
                    (fresh.temperature_study if name == "temperature" else fresh.jpeg_study)()
                executor.settle()
        if store.shown_draw is not None and store.study_state("draws").current:
            fresh.show_draw(store.shown_draw)
            executor.settle()
    seen, again = current_content(store), current_content(fresh.store)
    assert {k: v for k, v in seen.items() if k in again} == {k: v for k, v in again.items() if k in seen}, h.requests


def run_sequence(actions, *, final_run: bool = False) -> Harness:
    """From a comparison already on screen (the usual start), do ``actions``, settle and check."""
    h = Harness()
    open_stub_image(h.session)
    h.do("run", None)
    h.settle()
    for action, arg in actions:
        h.do(action, arg)
    h.settle()
    if h.ran and final_run:  # the user presses Run once more at the end: what it allows is then all current
        h.do("run", None)
        h.settle()
    check(h)
    return h


PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.lists(ACTIONS, min_size=5, max_size=25))
def test_every_sequence_of_user_actions_leaves_nothing_stale_shown_as_current_and_nothing_lost(actions):
    run_sequence(actions)


def test_a_draw_shown_after_a_run_brings_its_own_maps():
    sequence = [("run", None), ("work", 0), ("draws", 3), ("work", 0), ("show-draw", 2), ("layout", "2x2")]
    h = run_sequence(sequence, final_run=False)
    store = h.store
    assert store.shown_draw == 2 and all(store.state_of(f"{p}irn_hr").current for p in ("error:", "flip:"))


def test_weights_then_an_sr_model_keeps_both():
    h = run_sequence([("weights", "irn_x4.pth"), ("sr-model", "sr_x4.pth"), ("work", 0), ("work", 0), ("run", None)])
    assert h.store.settings.weights == "irn_x4.pth" and h.store.settings.sr_model == "sr_x4.pth"


@pytest.mark.slow
@pytest.mark.parametrize("defect", ["shared checkpoint slot", "show-draw keeps the previous maps"])
def test_the_property_catches_the_defects_it_was_written_for(defect, monkeypatch):
    """The same random property, derandomized as above, fails when a fixed defect of 0.5.0 comes back."""
    from irn_studio.control import services, studies
    from irn_studio.model import staleness

    if defect == "shared checkpoint slot":  # 0.5.0: the IRN and SR checks shared one latest-wins runner
        real_start = services.Services.start

        def one_slot(self, kind, fn, **kw):
            return real_start(self, "irn_weights" if kind == "sr_model" else kind, fn, **kw)

        monkeypatch.setattr(services.Services, "start", one_slot)
    else:  # 0.5.0: a shown draw left the previous maps on screen as current (judged by settings only)
        real = staleness.result_state

        def settings_only(store, kind):
            result = store.results.get(kind)
            if result is None or result.provenance is None:
                return real(store, kind)
            changed = result.provenance.changed_inputs(store.settings)
            return staleness.ItemState("stale", "x") if changed else staleness.CURRENT

        monkeypatch.setattr("irn_studio.model.store.result_state", settings_only)
        monkeypatch.setattr(studies.StudyCommands, "show_draw", _show_draw_without_maps)
    with pytest.raises((AssertionError, ExceptionGroup)):
        test_every_sequence_of_user_actions_leaves_nothing_stale_shown_as_current_and_nothing_lost()


def _show_draw_without_maps(self, index):
    from irn_studio.model import messages as m

    self.store.apply(m.ShowDraw(index))
    return self.store.shown_draw == index
