"""What the panes show and where they look: part of the session's state, so it survives full screen, layout
changes and reruns, and a screenshot record can say it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from irn_core.errors import InvalidInputError

from .kinds import KINDS

LAYOUTS = {"1x1": (1, 1), "1x2": (1, 2), "1x3": (1, 3), "2x2": (2, 2)}
DEFAULT_KINDS = ("hr", "irn_hr", "bicubic", "sr")
LR_FILE_KINDS = {1: ("irn_hr",), 2: ("irn_hr", "bicubic")}  # an opened LR: its restoration first
LR_FILE_DEFAULT = ("irn_lr", "irn_hr", "bicubic", "sr")
ZOOM_RANGE = (1 / 64, 64.0)


@dataclass(frozen=True)
class ViewState:
    """layout: a LAYOUTS key; kinds: what each pane shows (one per pane of the layout). zoom: screen pixels
    per image pixel, None to fit the image in the panes (kept fitted as the window changes). centre: the HR
    point (row, col) at the panes' centre, None for the image's centre. solo: the pane shown alone. split:
    the first pane swipes to the second's result; swapped: the first pane shows the second's (hold H,
    flicker). region: the HR region ((r0, r1), (c0, c1)) the leading pane shows, once laid out."""

    layout: str = "2x2"
    kinds: tuple[str, ...] = DEFAULT_KINDS
    zoom: float | None = None
    centre: tuple[float, float] | None = None
    solo: int | None = None
    split: bool = False
    swapped: bool = False
    presentation: bool = False
    region: tuple[tuple[int, int], tuple[int, int]] | None = None

    def replace(self, **changes: object) -> ViewState:
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise InvalidInputError(f"expected view fields, got {sorted(unknown)}")
        new = dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        if new.layout not in LAYOUTS:
            raise InvalidInputError(f"layout must be one of {', '.join(LAYOUTS)}, got {new.layout!r}")
        bad = [k for k in new.kinds if k not in KINDS]
        if bad:
            raise InvalidInputError(f"pane kinds must be among {', '.join(KINDS)}, got {bad}")
        if new.zoom is not None and not ZOOM_RANGE[0] <= new.zoom <= ZOOM_RANGE[1]:
            raise InvalidInputError(f"zoom must be within {ZOOM_RANGE[0]:g}-{ZOOM_RANGE[1]:g}, got {new.zoom:g}")
        count = self.pane_count_of(new.layout)
        spare = [k for k in DEFAULT_KINDS if k not in new.kinds] + list(DEFAULT_KINDS)
        kinds = (new.kinds + tuple(spare))[:count]
        solo = new.solo if new.solo is not None and new.solo < count else None
        split = new.split
        if split and count < 2:
            if changes.get("split"):
                raise InvalidInputError(
                    "split needs two panes: expected a layout of at least two "
                    f"({', '.join(n for n in LAYOUTS if self.pane_count_of(n) > 1)}), got {new.layout}"
                )
            split = False  # a one-pane layout ends a split: nothing would show it
        return dataclasses.replace(new, kinds=kinds, solo=solo, split=split)

    @staticmethod
    def pane_count_of(layout: str) -> int:
        rows, cols = LAYOUTS[layout]
        return rows * cols

    @property
    def pane_count(self) -> int:
        return self.pane_count_of(self.layout)

    def shown_kind(self, index: int) -> str:
        """What pane ``index`` draws: its kind, or the second pane's while the first is swapped."""
        if index == 0 and self.swapped and len(self.kinds) > 1:
            return self.kinds[1]
        return self.kinds[index]

    def split_kind(self, index: int) -> str | None:
        return self.kinds[1] if index == 0 and self.split and len(self.kinds) > 1 else None
