"""Where a demo should look first: the region where IRN and bicubic differ most."""

from __future__ import annotations

from irn_core.analysis.compare import largest_difference

from ..model.store import SessionStore

FOCUS_WINDOW = 96  # image pixels: at 2:1 about a quarter of a 1280x720 pane


def largest_difference_point(store: SessionStore, *, window: int = FOCUS_WINDOW) -> tuple[int, int] | None:
    """(row, col) in HR pixels of the centre of the region where IRN restored and bicubic↑ differ most;
    None until both are computed and current."""
    if not all(store.state_of(kind).current for kind in ("irn_hr", "bicubic")):
        return None
    irn, bicubic = store.results["irn_hr"].pixels, store.results["bicubic"].pixels
    if irn.shape != bicubic.shape:
        return None
    return largest_difference(irn, bicubic, window=window)
