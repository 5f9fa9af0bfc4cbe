"""IRN on files: downscale a photograph to a stored LR, restore an LR file, or both, with what the files
carry (ICC profile, EXIF, bit depth, IRN's own record) handled the same way by the CLI and the app.

Each function takes one ``BatchItem`` (its outputs already planned, see ``file_plan``). Before any pixel
is computed it decides, for each output, whether it is current (it records this very request: weights,
seed, temperature, bit depth, metadata policy, LR storage, the input's content), to be redone, or cannot
be written; when all are current it raises ``AlreadyDone``. A grayscale input gives grayscale outputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..errors import InvalidInputError, OutputExistsError
from ..io.batch import AlreadyDone, BatchItem
from ..io.checkpoints import model_name
from ..io.images import LoadedImage, probe_image, read_image
from ..io.lrfile import JPEG_LR_WARNING, LRInfo, lr_metadata, lr_warnings, read_lr_info, recorded_output_size
from ..io.metadata import PhotoMetadata
from ..io.writing import encode_jpeg, write_bytes_atomic, write_png
from ..ops.metrics import TOO_SMALL_NOTE, measure, too_small
from ..ops.tiling import CancelCheck, ProgressCallback
from ..rescaler import IRNRescaler
from .file_plan import OUTPUT_NAMES, output_decision, request_record

# progress(phase, done, total): phase "downscale" or "upscale", tiles done (fractional inside a tile) of total.
PhaseProgress = Callable[[str, float, int], None]


def _phase(progress: PhaseProgress | None, name: str) -> ProgressCallback | None:
    return None if progress is None else (lambda done, total: progress(name, done, total))


# (rescaler, weights path) for a scale (None: the default) and optionally a weights name the LR file
# records (a bundled model such as "irn_x2_jpeg"); loads on first use.
RescalerSource = Callable[..., tuple[IRNRescaler, Path]]


@dataclass(frozen=True)
class FileOptions:
    """How files are written. metadata: "keep" (ICC and EXIF), "strip-gps" or "strip". bit_depth: of the
    restored image (None: the original's). seed, temperature: the latent draw. overwrite: replace outputs;
    keep_existing: a batch, where an output that records this request is kept (else an existing output is
    an error unless ``overwrite``)."""

    metadata: str = "keep"
    bit_depth: int | None = None
    lr_jpeg_quality: int | None = None  # store the LR as JPEG of this quality (a JPEG-robust IRN's use)
    seed: int = 0
    temperature: float = 1.0
    overwrite: bool = False
    keep_existing: bool = True
    # A gray input's LR as gray too (its channel mean). IRN hides detail in the LR's colour channels, so a
    # gray LR restores far worse (Set5 x2: 32.5 dB against 40.8 with the colour LR; docs/RESULTS.md).
    gray_lr: bool = True

    def photo(self, image: LoadedImage) -> PhotoMetadata:
        if self.metadata == "strip":
            return PhotoMetadata()
        return image.photo.without_gps() if self.metadata == "strip-gps" else image.photo


@dataclass
class FileResult:
    """What was done to one file: notes and warnings for the user, scores of a round trip."""

    notes: list[str]
    scores: dict[str, float] | None = None


def lr_record(rescaler: IRNRescaler, weights: Path, image: LoadedImage) -> dict[str, str]:
    """What an LR file of ``image`` records so that it is restored with the right model, size and depth."""
    net = rescaler.net
    return lr_metadata(
        scale=net.scale,
        model=model_name(net, weights),
        fingerprint=rescaler.fingerprint,
        original_size=image.pixels.shape[:2],
        original_bit_depth=image.bit_depth,
    )


def _bundled_model(recorded: str) -> str | None:
    """The bundled model an LR's record names ("irn_x2_jpeg.safetensors (IRN x2)" -> "irn_x2_jpeg"), if any
    and if it is not the default of its scale (which is used anyway)."""
    name = recorded.split(" ", 1)[0].removesuffix(".safetensors")
    if not name.startswith("irn_x") or name.count("_") < 2:
        return None
    from ..io.checkpoints import BUNDLED_WEIGHTS_DIR

    return name if (BUNDLED_WEIGHTS_DIR / f"{name}.safetensors").is_file() else None


def _content_id(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _decide(item: BatchItem, requests: list[dict], options: FileOptions) -> list[str]:
    """Per output "write", "keep" or "redo: ..." (see ``output_decision``); AlreadyDone when all are kept."""
    if not options.keep_existing:  # one file named by the user: an existing output is an error
        for out in item.outputs:
            if out.exists() and not options.overwrite:
                raise OutputExistsError(out)
    decisions = [
        output_decision(out, request, overwrite=options.overwrite or not options.keep_existing, inputs=(item.source,))
        for out, request in zip(item.outputs, requests)
    ]
    if all(d == "keep" for d in decisions):
        raise AlreadyDone("already done with these options")
    return decisions


def _write(path: Path, pixels: np.ndarray, decision: str, **png) -> None:
    if decision != "keep":
        write_png(path, pixels, overwrite=decision != "write" or path.exists(), **png)


def _redo_notes(item: BatchItem, decisions: list[str]) -> list[str]:
    return [f"{out.name}: {d}" for out, d in zip(item.outputs, decisions) if d.startswith("redo")]


GRAY_LR_NOTE = (
    "gray LR written (channels equal); it restores about as well as bicubic at x2, while --colour-lr keeps "
    "IRN's colour LR, which restores 8 dB better (the restored image is gray either way)"
)


def as_gray(pixels: np.ndarray) -> np.ndarray:
    """(H, W, 3) with three equal channels: their mean (a grayscale input's outputs stay grayscale)."""
    return np.repeat(pixels.mean(axis=2, keepdims=True, dtype=np.float32), 3, axis=2)


def _lr_request(rescaler: IRNRescaler, options: FileOptions, source_id: str) -> dict[str, object]:
    return {
        "output": "lr",
        "source": source_id,
        "weights": rescaler.fingerprint,
        "scale": rescaler.scale,
        "metadata": options.metadata,
        "lr_jpeg_quality": options.lr_jpeg_quality,
        "gray_lr": options.gray_lr,
    }


def _restored_request(rescaler: IRNRescaler, options: FileOptions, source_id: str) -> dict[str, object]:
    return _lr_request(rescaler, options, source_id) | {
        "output": "restored",
        "seed": options.seed,
        "temperature": options.temperature,
        "bit_depth": options.bit_depth,
    }


def downscale_file(
    item: BatchItem,
    *,
    rescalers: RescalerSource,
    scale: int | None,
    options: FileOptions,
    progress: PhaseProgress | None = None,
    cancel: CancelCheck | None = None,
) -> FileResult:
    """Write the IRN LR of ``item.source`` to ``item.outputs[0]`` (8-bit PNG with IRN's record and the photo's
    metadata); with a second output, also the restored image at the original's depth, and score it.
    With ``options.lr_jpeg_quality`` the LR is a JPEG (IRN's record in its comment segment) and the
    restoration starts from that JPEG, as a reader of the file would."""
    probe_image(item.source)
    rescaler, weights = rescalers(scale)
    source_id = _content_id(item.source)
    requests = [_lr_request(rescaler, options, source_id), _restored_request(rescaler, options, source_id)]
    decisions = _decide(item, requests[: len(item.outputs)], options)
    image = read_image(item.source)
    notes = [f"{item.source.name}: {note}" for note in image.notes] + _redo_notes(item, decisions)
    lr = rescaler.downscale(image.pixels, progress=_phase(progress, "downscale"), cancel=cancel)
    if image.grayscale and options.gray_lr:
        lr = as_gray(lr)
        notes.append(f"{item.source.name}: {GRAY_LR_NOTE}")
    record = lr_record(rescaler, weights, image) | request_record(requests[0])
    if options.lr_jpeg_quality is None:
        _write(item.outputs[0], lr, decisions[0], metadata=record, photo=options.photo(image))
    else:
        if rescaler.restorer is None:
            notes.append(f"warning: {JPEG_LR_WARNING}")
        data = encode_jpeg(lr, quality=options.lr_jpeg_quality, metadata=record)
        if decisions[0] != "keep":
            write_bytes_atomic(item.outputs[0], data, overwrite=decisions[0] != "write" or item.outputs[0].exists())
        decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise InvalidInputError(f"{item.outputs[0].name}: the JPEG just encoded could not be decoded")
        lr = decoded[:, :, ::-1].astype(np.float32) / 255
    if len(item.outputs) < 2:
        return FileResult(notes)
    restored = rescaler.upscale(
        lr,
        temperature=options.temperature,
        seed=options.seed,
        output_size=image.pixels.shape[:2],
        progress=_phase(progress, "upscale"),
        cancel=cancel,
    )
    if image.grayscale:
        restored = as_gray(restored)
    depth = options.bit_depth or (16 if image.bit_depth == 16 else 8)
    record = request_record(requests[1])
    _write(item.outputs[1], restored, decisions[1], bit_depth=depth, metadata=record, photo=options.photo(image))
    scores = measure(restored, image.pixels, scale=rescaler.scale)
    if too_small(scores):
        notes.append(f"{item.source.name}: " + TOO_SMALL_NOTE.format(border=rescaler.scale))
    return FileResult(notes, scores)


def check_lr_size(image: LoadedImage, info: LRInfo) -> None:
    """InvalidInputError when an LR's pixels disagree with the size and scale it records (a photo editor
    resized it and kept the text chunks): its size must be the recorded original's / scale, rounded up."""
    h, w = image.pixels.shape[:2]
    if info.original_size is None:
        return
    oh, ow = info.original_size
    expected = (-(-oh // info.scale), -(-ow // info.scale))
    if (h, w) != expected:
        raise InvalidInputError(
            f"{image.path.name} records an original of {ow}x{oh} at x{info.scale}, so its pixels should be "
            f"{expected[1]}x{expected[0]}, but they are {w}x{h} (was it resized after downscaling?); pass "
            "--scale to restore it anyway as a foreign LR"
        )


def upscale_file(
    item: BatchItem,
    *,
    rescalers: RescalerSource,
    scale: int | None,
    options: FileOptions,
    progress: PhaseProgress | None = None,
    cancel: CancelCheck | None = None,
) -> FileResult:
    """Restore the LR file ``item.source`` to ``item.outputs[0]``, at the size and depth it records.

    An LR whose pixels disagree with its record is refused (``check_lr_size``) unless ``scale`` is given:
    then it is restored as a foreign LR, with a warning. An LR IRN Studio did not write needs ``scale``
    (InvalidInputError otherwise) and is restored with a warning: IRN restores only its own, losslessly
    stored LR images well."""
    image = read_image(item.source)  # checks the header first (probe_image)
    info = read_lr_info(image)
    notes: list[str] = []
    if info is not None and scale is None:
        check_lr_size(image, info)
    elif info is not None:
        try:
            check_lr_size(image, info)
        except InvalidInputError as exc:
            notes.append(f"warning: {str(exc).split('; pass')[0]}; restored as a foreign LR at x{scale}")
            info = None
    scale = scale or (info.scale if info else None)
    if scale is None:
        raise InvalidInputError(
            f"{image.path.name} records no scale (it was not written by IRN Studio's downscale); expected a scale "
            "to restore it anyway, knowing the result is a poor super-resolution"
        )
    recorded = _bundled_model(info.model) if info else None
    rescaler, _ = rescalers(scale, recorded) if recorded else rescalers(scale)
    request = _restored_request(rescaler, options, _content_id(item.source))
    decisions = _decide(item, [request], options)
    notes += _redo_notes(item, decisions)
    notes += [
        f"warning: {w}"
        for w in lr_warnings(
            image,
            info,
            scale=rescaler.scale,
            fingerprint=rescaler.fingerprint,
            jpeg_robust=rescaler.restorer is not None,
        )
    ]
    output_size = recorded_output_size(image.pixels.shape[:2], info, scale=rescaler.scale)
    hr = rescaler.upscale(
        image.pixels,
        temperature=options.temperature,
        seed=options.seed,
        output_size=output_size,
        progress=_phase(progress, "upscale"),
        cancel=cancel,
    )
    if image.grayscale:
        hr = as_gray(hr)
    depth = options.bit_depth or (info.original_bit_depth if info else 8)
    _write(
        item.outputs[0], hr, decisions[0], bit_depth=depth, metadata=request_record(request), photo=options.photo(image)
    )
    return FileResult(notes)


OPERATIONS = {"downscale": downscale_file, "roundtrip": downscale_file, "upscale": upscale_file}
__all__ = ["OUTPUT_NAMES", "OPERATIONS", "FileOptions", "FileResult", "lr_record", "downscale_file", "upscale_file"]
