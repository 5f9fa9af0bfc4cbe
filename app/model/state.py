"""What the session's state holds, as the functions that read it (staleness, readouts) see it: the store
satisfies ``SessionState``. Declared here, below the store, so those functions never import the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from irn_core.analysis.results import ComparisonSettings, Provenance
from irn_core.io.images import LoadedImage

from .jobs import JobBook
from .results import SessionResult
from .view import ViewState

if TYPE_CHECKING:
    from .messages import FirstRegionMetrics


@dataclass(frozen=True)
class ItemState:
    """status: "current", "stale" (computed for other settings, or from another result than the one shown),
    "pending" (not there yet, being computed) or "missing". updating: a stale item being recomputed."""

    status: str
    reason: str = ""
    updating: bool = False

    @property
    def current(self) -> bool:
        return self.status == "current"

    @property
    def stale(self) -> bool:
        return self.status == "stale"

    def badge(self) -> str:
        """What the item says on itself: "" when current."""
        if self.status == "stale":
            return f"OUT OF DATE: {self.reason}" + (" · computing…" if self.updating else "")
        return "computing…" if self.status == "pending" else ""


@dataclass
class Study:
    """A latent study: the provenance of the settings it ran with, its curves (series -> [(x, PSNR-Y)]) and,
    for the draw study, its draws (DrawArrived messages)."""

    name: str
    provenance: Provenance
    points: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    draws: list = field(default_factory=list)
    complete: bool = False  # its job finished: a cancelled or failed study is only part of its curve


class SessionState(Protocol):
    @property
    def settings(self) -> ComparisonSettings: ...
    @property
    def image(self) -> LoadedImage | None: ...
    @property
    def results(self) -> dict[str, SessionResult]: ...
    @property
    def jobs(self) -> JobBook: ...
    @property
    def tiles(self) -> dict[str, list]: ...
    @property
    def studies(self) -> dict[str, Study]: ...
    @property
    def shown_draw(self) -> int | None: ...
    @property
    def view(self) -> ViewState: ...
    @property
    def region_metrics(self) -> dict[str, dict[str, float]]: ...
    @property
    def region_measured(self) -> dict[str, Provenance | None]: ...
    @property
    def region_of_metrics(self) -> tuple[tuple[int, int], tuple[int, int]] | None: ...
    @property
    def first_region(self) -> FirstRegionMetrics | None: ...
    @property
    def lr_fidelity(self) -> dict[str, float]: ...
    @property
    def lr_fidelity_of(self) -> Provenance | None: ...
    def state_of(self, kind: str) -> ItemState: ...
    def study_state(self, name: str) -> ItemState: ...
