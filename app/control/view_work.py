"""What the view asks to be computed, Qt-free: the metrics of the region in view, and, while a large photo's
whole comparison runs, every method on a region the user moved to; and where the view is, for the workers that
order their tiles by it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..model.kinds import COMPARED_KINDS
from .services import Services

REGION_DELAY_MS = 120
# A drag moves the view every 8-16 ms and restarts this wait, so its region is computed once the hand
# rests; a jump (a key, a click, a script) waits only this long. A pass started in a pause of a drag is
# replaced by the next one (its kind's policy) within one dense block of the region: tens of milliseconds.
REGION_PASS_DELAY_MS = 100


class ViewWork:
    def __init__(self, services: Services, *, run_produces: frozenset[str]):
        self.services = services
        self.store = services.store
        self.run_produces = run_produces
        self._looking_at: tuple[float, float] | None = None  # LR (row, col) at the view's centre
        # The session's run command, set by its owner: a comparison still on its first region starts again
        # at the region moved to, rather than a region pass computing beside it on the same cores.
        self.restart_comparison: Callable[[], bool] | None = None
        self.store.changed.connect(self._on_store_changed)

    def looking_at(self) -> tuple[float, float] | None:
        """Where the view is, in LR pixels: asked by the comparison's worker before each tile (a float pair,
        replaced whole, so a read from another thread sees the old or the new one)."""
        return self._looking_at

    def _on_store_changed(self, aspects: frozenset[str]) -> None:
        if ("view" in aspects or "results" in aspects) and self.store.reference is not None:
            self.services.executor.later("region", REGION_DELAY_MS, self.update_region_metrics)
        region = self.store.view.region
        if "view" in aspects and region is not None:
            (r0, r1), (c0, c1) = region
            scale = self.store.settings.scale
            self._looking_at = ((r0 + r1) / 2 / scale, (c0 + c1) / 2 / scale)
            if self.store.busy("comparison"):
                self.services.executor.later("region_pass", REGION_PASS_DELAY_MS, self._region_pass)

    def _region_pass(self) -> None:
        """While a large photo computes: every method on the region moved to, unless it is already there."""
        from irn_core.analysis.region import region_for_view, wants_region_first

        from ..model.readouts import tile_covers, visible_computed

        s, region = self.store, self.store.view.region
        if region is None or s.reference is None or not s.busy("comparison"):
            return
        if not wants_region_first(s.reference.shape, s.settings):
            return
        if all(visible_computed(s, kind, region) for kind in s.view.kinds if kind in self.run_produces):
            return
        target = region_for_view(s.reference.shape, region)  # what a region pass would compute
        running = s.jobs.running("comparison")
        whole_run = bool(running) and running[0].produces == self.run_produces  # a run, not a restoration
        first_irn = s.tiles.get("irn_hr", [])[:1]  # the comparison's first region, the one tile it sends first
        if whole_run and first_irn and tile_covers(first_irn[0], target):
            return  # the comparison's first region is this one: its other methods follow within a second
        first_region_pending = whole_run and not first_irn
        if first_region_pending and self.restart_comparison is not None:
            self.restart_comparison()  # its first region (seconds of work) becomes the region moved to
            return
        job = partial(self.services.pipelines.region_pass, models=self.services.models, settings=s.settings,
                      hr=s.reference, view_region=region, icc=s.icc_profile)  # fmt: skip
        self.services.start("region", job)

    def update_region_metrics(self) -> None:
        """Metrics of the region in view for every current compared result, off the GUI thread."""
        s = self.store
        reference, region = s.reference, s.view.region
        if reference is None or region is None:
            return
        h, w = reference.shape[:2]
        (r0, r1), (c0, c1) = region
        r0, r1, c0, c1 = max(0, r0), min(h, r1), max(0, c0), min(w, c1)
        if r1 - r0 < 11 or c1 - c0 < 11:
            return
        kinds = [k for k in COMPARED_KINDS if k in s.results and s.state_of(k).current]
        measured = all(s.region_measured.get(k, 0) == s.results[k].provenance for k in kinds)
        if not kinds or (s.region_of_metrics == region and measured):
            return
        job = partial(
            self.services.pipelines.region_metrics,
            targets={k: s.results[k].pixels for k in kinds},
            measured={k: s.results[k].provenance for k in kinds},
            reference=reference,
            scale=s.settings.scale,
            region=((r0, r1), (c0, c1)),
            view_region=region,
        )
        self.services.start("region_metrics", job)
