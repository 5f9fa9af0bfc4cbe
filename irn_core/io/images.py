"""Reading images: files in, numpy float32 HWC RGB in [0, 1] out (writing: ``irn_core.io.writing``).

Every failure to read raises :class:`ImageIOError`, whose message names the file and what a person can do
about it. ``probe_image`` checks a file by its header before anything reads it whole.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from ..errors import ImageIOError, InvalidInputError
from .metadata import PhotoMetadata, from_pillow, jpeg_comment_fields

# HEIC/HEIF and AVIF (phones) are decoded by pillow-heif; the others by OpenCV.
HEIF_SUFFIXES = (".heic", ".heif", ".avif")
READABLE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp") + HEIF_SUFFIXES
LOSSY_SUFFIXES = (".jpg", ".jpeg", ".webp") + HEIF_SUFFIXES
# Peak bytes per HR pixel of the heaviest file pipeline (a round trip): the decoded file, the float32 input,
# its padded copy, the restored float32 image and its 16-bit encoding, about 29 B measured on a 4000x3000
# photo, rounded up for the app, which keeps several results of the same size.
PIPELINE_BYTES_PER_PIXEL = 64
# Share of the machine's memory a single image may take.
PIPELINE_MEMORY_SHARE = 0.5
PIXEL_LIMIT_VARIABLE = "IRN_MAX_MEGAPIXELS"


def pixel_limit() -> int:
    """The most pixels an image may claim: ``IRN_MAX_MEGAPIXELS`` (in millions) when set, else half of this
    machine's memory at PIPELINE_BYTES_PER_PIXEL (about 200 MP with 24 GiB). The same for every file, in any
    order."""
    override = os.environ.get(PIXEL_LIMIT_VARIABLE)
    if override:
        try:
            return max(1, int(float(override) * 1_000_000))
        except ValueError:
            raise InvalidInputError(
                f"{PIXEL_LIMIT_VARIABLE} must be a number of megapixels, got {override!r}"
            ) from None
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        total = 16 * 2**30
    return int(total * PIPELINE_MEMORY_SHARE / PIPELINE_BYTES_PER_PIXEL)


def _largest_file_bytes(limit: int) -> int:
    # An uncompressed 16-bit RGBA image of ``limit`` pixels, plus room for metadata.
    return limit * 8 + 64 * 2**20


@dataclass(frozen=True)
class ImageHeader:
    """What a file's header says, read without decoding its pixels: width, height, Pillow's format name."""

    width: int
    height: int
    format: str


def probe_image(path: str | os.PathLike) -> ImageHeader:
    """Check a file by its header before anything reads it whole: it exists, is not empty, is not larger on
    disk than any image within the pixel limit could be, is an image, and claims at most ``pixel_limit()``
    pixels. ImageIOError names the file, the number found and the limit (and how to raise it)."""
    path = Path(path)
    if path.is_dir():
        raise ImageIOError(f"{path} is a folder, not an image file")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImageIOError(f"{path} does not exist") from None
    except OSError as exc:
        raise ImageIOError(f"cannot read {path}: {exc.strerror or exc}; check its permissions") from exc
    if size == 0:
        raise ImageIOError(f"{path.name} is empty (0 bytes)")
    limit = pixel_limit()
    how = f"set {PIXEL_LIMIT_VARIABLE} to raise it if this machine has the memory"
    if size > _largest_file_bytes(limit):
        raise ImageIOError(
            f"{path.name} is {size / 2**30:.1f} GiB on disk, more than an image within the limit of "
            f"{limit / 1e6:.0f} megapixels can take ({_largest_file_bytes(limit) / 2**30:.1f} GiB); {how}"
        )
    if path.suffix.lower() in HEIF_SUFFIXES and not _register_heif():
        raise ImageIOError(f"{path.name}: reading HEIC/HEIF/AVIF needs pillow-heif (pip install pillow-heif)")
    Image.MAX_IMAGE_PIXELS = None  # our own limit below, the same whatever was opened before
    try:
        with Image.open(path) as im:
            width, height, kind = im.width, im.height, str(im.format)
    except UnidentifiedImageError as exc:
        raise ImageIOError(
            f"{path.name} is not an image file this program can read (supported: {', '.join(READABLE_SUFFIXES)})"
        ) from exc
    except OSError as exc:
        if exc.errno is not None:  # the file system refused (permissions, I/O error)
            raise ImageIOError(f"cannot read {path}: {exc.strerror or exc}; check its permissions") from exc
        raise ImageIOError(f"{path.name} is damaged or truncated ({exc}); re-export or re-download it") from exc
    except (SyntaxError, ValueError) as exc:
        raise ImageIOError(f"{path.name} is damaged or truncated ({exc}); re-export or re-download it") from exc
    if width * height > limit:
        raise ImageIOError(
            f"{path.name}: {width}x{height} is {width * height / 1e6:.0f} megapixels, above the limit of "
            f"{limit / 1e6:.0f} megapixels for this machine's memory; {how}"
        )
    if width < 1 or height < 1:
        raise ImageIOError(f"{path.name} has no pixels ({width}x{height})")
    return ImageHeader(width, height, kind)


@dataclass
class LoadedImage:
    """A decoded image.

    pixels: float32 (H, W, 3) RGB in [0, 1]. bit_depth: 8 or 16 as stored.
    notes: what was done to make it RGB (grayscale expanded, alpha composited, rotated).
    metadata: PNG text chunks (e.g. what IRN Studio recorded in an LR file).
    alpha: float32 (H, W) in [0, 1] when the file had an alpha channel, else None.
    photo: the ICC profile and EXIF to carry into outputs (orientation already applied, reset to 1).
    grayscale: the file stores one gray channel (with or without alpha): its outputs should stay gray.
    """

    path: Path
    pixels: np.ndarray
    bit_depth: int
    notes: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    alpha: np.ndarray | None = None
    photo: PhotoMetadata = field(default_factory=PhotoMetadata)
    grayscale: bool = False

    @property
    def is_lossy(self) -> bool:
        return self.path.suffix.lower() in LOSSY_SUFFIXES


def _register_heif() -> bool:
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


# Files whose pixels Pillow's decoding (which validates the whole file) gives exactly as OpenCV would: 8-bit
# JPEG and PNG in these modes, without a tRNS transparency (OpenCV turns that into alpha; Pillow does not).
# Any other file is decoded again by OpenCV. tests/core/test_io.py checks the equality.
_PILLOW_DECODED_MODES = ("RGB", "RGBA", "L")
_PNG_BIT_DEPTH_OFFSET = 24  # signature (8), IHDR length and type (8), width and height (8)


def _pillow_pixels_are_final(im: Image.Image, data: np.ndarray) -> bool:
    if im.mode not in _PILLOW_DECODED_MODES or "transparency" in im.info:
        return False
    if im.format == "PNG":
        return len(data) > _PNG_BIT_DEPTH_OFFSET and int(data[_PNG_BIT_DEPTH_OFFSET]) == 8
    return im.format == "JPEG"


@dataclass
class _Decoded:
    """What one Pillow pass over a file gives: its EXIF orientation, text chunks, ICC profile and EXIF, and
    its pixels where they are final (RGB(A) or gray uint8; HEIC/AVIF already upright), else None."""

    orientation: int
    text: dict[str, str]
    photo: PhotoMetadata
    rgb: np.ndarray | None


def _inspect(path: Path, data: np.ndarray) -> _Decoded:
    """Validate the whole file (``data``, its bytes) with Pillow, which catches truncation, and read what
    ``_Decoded`` holds."""
    heif = path.suffix.lower() in HEIF_SUFFIXES
    if heif and not _register_heif():
        raise ImageIOError(f"{path.name}: reading HEIC/HEIF/AVIF needs pillow-heif (pip install pillow-heif)")
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data.data)) as im:
            im.load()
            orientation = 1 if heif else int(im.getexif().get(0x0112, 1))
            text = {str(k): str(v) for k, v in getattr(im, "text", {}).items()}
            text |= jpeg_comment_fields(im.info.get("comment"))
            rgb = None
            if heif:
                rgb = np.asarray(im.convert("RGBA" if "A" in im.mode else "RGB"))
            elif _pillow_pixels_are_final(im, data):
                rgb = np.asarray(im)
            return _Decoded(orientation, text, from_pillow(im), rgb)
    except ImageIOError:
        raise
    except UnidentifiedImageError as exc:
        raise ImageIOError(
            f"{path.name} is not an image file this program can read (supported: {', '.join(READABLE_SUFFIXES)})"
        ) from exc
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageIOError(f"{path.name} is damaged or truncated ({exc}); re-export or re-download it") from exc


def _apply_orientation(pixels: np.ndarray, orientation: int) -> np.ndarray:
    # EXIF orientation tags 2-8: mirror and/or rotate so the image shows upright.
    ops = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.swapaxes(a, 0, 1)[:, ::-1],
        7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
        8: lambda a: np.swapaxes(a, 0, 1)[::-1],
    }
    return np.ascontiguousarray(ops[orientation](pixels)) if orientation in ops else pixels


def read_image(path: str | os.PathLike, *, background: float = 1.0) -> LoadedImage:
    """Read an image file as float32 RGB in [0, 1] (see ``_read_image``); a file too large for the memory
    left is an ImageIOError, not a MemoryError."""
    try:
        return _read_image(Path(path), background=background)
    except MemoryError as exc:
        raise ImageIOError(f"{Path(path).name}: not enough memory to decode it; close other programs") from exc


def _read_image(path: Path, *, background: float = 1.0) -> LoadedImage:
    """Read an image file as float32 RGB in [0, 1].

    Grayscale is expanded to 3 channels; an alpha channel is composited over a uniform
    ``background`` (1.0 = white) and also returned as ``alpha``; 16-bit files keep their
    precision; JPEG EXIF orientation is applied. Raises ImageIOError for a missing,
    empty, unreadable, truncated or non-image file.
    """
    probe_image(path)  # size, type and claimed pixels, before anything is read whole
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise ImageIOError(f"cannot read {path}: {exc.strerror or exc}; check its permissions") from exc
    decoded = _inspect(path, data)
    bgr = decoded.rgb is None
    raw = decoded.rgb if not bgr else cv2.imdecode(data, cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    if raw is None:
        raise ImageIOError(f"{path.name} could not be decoded; it may be damaged or in an unsupported variant")
    del data
    notes: list[str] = []
    scales = {np.dtype(np.uint8): (8, 255.0), np.dtype(np.uint16): (16, 65535.0), np.dtype(np.float32): (32, 1.0)}
    if raw.dtype not in scales:
        raise ImageIOError(f"{path.name}: pixel type {raw.dtype} is not supported (use 8- or 16-bit)")
    bit_depth, scale = scales[raw.dtype]
    if raw.ndim == 2:
        raw = raw[:, :, None]
    channels = raw.shape[2]
    if channels not in (1, 2, 3, 4):
        raise ImageIOError(f"{path.name} has {channels} channels; expected 1 to 4")
    # One pass from the stored values to float32 RGB: a 24 MP photo's conversion took 0.6-0.9 s as separate
    # astype, divide, channel swap and clip, and 0.04 s so (0.14-0.54 s with OpenCV's channel order to swap).
    # The values are the same (x / scale in float32).
    colour = raw[:, :, :1] if channels < 3 else (raw[:, :, 2::-1] if bgr else raw[:, :, :3])
    img = np.divide(colour, scale, dtype=np.float32)
    alpha = np.divide(raw[:, :, channels - 1], scale, dtype=np.float32) if channels in (2, 4) else None
    del raw, colour
    if channels < 3:
        notes.append("grayscale image: processed as RGB with three equal channels, written back as gray")
        img = np.repeat(img, 3, axis=2)
    if alpha is not None:
        a = np.clip(alpha, 0, 1)[:, :, None]
        img = img * a + background * (1 - a)
        notes.append(f"alpha channel composited over {'white' if background == 1.0 else background}")
    if decoded.orientation != 1 and decoded.orientation in range(2, 9):
        img = _apply_orientation(img, decoded.orientation)
        alpha = None if alpha is None else _apply_orientation(alpha, decoded.orientation)
        notes.append(f"rotated upright from EXIF orientation {decoded.orientation}")
    if bit_depth == 32 or alpha is not None:  # integer levels over their maximum are in [0, 1] already
        np.clip(img, 0, 1, out=img)
    if min(img.shape[:2]) < 1:
        raise ImageIOError(f"{path.name} has no pixels")
    return LoadedImage(
        path=path,
        pixels=np.ascontiguousarray(img, dtype=np.float32),
        bit_depth=bit_depth,
        notes=notes,
        metadata=decoded.text,
        alpha=alpha,
        photo=decoded.photo,
        grayscale=channels in (1, 2),
    )


def list_images(folder: str | os.PathLike) -> list[Path]:
    """Image files (by suffix) directly inside ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImageIOError(f"{folder} is not a folder")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in READABLE_SUFFIXES and p.is_file())
