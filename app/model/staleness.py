"""Whether each thing the session shows is current, stale or still being computed: derived in this one
place from provenance, for results, their maps, draws and studies alike."""

from __future__ import annotations

from irn_core.analysis.results import BASELINE_INPUTS, IRN_HR_INPUTS, SR_INPUTS, STUDY_INPUTS, Provenance

from .state import ItemState, SessionState, Study

CURRENT, MISSING, PENDING = ItemState("current"), ItemState("missing"), ItemState("pending")


def _changed(provenance: Provenance, store: SessionState) -> list[str]:
    return provenance.changed_inputs(store.settings)


def result_state(store: SessionState, kind: str) -> ItemState:
    """A result is stale when a setting it depends on changed, when it is a map of another result than the
    one now shown (a draw's maps against the previous restoration), or when it is a draw of a stale study."""
    result = store.results.get(kind)
    pending = kind in store.jobs.pending()
    if result is None:
        return PENDING if pending else MISSING
    provenance = result.provenance
    if provenance is None:  # the opened image itself
        return CURRENT
    reasons = []
    changed = _changed(provenance, store)
    if changed:
        reasons.append(f"{', '.join(changed)} changed")
    if ":" in kind:
        source_kind = kind.split(":", 1)[1]
        source = store.results.get(source_kind)
        if source is None or source.provenance != provenance:
            reasons.append("of an earlier result than the one shown")
        elif result_state(store, source_kind).stale:
            reasons.append("its result is out of date")
    elif provenance.draw_index is not None:
        if not _is_shown_draw(store, provenance):
            reasons.append("a draw of an earlier draw study")
        elif study_state(store, "draws").stale:
            reasons.append("its draw study is out of date")
    if reasons:
        return ItemState("stale", "; ".join(reasons), updating=pending)
    return CURRENT


def _is_shown_draw(store: SessionState, provenance: Provenance) -> bool:
    """The draw with this provenance is the draw of the present draw study the user chose to show."""
    study, index = store.studies.get("draws"), provenance.draw_index
    if study is None or index is None or store.shown_draw != index or index >= len(study.draws):
        return False
    return study.draws[index].result.provenance == provenance


def study_state(store: SessionState, name: str) -> ItemState:
    study = store.studies.get(name)
    pending = f"study:{name}" in store.jobs.pending()
    if study is None:
        return PENDING if pending else MISSING
    changed = [f for f in STUDY_INPUTS[name] if f in study.provenance.inputs and f in _changed(study.provenance, store)]
    if changed:
        return ItemState("stale", f"{', '.join(changed)} changed", updating=pending)
    if pending and not study.points and not study.draws:
        return PENDING
    if not pending and not study.complete:
        return ItemState("stale", "stopped before it finished")
    return CURRENT


FIRST_REGION_INPUTS = {"irn_hr": ("irn", IRN_HR_INPUTS), "sr": ("sr", SR_INPUTS)}


def first_region_state(store: SessionState, kind: str) -> ItemState:
    """Whether the metrics of a large photo's first region for ``kind`` hold for the present settings."""
    first = store.first_region
    if first is None or kind not in first.metrics:
        return MISSING
    method, inputs = FIRST_REGION_INPUTS.get(kind, (kind, BASELINE_INPUTS))
    changed = Provenance(method, first.settings, inputs).changed_inputs(store.settings)
    return ItemState("stale", f"{', '.join(changed)} changed") if changed else CURRENT


def region_metrics_current(store: SessionState, kind: str) -> bool:
    """The region metrics of ``kind`` were measured on the result shown, over the region in view."""
    result = store.results.get(kind)
    return (
        result is not None
        and kind in store.region_metrics
        and store.region_measured.get(kind, False) == result.provenance
        and store.region_of_metrics == store.view.region
        and result_state(store, kind).current
    )


__all__ = ["CURRENT", "MISSING", "PENDING", "ItemState", "Study", "result_state", "study_state"]
