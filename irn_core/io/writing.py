"""Writing images and other outputs: numpy float32 HWC RGB in [0, 1] in, 8/16-bit PNG or JPEG files out.

Every failure to write raises :class:`ImageIOError` (:class:`DiskFullError`, :class:`OutputExistsError`),
whose message names the file and what a person can do about it. Writing never replaces an existing file
unless ``overwrite=True`` and never leaves a half-written file (it writes a temporary file in the same
folder, then renames it); ``check_output`` says before any work whether a path can be written.
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
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ..errors import DiskFullError, ImageIOError, InvalidInputError, OutputExistsError
from ..ops.codecs import to_uint8
from .metadata import JPEG_FIELDS_PREFIX, PhotoMetadata, png_chunks


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


def encode_jpeg(pixels: np.ndarray, *, quality: int, metadata: dict[str, str] | None = None) -> bytes:
    """Encode float32 HxWx3 RGB [0, 1] as a baseline JPEG of ``quality`` (4:2:0 chroma, as Pillow and phones
    do), with ``metadata`` as JSON in the comment segment (read back as ``LoadedImage.metadata``)."""
    if not 1 <= quality <= 100:
        raise InvalidInputError(f"JPEG quality must be 1-100, got {quality}")
    buffer = io.BytesIO()
    comment = JPEG_FIELDS_PREFIX + json.dumps(metadata).encode() if metadata else b""
    Image.fromarray(to_uint8(pixels)).save(buffer, "JPEG", quality=quality, subsampling="4:2:0", comment=comment)
    return buffer.getvalue()


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
