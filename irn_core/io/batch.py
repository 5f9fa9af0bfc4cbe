"""Many files at once: which images a list of files and folders names, where each one's outputs go, and
a run over them that skips what is already done, reports a bad file and goes on.

Running the same batch again resumes it: an item whose outputs all exist is skipped.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Cancelled, InvalidInputError, IRNError
from ..ops.tiling import CancelCheck
from .images import READABLE_SUFFIXES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchItem:
    """One input image and the files it produces (all of them, in the output folder)."""

    source: Path
    outputs: tuple[Path, ...]

    @property
    def done(self) -> bool:
        return all(p.exists() for p in self.outputs)


@dataclass
class BatchSummary:
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # files in the folders that are not images
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled

    def describe(self) -> str:
        """One line: "3 done, 12 skipped (already done), 1 failed"."""
        parts = [f"{len(self.written)} done"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped (already done)")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.ignored:
            parts.append(f"{len(self.ignored)} non-image file(s) ignored")
        if self.cancelled:
            parts.append("cancelled")
        return ", ".join(parts)


def collect_images(
    inputs: Sequence[str | Path], *, recursive: bool = False
) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """([(image file, its folder relative to the input folder it came from)], [non-image files seen]).

    A file named directly is taken whatever its suffix (reading it says what is wrong); inside folders only
    files with an image suffix are taken, sorted by path, and subfolders only when ``recursive``.
    InvalidInputError for an input that does not exist.
    """
    images: list[tuple[Path, Path]] = []
    ignored: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_file():
            images.append((path, Path(".")))
        elif path.is_dir():
            found = sorted(path.rglob("*") if recursive else path.iterdir())
            for candidate in found:
                if not candidate.is_file() or candidate.name.startswith("."):
                    continue
                if candidate.suffix.lower() in READABLE_SUFFIXES:
                    images.append((candidate, candidate.parent.relative_to(path)))
                else:
                    ignored.append(candidate)
        else:
            raise InvalidInputError(f"{path} does not exist; expected an image file or a folder of images")
    return images, ignored


def plan_batch(
    images: Sequence[tuple[Path, Path]], out_dir: Path, *, names: Callable[[str], Sequence[str]]
) -> list[BatchItem]:
    """Each image's outputs: ``out_dir / its relative folder / name`` for each of ``names(stem)``. Two
    images of one folder with the same stem (photo.jpg, photo.png) get their suffix in the stem."""
    stems = Counter((rel, src.stem) for src, rel in images)
    items = []
    for src, rel in images:
        stem = src.stem if stems[(rel, src.stem)] == 1 else f"{src.stem}_{src.suffix.lstrip('.').lower()}"
        items.append(BatchItem(src, tuple(out_dir / rel / name for name in names(stem))))
    return items


def run_batch(
    items: Sequence[BatchItem],
    process: Callable[[BatchItem], str | None],
    *,
    overwrite: bool = False,
    on_item: Callable[[int, BatchItem, str, str], None] | None = None,
    cancel: CancelCheck | None = None,
) -> BatchSummary:
    """Run ``process`` on each item whose outputs are not all there (all of them with ``overwrite``).

    on_item(index, item, outcome, message) after each: outcome "done" (message: what ``process`` returned,
    e.g. a score), "skipped" or "failed" (message: why). A failure
    (an IRNError: unreadable file, bad size, ...) is recorded and the batch goes on; a bug propagates.
    """
    summary = BatchSummary()
    for index, item in enumerate(items):
        if cancel is not None and cancel.is_set():
            summary.cancelled = True
            break
        if item.done and not overwrite:
            summary.skipped.append(item.source)
            outcome, message = "skipped", "already done"
        else:
            try:
                for folder in {p.parent for p in item.outputs}:
                    folder.mkdir(parents=True, exist_ok=True)
                note = process(item)
            except Cancelled:
                summary.cancelled = True
                break
            except (IRNError, OSError) as exc:
                message = str(exc)
                summary.failed.append((item.source, message))
                outcome = "failed"
                log.info("batch: %s failed: %s", item.source, message)
            else:
                summary.written.append(item.source)
                outcome, message = "done", note or ""
        if on_item is not None:
            on_item(index, item, outcome, message)
    return summary
