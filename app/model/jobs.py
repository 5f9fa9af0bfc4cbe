"""What a new request does to a running job of the same kind, declared once for every kind, and which jobs
are live. Qt-free: the Qt workers and the tests' stub executor follow the same book."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from irn_core.errors import IRNError


class Policy(Enum):
    REPLACE = "replace"  # the new request cancels the running one; what the old one still sends is dropped
    QUEUE = "queue"  # every request runs to its end and reports its success or its error
    SINGLE = "single"  # refused while one runs: the user cancels it first


# Each kind is its own slot: a weights check never cancels an SR model check, nor a save a comparison.
JOB_POLICIES: dict[str, Policy] = {
    "open": Policy.REPLACE,  # decoding a large photo: a newer choice replaces it
    "comparison": Policy.REPLACE,  # a run or a restoration of the open image
    "region_metrics": Policy.REPLACE,
    "region": Policy.REPLACE,  # every method on a region the user moved to while the whole image computes
    "study": Policy.REPLACE,  # draws, temperature or JPEG study: one at a time
    "draw": Policy.REPLACE,  # the maps and metrics of the draw shown
    "irn_weights": Policy.REPLACE,
    "sr_model": Policy.REPLACE,
    "save": Policy.QUEUE,
    "batch": Policy.SINGLE,
}


class JobRefused(IRNError):
    """A SINGLE job asked for while one of its kind runs."""


@dataclass
class Job:
    kind: str
    generation: int
    produces: frozenset[str] = frozenset()  # result kinds (or "study:NAME") it will deliver
    progress: tuple[int, int, str] = (0, 0, "")


@dataclass
class JobBook:
    """Live jobs by generation (one counter for all kinds) and how every ended job ended."""

    policies: dict[str, Policy] = field(default_factory=lambda: dict(JOB_POLICIES))
    live: dict[int, Job] = field(default_factory=dict)
    outcomes: dict[int, str] = field(default_factory=dict)
    reported: dict[int, str] = field(default_factory=dict)  # how each job's worker itself ended
    next_generation: int = 1

    def start(self, kind: str, produces: frozenset[str] = frozenset()) -> tuple[Job, list[Job]]:
        """A new job of ``kind``; returns it and the jobs it replaces (to be cancelled)."""
        policy = self.policies[kind]
        running = self.running(kind)
        if policy is Policy.SINGLE and running:
            raise JobRefused(f"a {kind} job is running: cancel it first (expected none running, found one)")
        replaced = running if policy is Policy.REPLACE else []
        for job in replaced:
            self.end(job.generation, "cancelled")
        job = Job(kind, self.next_generation, frozenset(produces))
        self.next_generation += 1
        self.live[job.generation] = job
        return job, replaced

    def cancel(self, kind: str) -> list[Job]:
        jobs = self.running(kind)
        for job in jobs:
            self.end(job.generation, "cancelled")
        return jobs

    def end(self, generation: int, outcome: str) -> None:
        self.live.pop(generation, None)
        self.outcomes.setdefault(generation, outcome)

    def is_live(self, generation: int) -> bool:
        return generation in self.live

    def running(self, kind: str) -> list[Job]:
        return [job for job in self.live.values() if job.kind == kind]

    def busy(self, kind: str) -> bool:
        return bool(self.running(kind))

    def pending(self) -> set[str]:
        """What the live jobs will deliver."""
        return set().union(*(job.produces for job in self.live.values())) if self.live else set()
