"""A blind A/B test (Qt-free): two results shown unlabelled in random order, the viewer picks the one that
looks better, and only after the last trial are the methods revealed with a tally per method.

Photographers ask "which looks better?" without wanting to know which is which first; labels bias the eye.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

from .kinds import label

SIDES = ("left", "right")


@dataclass
class BlindTrial:
    """One trial: which result is on each side (hidden from the viewer) and the side picked."""

    left: str
    right: str
    picked: str | None = None  # "left" or "right"

    @property
    def winner(self) -> str | None:
        if self.picked is None:
            return None
        return self.left if self.picked == "left" else self.right


class BlindTest:
    """``trials`` trials between ``kinds`` (two or more result kinds): each trial a random pair in random
    order, every pair equally often. ``seed`` makes the order reproducible (tests); None draws one."""

    def __init__(self, kinds: list[str], *, trials: int = 10, seed: int | None = None):
        if len(set(kinds)) < 2:
            raise ValueError(f"a blind test needs two different results, got {kinds}")
        if trials < 1:
            raise ValueError(f"trials must be at least 1, got {trials}")
        self.kinds = list(dict.fromkeys(kinds))
        rng = random.Random(seed)
        pairs = [(a, b) for i, a in enumerate(self.kinds) for b in self.kinds[i + 1 :]]
        order = [pairs[i % len(pairs)] for i in range(trials)]
        rng.shuffle(order)
        self.trials = [BlindTrial(*((a, b) if rng.random() < 0.5 else (b, a))) for a, b in order]
        self.index = 0

    @property
    def done(self) -> bool:
        return self.index >= len(self.trials)

    def current(self) -> BlindTrial | None:
        return None if self.done else self.trials[self.index]

    def pick(self, side: str) -> None:
        """Record the viewer's choice for the current trial and move to the next."""
        if side not in SIDES:
            raise ValueError(f"side must be 'left' or 'right', got {side!r}")
        if self.done:
            raise RuntimeError("the blind test is over; reveal it")
        self.trials[self.index].picked = side
        self.index += 1

    def undo(self) -> None:
        """Take back the last pick (a slip of the finger)."""
        if self.index > 0:
            self.index -= 1
            self.trials[self.index].picked = None

    def tallies(self) -> dict[str, int]:
        """Picks per method over the trials done, every method listed (0 when never picked)."""
        counts = dict.fromkeys(self.kinds, 0)
        for trial in self.trials[: self.index]:
            counts[trial.winner] += 1  # type: ignore[index]
        return counts

    def shown(self) -> dict[str, int]:
        """How many of the trials done showed each method."""
        counts = dict.fromkeys(self.kinds, 0)
        for trial in self.trials[: self.index]:
            counts[trial.left] += 1
            counts[trial.right] += 1
        return counts

    def summary(self) -> str:
        """The reveal, in words: "IRN restored 8 of 10 · Bicubic↓ + SR net↑ 2 of 10"."""
        shown = self.shown()
        return " · ".join(f"{label(k)} {n} of {shown[k]}" for k, n in self.tallies().items())

    def csv(self) -> str:
        """One row per trial done (trial, left, right, picked side, winner), then the tally per method."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["trial", "left", "right", "picked", "winner"])
        for number, trial in enumerate(self.trials[: self.index], 1):
            writer.writerow([number, label(trial.left), label(trial.right), trial.picked, label(trial.winner or "")])
        writer.writerow([])
        writer.writerow(["method", "picked", "shown"])
        shown = self.shown()
        for kind, count in self.tallies().items():
            writer.writerow([label(kind), count, shown[kind]])
        return out.getvalue()
