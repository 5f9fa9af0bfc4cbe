"""Planning a batch of files before any pixel is computed: which inputs, which outputs, whether an output
already there is current for this request, and what to do when it is not.

Shared by the CLI and the app's folder processing, so both refuse the same things in the same words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..errors import InvalidInputError, OutputExistsError
from ..io.batch import BatchItem, collect_images, plan_batch
from ..io.images import READABLE_SUFFIXES
from ..io.metadata import jpeg_comment_fields
from ..io.writing import check_output, remove_stale_parts

KEY_REQUEST = "irn-studio:request"

OUTPUT_NAMES: dict[str, Callable[[str, int], list[str]]] = {
    "downscale": lambda stem, s: [f"{stem}_x{s}_lr.png"],
    "upscale": lambda stem, s: [f"{stem}_restored.png"],
    "roundtrip": lambda stem, s: [f"{stem}_x{s}_lr.png", f"{stem}_x{s}_restored.png"],
}
# What any of the commands writes: such a file inside the output folder is an earlier run's output.
_OUTPUT_NAME = re.compile(r".*(_x\d+_lr\.(png|jpe?g)|_x\d+_restored\.png|_restored\.png)$", re.IGNORECASE)


def jpeg_lr_names(names: Callable[[str, int], list[str]]) -> Callable[[str, int], list[str]]:
    """The same names with the LR stored as ``.jpg`` (``--format jpeg``)."""
    return lambda stem, s: [
        n.removesuffix("_lr.png") + "_lr.jpg" if n.endswith("_lr.png") else n for n in names(stem, s)
    ]


def looks_like_output(path: Path) -> bool:
    return bool(_OUTPUT_NAME.fullmatch(path.name))


@dataclass(frozen=True)
class FilePlan:
    """A planned batch: its items (outputs named), non-image files seen, earlier outputs left out."""

    items: list[BatchItem]
    ignored: list[Path]
    earlier_outputs: list[Path]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def plan_files(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    *,
    command: str,
    scale: int,
    recursive: bool = False,
    lr_format: str = "png",
) -> FilePlan:
    """Collect the images ``inputs`` name and plan their outputs under ``out_dir`` (see
    ``io.batch.plan_batch``: no two share an output, none is an input). Files inside ``out_dir`` named as
    this program names its outputs are an earlier run's outputs, not inputs. InvalidInputError when no
    image is left or the outputs cannot be planned."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidInputError(f"{out_dir} is a file; expected a folder for the outputs of several images")
    earlier: list[Path] = []

    def is_earlier_output(path: Path) -> bool:
        if looks_like_output(path) and _inside(path, out_dir):
            earlier.append(path)
            return True
        return False

    images, ignored = collect_images(inputs, recursive=recursive, is_earlier_output=is_earlier_output)
    if not images:
        raise InvalidInputError(
            f"no images in {', '.join(map(str, inputs))} (readable: {', '.join(READABLE_SUFFIXES)})"
            + (f"; {len(earlier)} file(s) there are outputs of an earlier run" if earlier else "")
        )
    names = OUTPUT_NAMES[command]
    if lr_format == "jpeg":
        names = jpeg_lr_names(names)
    items = plan_batch(images, out_dir, names=lambda stem: names(stem, scale))
    return FilePlan(items, ignored, earlier)


def request_record(request: dict[str, object]) -> dict[str, str]:
    """The text field that records the options an output was made with (compared on resume)."""
    return {KEY_REQUEST: json.dumps(request, sort_keys=True)}


def recorded_request(path: Path) -> dict[str, object] | None:
    """The request an output records, or None when it records none; InvalidInputError when the file is
    empty or does not decode (a damaged output is not done)."""
    if path.stat().st_size == 0:
        raise InvalidInputError(f"{path.name} is empty")
    try:
        with Image.open(path) as im:
            text = dict(im.info)
            im.verify()  # reads every chunk: a truncated or corrupt file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInputError(f"{path.name} does not decode ({exc})") from exc
    raw = text.get(KEY_REQUEST)
    if raw is None:  # a JPEG LR: the record is in the comment segment
        raw = jpeg_comment_fields(text.get("comment")).get(KEY_REQUEST)
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def changed_options(old: dict[str, object], new: dict[str, object]) -> list[str]:
    """'seed 0 -> 3' for each option that differs."""
    return [f"{k} {old.get(k)!r} -> {new.get(k)!r}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def output_decision(path: Path, request: dict[str, object], *, overwrite: bool, inputs: tuple[Path, ...]) -> str:
    """What to do with one planned output before any work: "write" (absent, or --overwrite), "keep" (it
    records this very request), or "redo: REASON" (ours with other options, empty or damaged: replaced).
    Raises (ImageIOError, OutputExistsError) when it cannot be written: it is an input, its folder is a
    file or unwritable, or it exists, was not written by this program and ``overwrite`` is false."""
    remove_stale_parts(path)
    if not path.exists():
        check_output(path, overwrite=overwrite, inputs=inputs)
        return "write"
    check_output(path, overwrite=True, inputs=inputs)
    if overwrite:
        return "write"
    try:
        recorded = recorded_request(path)
    except InvalidInputError as exc:
        return f"redo: {exc}"
    if recorded is None:  # not written by this program: never replaced without --overwrite
        raise OutputExistsError(path)
    changes = changed_options(recorded, request)
    return "keep" if not changes else "redo: made with other options (" + "; ".join(changes) + ")"
