"""What IRN Studio records in the LR PNGs it writes, and the checks made when one is upscaled.

IRN restores only LR images that it produced itself, losslessly stored: an arbitrary or
JPEG-compressed LR image gives poor results. The LR file therefore records its scale, the
model it came from (name and weights fingerprint) and the original HR size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .images import LoadedImage

KEY_SCALE = "irn-studio:scale"
KEY_MODEL = "irn-studio:model"
KEY_FINGERPRINT = "irn-studio:weights-sha256"
KEY_ORIGINAL_SIZE = "irn-studio:original-size"
KEY_ORIGINAL_BIT_DEPTH = "irn-studio:original-bit-depth"


@dataclass(frozen=True)
class LRInfo:
    """What an LR file says about itself; ``original_size`` is (height, width) of the HR, and
    ``original_bit_depth`` (8 or 16) how deep the original was stored: the restored image's default."""

    scale: int
    model: str
    fingerprint: str
    original_size: tuple[int, int] | None
    original_bit_depth: int = 8


def lr_metadata(
    *, scale: int, model: str, fingerprint: str, original_size: tuple[int, int], original_bit_depth: int = 8
) -> dict[str, str]:
    return {
        KEY_SCALE: str(scale),
        KEY_MODEL: model,
        KEY_FINGERPRINT: fingerprint,
        KEY_ORIGINAL_SIZE: f"{original_size[0]}x{original_size[1]}",
        KEY_ORIGINAL_BIT_DEPTH: str(original_bit_depth),
    }


def read_lr_info(image: LoadedImage) -> LRInfo | None:
    """The LRInfo recorded in ``image``'s metadata, or None for an image IRN Studio did not write."""
    meta = image.metadata
    if KEY_SCALE not in meta:
        return None
    try:
        scale = int(meta[KEY_SCALE])
        size = meta.get(KEY_ORIGINAL_SIZE)
        parts = [int(v) for v in size.split("x")] if size else []
        original = (parts[0], parts[1]) if len(parts) == 2 else None
        depth = 16 if meta.get(KEY_ORIGINAL_BIT_DEPTH) == "16" else 8
    except ValueError:
        return None
    return LRInfo(
        scale=scale,
        model=meta.get(KEY_MODEL, "?"),
        fingerprint=meta.get(KEY_FINGERPRINT, ""),
        original_size=original,
        original_bit_depth=depth,
    )


JPEG_LR_WARNING = (
    "the LR is stored as JPEG but this IRN is not JPEG-robust: expect a restoration worse than bicubic "
    "(Set5 x2 at q90: 32.5 dB against bicubic's 33.0, and 34.0 with the JPEG-robust model); store the LR as "
    "PNG, or use the JPEG-robust model (bundled: irn_x2_jpeg)"
)


def lr_warnings(
    image: LoadedImage, info: LRInfo | None, *, scale: int, fingerprint: str, jpeg_robust: bool = False
) -> list[str]:
    """Reasons to expect a poor restoration of ``image`` with a model of ``scale``/``fingerprint`` (a
    ``jpeg_robust`` one restores its own JPEG-stored LR without complaint)."""
    warnings = []
    name = Path(image.path).name
    if image.is_lossy and not jpeg_robust:
        warnings.append(
            f"{name} is stored lossily ({Path(image.path).suffix}); IRN needs its own LR "
            "saved losslessly (PNG), so expect artefacts"
        )
    if info is None:
        warnings.append(
            f"{name} was not written by IRN Studio's downscale; IRN can only restore LR "
            "images it produced itself, so this behaves like a poor super-resolution"
        )
    else:
        if info.scale != scale:
            warnings.append(f"{name} was downscaled x{info.scale}, but a x{scale} model is upscaling it")
        if info.fingerprint and info.fingerprint != fingerprint:
            warnings.append(
                f"{name} was downscaled by other weights ({info.model}); restoring with different weights loses detail"
            )
    return warnings


def recorded_output_size(lr_size: tuple[int, int], info: LRInfo | None, *, scale: int) -> tuple[int, int] | None:
    """(height, width) a restoration of an LR of ``lr_size`` at ``scale`` should have: the original size the
    LR records, when it records one for this scale and it fits in lr_size × scale; None (the full
    lr_size × scale) otherwise. The one output-size rule of the CLI, folders and the app."""
    if info is None or info.original_size is None or info.scale != scale:
        return None
    oh, ow = info.original_size
    h, w = lr_size
    return (oh, ow) if oh <= h * scale and ow <= w * scale else None
