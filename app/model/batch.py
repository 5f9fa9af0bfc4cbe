"""BatchModel: a folder being processed (downscale, round trip or upscale), file by file. Qt-free."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from irn_core.io.batch import BatchItem

from .events import EventEmitter

OPERATION_LABELS = {
    "downscale": "Downscale to IRN LR files (to store or send)",
    "roundtrip": "Round trip: LR and restored image, with PSNR",
    "upscale": "Restore IRN LR files",
}


@dataclass
class BatchRow:
    item: BatchItem
    outcome: str = "waiting"  # waiting, done, skipped, failed
    message: str = ""

    def text(self) -> str:
        mark = {"done": "✓", "skipped": "↷", "failed": "✗", "waiting": "·"}[self.outcome]
        outputs = f"→ {', '.join(p.name for p in self.item.outputs)}"
        detail = {"done": f"{self.message}  {outputs}" if self.message else outputs, "skipped": "already done"}
        return f"{mark} {self.item.source.name}  {detail.get(self.outcome, self.message)}"


@dataclass
class BatchModel:
    """Events: started(), row_changed(index), finished(summary line)."""

    operation: str = "downscale"
    out_dir: Path | None = None
    rows: list[BatchRow] = field(default_factory=list)
    started_at: float = 0.0
    summary: str = ""

    def __post_init__(self) -> None:
        self.started = EventEmitter("started")
        self.row_changed = EventEmitter("row_changed")
        self.finished = EventEmitter("finished")

    def start(self, operation: str, items: list[BatchItem], out_dir: Path) -> None:
        self.operation, self.out_dir = operation, out_dir
        self.rows = [BatchRow(item) for item in items]
        self.started_at, self.summary = time.monotonic(), ""
        self.started.emit()

    def record(self, index: int, outcome: str, message: str) -> None:
        row = self.rows[index]
        row.outcome, row.message = outcome, message
        self.row_changed.emit(index)

    def finish(self, summary: str) -> None:
        self.summary = summary
        self.finished.emit(summary)

    @property
    def done_count(self) -> int:
        return sum(r.outcome != "waiting" for r in self.rows)

    def eta_seconds(self, now: float | None = None) -> float | None:
        """Time left at the pace of the files processed so far (skipped ones cost nothing); None before any."""
        worked = [r for r in self.rows if r.outcome in ("done", "failed")]
        if not worked:
            return None
        elapsed = (now or time.monotonic()) - self.started_at
        waiting = sum(r.outcome == "waiting" for r in self.rows)
        return elapsed / len(worked) * waiting

    def progress_text(self) -> str:
        text = f"{self.done_count}/{len(self.rows)} files"
        eta = self.eta_seconds()
        if eta is not None and self.done_count < len(self.rows):
            text += f", about {eta / 60:.0f} min left" if eta >= 90 else f", about {eta:.0f} s left"
        return text
