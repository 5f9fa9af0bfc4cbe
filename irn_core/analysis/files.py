"""IRN on files: downscale a photograph to a stored LR, restore an LR file, or both, with what the files
carry (ICC profile, EXIF, bit depth, IRN's own record) handled the same way by the CLI and the app.

Each function takes one ``BatchItem`` (its outputs already planned) and writes them; with ``keep_existing``
an output already on disk is kept (a batch resumed after an interruption).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..errors import InvalidInputError
from ..io.batch import BatchItem
from ..io.checkpoints import model_name
from ..io.images import LoadedImage, encode_jpeg, read_image, write_bytes_atomic, write_png
from ..io.lrfile import JPEG_LR_WARNING, lr_metadata, lr_warnings, read_lr_info
from ..io.metadata import PhotoMetadata
from ..ops.metrics import psnr, ssim
from ..ops.tiling import CancelCheck, ProgressCallback
from ..rescaler import IRNRescaler

# (rescaler, weights path) for a scale (None: the default) and optionally a weights name the LR file
# records (a bundled model such as "irn_x2_jpeg"); loads on first use.
RescalerSource = Callable[..., tuple[IRNRescaler, Path]]


@dataclass(frozen=True)
class FileOptions:
    """How files are written. metadata: "keep" (ICC and EXIF), "strip-gps" or "strip". bit_depth: of the
    restored image (None: the original's). seed, temperature: the latent draw. overwrite: replace outputs;
    keep_existing: leave an output that exists (else an existing output is an error)."""

    metadata: str = "keep"
    bit_depth: int | None = None
    lr_jpeg_quality: int | None = None  # store the LR as JPEG of this quality (a JPEG-robust IRN's use)
    seed: int = 0
    temperature: float = 1.0
    overwrite: bool = False
    keep_existing: bool = True

    def photo(self, image: LoadedImage) -> PhotoMetadata:
        if self.metadata == "strip":
            return PhotoMetadata()
        return image.photo.without_gps() if self.metadata == "strip-gps" else image.photo


@dataclass
class FileResult:
    """What was done to one file: notes and warnings for the user, scores of a round trip."""

    notes: list[str]
    scores: dict[str, float] | None = None


def _kept(path: Path, options: FileOptions) -> bool:
    """Whether an existing output stays as it is (a resumed batch)."""
    return path.exists() and options.keep_existing and not options.overwrite


def _write(path: Path, pixels: np.ndarray, options: FileOptions, **png) -> None:
    if not _kept(path, options):
        write_png(path, pixels, overwrite=options.overwrite, **png)


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


def downscale_file(
    item: BatchItem,
    *,
    rescalers: RescalerSource,
    scale: int | None,
    options: FileOptions,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> FileResult:
    """Write the IRN LR of ``item.source`` to ``item.outputs[0]`` (8-bit PNG with IRN's record and the photo's
    metadata); with a second output, also the restored image at the original's depth, and score it.
    With ``options.lr_jpeg_quality`` the LR is a JPEG (IRN's record in its comment segment) and the
    restoration starts from that JPEG, as a reader of the file would."""
    image = read_image(item.source)
    notes = [f"{item.source.name}: {note}" for note in image.notes]
    rescaler, weights = rescalers(scale)
    lr = rescaler.downscale(image.pixels, progress=progress, cancel=cancel)
    if options.lr_jpeg_quality is None:
        _write(item.outputs[0], lr, options, metadata=lr_record(rescaler, weights, image), photo=options.photo(image))
    else:
        if rescaler.restorer is None:
            notes.append(f"warning: {JPEG_LR_WARNING}")
        data = encode_jpeg(lr, quality=options.lr_jpeg_quality, metadata=lr_record(rescaler, weights, image))
        if not _kept(item.outputs[0], options):
            write_bytes_atomic(item.outputs[0], data, overwrite=options.overwrite)
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
        progress=progress,
        cancel=cancel,
    )
    depth = options.bit_depth or (16 if image.bit_depth == 16 else 8)
    _write(item.outputs[1], restored, options, bit_depth=depth, photo=options.photo(image))
    s = rescaler.scale
    scores = {
        "psnr_y": psnr(restored, image.pixels, crop_border=s, y_channel=True),
        "ssim_y": ssim(restored, image.pixels, crop_border=s, y_channel=True),
        "psnr_rgb": psnr(restored, image.pixels),
    }
    return FileResult(notes, scores)


def upscale_file(
    item: BatchItem,
    *,
    rescalers: RescalerSource,
    scale: int | None,
    options: FileOptions,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> FileResult:
    """Restore the LR file ``item.source`` to ``item.outputs[0]``, at the size and depth it records.

    An LR IRN Studio did not write needs ``scale`` (InvalidInputError otherwise) and is restored with a
    warning: IRN restores only its own, losslessly stored LR images well."""
    image = read_image(item.source)
    info = read_lr_info(image)
    scale = scale or (info.scale if info else None)
    if scale is None:
        raise InvalidInputError(
            f"{image.path.name} records no scale (it was not written by IRN Studio's downscale); expected a scale "
            "to restore it anyway, knowing the result is a poor super-resolution"
        )
    recorded = _bundled_model(info.model) if info else None
    rescaler, _ = rescalers(scale, recorded) if recorded else rescalers(scale)
    notes = [
        f"warning: {w}"
        for w in lr_warnings(
            image,
            info,
            scale=rescaler.scale,
            fingerprint=rescaler.fingerprint,
            jpeg_robust=rescaler.restorer is not None,
        )
    ]
    output_size = None
    if info and info.original_size and info.scale == rescaler.scale:
        h, w = image.pixels.shape[:2]
        oh, ow = info.original_size
        if oh <= h * rescaler.scale and ow <= w * rescaler.scale:
            output_size = info.original_size
    hr = rescaler.upscale(
        image.pixels,
        temperature=options.temperature,
        seed=options.seed,
        output_size=output_size,
        progress=progress,
        cancel=cancel,
    )
    depth = options.bit_depth or (info.original_bit_depth if info else 8)
    _write(item.outputs[0], hr, options, bit_depth=depth, photo=options.photo(image))
    return FileResult(notes)


OUTPUT_NAMES: dict[str, Callable[[str, int], list[str]]] = {
    "downscale": lambda stem, s: [f"{stem}_x{s}_lr.png"],
    "upscale": lambda stem, s: [f"{stem}_restored.png"],
    "roundtrip": lambda stem, s: [f"{stem}_x{s}_lr.png", f"{stem}_x{s}_restored.png"],
}
OPERATIONS = {"downscale": downscale_file, "roundtrip": downscale_file, "upscale": upscale_file}
