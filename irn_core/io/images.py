"""Reading and writing images: numpy float32 HWC RGB in [0, 1] on our side of the boundary.

Every failure to read or write raises :class:`ImageIOError`, whose message names the file
and what a person can do about it. Writing never replaces an existing file unless
``overwrite=True`` and never leaves a half-written file (it writes a temporary file in the
same folder, then renames it).
"""

from __future__ import annotations

import errno
import glob
import io
import json
import os
import struct
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from ..errors import DiskFullError, ImageIOError, InvalidInputError, OutputExistsError
from ..ops.codecs import to_uint8
from .metadata import PhotoMetadata, from_pillow, png_chunks

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


def file_mode() -> int:
    """The mode a newly created file gets under this process's umask (0o666 & ~umask)."""
    # Linux reports the umask in /proc; elsewhere it can only be read by setting it, so that is done
    # at write time, never at import.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


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


JPEG_FIELDS_PREFIX = b"irn-studio-fields:"


def jpeg_comment_fields(comment: object) -> dict[str, str]:
    """Fields IRN Studio wrote into a JPEG's comment segment (``write_jpeg``), or {} for any other."""
    if not isinstance(comment, bytes) or not comment.startswith(JPEG_FIELDS_PREFIX):
        return {}
    try:
        fields = json.loads(comment[len(JPEG_FIELDS_PREFIX) :].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}


def encode_jpeg(pixels: np.ndarray, *, quality: int, metadata: dict[str, str] | None = None) -> bytes:
    """Encode float32 HxWx3 RGB [0, 1] as a baseline JPEG of ``quality`` (4:2:0 chroma, as Pillow and phones
    do), with ``metadata`` as JSON in the comment segment (read back as ``LoadedImage.metadata``)."""
    if not 1 <= quality <= 100:
        raise InvalidInputError(f"JPEG quality must be 1-100, got {quality}")
    buffer = io.BytesIO()
    comment = JPEG_FIELDS_PREFIX + json.dumps(metadata).encode() if metadata else b""
    Image.fromarray(to_uint8(pixels)).save(buffer, "JPEG", quality=quality, subsampling="4:2:0", comment=comment)
    return buffer.getvalue()


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
    # astype, divide, channel swap and clip, and 0.05-0.15 s so. The values are the same (x / scale in float32).
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


def _png_text_chunk(key: str, value: str) -> bytes:
    body = key.encode("latin-1") + b"\x00" + value.encode("latin-1", "replace")
    return struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))


def encode_png(
    img: np.ndarray,
    *,
    bit_depth: int = 8,
    metadata: dict[str, str] | None = None,
    photo: PhotoMetadata | None = None,
) -> bytes:
    """Encode float32 HxWx3 RGB [0, 1] (or HxW) as PNG bytes, 8 or 16 bit, with text chunks and the ICC
    profile and EXIF of ``photo`` (iCCP, eXIf)."""
    img = np.asarray(img)
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (3, 4)):
        raise InvalidInputError(f"expected an HxW or HxWx3 image, got shape {img.shape}")
    if bit_depth == 8:
        stored = to_uint8(img)
    elif bit_depth == 16:
        stored = np.clip(np.round(np.asarray(img, np.float64) * 65535.0), 0, 65535).astype(np.uint16)
    else:
        raise InvalidInputError(f"bit_depth must be 8 or 16, got {bit_depth}")
    if stored.ndim == 3:
        stored = stored[:, :, 2::-1] if stored.shape[2] == 3 else stored[:, :, [2, 1, 0, 3]]
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(stored))
    if not ok:
        raise ImageIOError("PNG encoding failed")
    png = buf.tobytes()
    chunks = b"".join(_png_text_chunk(k, str(v)) for k, v in (metadata or {}).items())
    if photo is not None:
        chunks += png_chunks(photo)
    if chunks:
        ihdr_end = 8 + 4 + 4 + 13 + 4  # signature, then the IHDR chunk
        png = png[:ihdr_end] + chunks + png[ihdr_end:]
    return png


def check_output(path: str | os.PathLike, *, overwrite: bool, inputs: tuple[Path, ...] = ()) -> Path:
    """Say before any work whether ``path`` can be written: ImageIOError when it is one of ``inputs`` (the
    same file, whatever its name; refused even with ``overwrite``), when a part of its folder is a file, or
    when its folder cannot be written; OutputExistsError when it exists and ``overwrite`` is false. The
    folder need not exist yet (it is created by the caller)."""
    path = Path(path)
    for source in inputs:
        if path.exists() and source.exists() and os.path.samefile(path, source):
            raise ImageIOError(f"{path} is the input {source} itself; an output never replaces its input")
    if path.is_dir():
        raise ImageIOError(f"{path} is a folder; expected a file name to write")
    if path.exists() and not overwrite:
        raise OutputExistsError(path)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise ImageIOError(f"cannot write {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ImageIOError(f"cannot write {path}: folder {folder} is not writable")
    return path


def _part_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_parts(path: str | os.PathLike) -> list[Path]:
    """Remove the temporary ``.NAME.PID.*.part`` files an interrupted write of ``path`` left (its process
    no longer runs; kill -9 skips every cleanup). Returns what was removed."""
    path = Path(path)
    removed: list[Path] = []
    if not path.parent.is_dir():
        return removed
    for part in path.parent.glob(f"{glob.escape(_part_prefix(path))}*.part"):
        pid_text = part.name[len(_part_prefix(path)) :].split(".", 1)[0]
        if pid_text.isdigit() and not _process_alive(int(pid_text)):
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def write_bytes_atomic(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Raises ImageIOError when the file exists and ``overwrite`` is false, or when the
    folder is missing or not writable (DiskFullError when the disk is full); no partial file is left
    behind either way (a temporary file of a killed process carries its PID: ``remove_stale_parts``).
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(path)
    if not path.parent.is_dir():
        raise ImageIOError(f"cannot write {path.name}: folder {path.parent} does not exist")
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f"{_part_prefix(path)}{os.getpid()}.", suffix=".part", dir=path.parent)
        os.chmod(tmp_name, file_mode())  # mkstemp makes 0600; a saved image gets the usual mode
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp_name, path)
        else:
            # link() fails if the name appeared meanwhile, so a file created by someone
            # else between our check and now is never replaced.
            os.link(tmp_name, path)
            os.unlink(tmp_name)
        tmp_name = None
    except FileExistsError as exc:
        raise OutputExistsError(path) from exc
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFullError(f"cannot write {path}: the disk is full; free some space and run again") from exc
        raise ImageIOError(
            f"cannot write {path}: {exc.strerror or exc}; check that the folder is writable and the disk has room"
        ) from exc
    finally:
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return path


def write_png(
    path: str | os.PathLike,
    img: np.ndarray,
    *,
    bit_depth: int = 8,
    metadata: dict[str, str] | None = None,
    photo: PhotoMetadata | None = None,
    overwrite: bool = False,
) -> Path:
    """Write float32 RGB [0, 1] losslessly as PNG (8 or 16 bit), atomically, never replacing
    an existing file unless ``overwrite``. ``metadata`` becomes PNG tEXt chunks; ``photo`` the ICC
    profile (iCCP) and EXIF (eXIf) of the photograph it came from."""
    if Path(path).suffix.lower() != ".png":
        raise ImageIOError(f"{Path(path).name}: only PNG is written (lossless); use a .png name")
    png = encode_png(img, bit_depth=bit_depth, metadata=metadata, photo=photo)
    return write_bytes_atomic(path, png, overwrite=overwrite)


def write_jpeg(
    path: str | os.PathLike,
    img: np.ndarray,
    *,
    quality: int,
    metadata: dict[str, str] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write float32 RGB [0, 1] as JPEG of ``quality`` (see ``encode_jpeg``), atomically, never replacing an
    existing file unless ``overwrite``. For the LR of a JPEG-robust IRN; any other IRN needs a PNG."""
    if Path(path).suffix.lower() not in (".jpg", ".jpeg"):
        raise ImageIOError(f"{Path(path).name}: a JPEG needs a .jpg or .jpeg name")
    return write_bytes_atomic(path, encode_jpeg(img, quality=quality, metadata=metadata), overwrite=overwrite)


def list_images(folder: str | os.PathLike) -> list[Path]:
    """Image files (by suffix) directly inside ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImageIOError(f"{folder} is not a folder")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in READABLE_SUFFIXES and p.is_file())
