"""Many files at once: which images a list of files and folders names, where each one's outputs go, and
a run over them that skips what is already done, reports a bad file and goes on.

Output names are planned for the whole batch before any work: two inputs never share an output (names
are compared case-insensitively, as macOS and Windows file systems do), an output is never an input, and
a batch that cannot be planned so is refused with both paths named. Running the same batch again resumes
it: the process function decides whether an item's outputs are current (``AlreadyDone``).
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Cancelled, DiskFullError, InvalidInputError, IRNError
from ..ops.tiling import CancelCheck
from .images import READABLE_SUFFIXES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchItem:
    """One input image and the files it produces (all of them, in the output folder)."""

    source: Path
    outputs: tuple[Path, ...]


class AlreadyDone(Exception):  # noqa: N818 (an outcome, not an error)
    """Raised by a batch's process function: this item's outputs are current, nothing was written."""


@dataclass
class BatchSummary:
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # files in the folders that are not images
    earlier_outputs: list[Path] = field(default_factory=list)  # outputs of earlier runs, not taken as inputs
    not_attempted: list[Path] = field(default_factory=list)  # left when the disk filled up
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled and not self.not_attempted

    def describe(self) -> str:
        """One line: "3 done, 12 skipped (already done), 1 failed"."""
        parts = [f"{len(self.written)} done"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped (already done)")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.not_attempted:
            parts.append(f"{len(self.not_attempted)} not attempted (disk full)")
        if self.ignored:
            parts.append(f"{len(self.ignored)} non-image file(s) ignored")
        if self.earlier_outputs:
            parts.append(f"{len(self.earlier_outputs)} output(s) of earlier runs not taken as inputs")
        if self.cancelled:
            parts.append("cancelled")
        return ", ".join(parts)


def collect_images(
    inputs: Sequence[str | Path],
    *,
    recursive: bool = False,
    is_earlier_output: Callable[[Path], bool] | None = None,
) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """([(image file, its folder relative to the input folder it came from)], [non-image files seen]).

    A file named directly is taken whatever its suffix (reading it says what is wrong); inside folders only
    files with an image suffix are taken, sorted by path, and subfolders only when ``recursive``; a file
    for which ``is_earlier_output`` is true (an output of an earlier run inside the input folder) is left
    out (the predicate keeps its own list). InvalidInputError for an input that does not exist.
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
                if is_earlier_output is not None and is_earlier_output(candidate):
                    continue
                if candidate.suffix.lower() in READABLE_SUFFIXES:
                    images.append((candidate, candidate.parent.relative_to(path)))
                else:
                    ignored.append(candidate)
        else:
            raise InvalidInputError(f"{path} does not exist; expected an image file or a folder of images")
    return images, ignored


def _root_name(src: Path, rel: Path) -> str:
    """The name of the input folder ``src`` was found in (``src`` = root / rel / name)."""
    root = src.parent
    for _ in rel.parts:
        root = root.parent
    return root.resolve().name or "root"


def _key(path: Path) -> str:
    # Case-insensitive, as on macOS and Windows: photo.PNG and photo.png are one file there.
    return os.path.normcase(os.path.abspath(path)).casefold()


def plan_batch(
    images: Sequence[tuple[Path, Path]], out_dir: Path, *, names: Callable[[str], Sequence[str]]
) -> list[BatchItem]:
    """Each image's outputs: ``out_dir / its relative folder / name`` for each of ``names(stem)``.

    Two images of one folder with the same stem (photo.jpg, photo.png) get their suffix in the stem; two
    images of different input folders that would still share an output (cam1/photo.png, cam2/photo.png)
    get their input folder's name as a subfolder (out/cam1/..., out/cam2/...). InvalidInputError, naming
    both files, when two images would still write one file or an output would be an input."""
    stems = Counter((_key(src.parent), src.stem.casefold()) for src, _rel in images)

    def outputs(src: Path, rel: Path, prefix: str | None) -> tuple[Path, ...]:
        shared = stems[(_key(src.parent), src.stem.casefold())] > 1
        stem = f"{src.stem}_{src.suffix.lstrip('.')}" if shared else src.stem
        folder = out_dir / prefix / rel if prefix else out_dir / rel
        return tuple(folder / name for name in names(stem))

    planned = [outputs(src, rel, None) for src, rel in images]
    owners: defaultdict[str, set[int]] = defaultdict(set)
    for index, outs in enumerate(planned):
        for out in outs:
            owners[_key(out)].add(index)
    clashing = {i for group in owners.values() if len(group) > 1 for i in group}
    for index in clashing:
        src, rel = images[index]
        planned[index] = outputs(src, rel, _root_name(src, rel))
    inputs = {_key(src): src for src, _ in images}
    seen: dict[str, Path] = {}
    for (src, _rel), outs in zip(images, planned):
        for out in outs:
            key = _key(out)
            if key in inputs:
                raise InvalidInputError(
                    f"{out} would be both an output and the input {inputs[key]}; choose another output folder"
                )
            if key in seen and seen[key] != src:
                raise InvalidInputError(
                    f"{seen[key]} and {src} would both be written to {out}; rename one of them, or process "
                    "their folders separately (nothing was done)"
                )
            seen[key] = src
    return [BatchItem(src, outs) for (src, _rel), outs in zip(images, planned)]


def run_batch(
    items: Sequence[BatchItem],
    process: Callable[[BatchItem], str | None],
    *,
    on_item: Callable[[int, BatchItem, str, str], None] | None = None,
    cancel: CancelCheck | None = None,
) -> BatchSummary:
    """Run ``process`` on each item; it raises ``AlreadyDone`` for an item whose outputs are current.

    on_item(index, item, outcome, message) after each: outcome "done" (message: what ``process`` returned,
    e.g. a score), "skipped" or "failed" (message: why). Any failure of one file (an IRNError, an OSError,
    a MemoryError, even a bug) is recorded for that file (a bug's traceback goes to the log) and the batch
    goes on, except a full disk, which stops it: every later file is listed as not attempted.
    """
    summary = BatchSummary()
    for index, item in enumerate(items):
        if cancel is not None and cancel.is_set():
            summary.cancelled = True
            break
        try:
            for folder in {p.parent for p in item.outputs}:
                folder.mkdir(parents=True, exist_ok=True)
            note = process(item)
        except Cancelled:
            summary.cancelled = True
            break
        except AlreadyDone as done:
            summary.skipped.append(item.source)
            outcome, message = "skipped", str(done) or "already done"
        except DiskFullError as exc:
            summary.failed.append((item.source, str(exc)))
            summary.not_attempted = [later.source for later in items[index + 1 :]]
            if on_item is not None:
                on_item(index, item, "failed", str(exc))
            break
        except (IRNError, OSError) as exc:
            outcome, message = "failed", str(exc)
            summary.failed.append((item.source, message))
            log.info("batch: %s failed: %s", item.source, message)
        except MemoryError:
            outcome, message = "failed", "not enough memory for this file; close other programs or use a smaller one"
            summary.failed.append((item.source, message))
        except Exception as exc:  # a bug, but one file's bug must not lose the rest of the batch
            outcome = "failed"
            message = f"unexpected error ({type(exc).__name__}: {exc}); a bug in IRN Studio, details in the log"
            summary.failed.append((item.source, message))
            log.debug("batch: %s failed with a bug", item.source, exc_info=True)
        else:
            summary.written.append(item.source)
            outcome, message = "done", note or ""
        if on_item is not None:
            on_item(index, item, outcome, message)
    return summary
