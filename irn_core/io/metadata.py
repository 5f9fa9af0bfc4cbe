"""What a photograph carries besides its pixels: ICC colour profile and EXIF, read once and written into
every output, and the PNG chunks that hold them.

EXIF orientation is applied to the pixels when an image is read, so the EXIF written out says 1 (upright);
``strip_gps`` removes only the location, ``PhotoMetadata()`` (empty) writes nothing.
"""

from __future__ import annotations

import functools
import json
import struct
import zlib
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

ORIENTATION_TAG = 0x0112
GPS_IFD_TAG = 0x8825


@dataclass(frozen=True)
class PhotoMetadata:
    """icc_profile: the ICC profile's bytes (None: untagged, i.e. sRGB by convention); exif: EXIF bytes
    (TIFF header onwards, as PNG's eXIf chunk holds them; None: none)."""

    icc_profile: bytes | None = None
    exif: bytes | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.icc_profile or self.exif)

    def without_gps(self) -> PhotoMetadata:
        """The same metadata with the EXIF GPS block (the location) removed."""
        if not self.exif:
            return self
        exif = _parse_exif(self.exif)
        if GPS_IFD_TAG in exif:
            del exif[GPS_IFD_TAG]
        return replace(self, exif=_exif_bytes(exif))

    def describe(self) -> str:
        """A few words for people: which profile, whether EXIF is carried."""
        parts = []
        if self.icc_profile:
            parts.append(f"ICC profile {profile_name(self.icc_profile)}")
        if self.exif:
            exif = _parse_exif(self.exif)
            camera = " ".join(str(exif.get(tag, "")).strip("\x00 ") for tag in (0x010F, 0x0110)).strip()
            parts.append(f"EXIF ({camera})" if camera else "EXIF")
        return ", ".join(parts) or "no colour profile or EXIF"


def _parse_exif(data: bytes) -> Image.Exif:
    exif = Image.Exif()
    exif.load(data if data.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + data)
    return exif


def _exif_bytes(exif: Image.Exif) -> bytes:
    data = exif.tobytes()
    return data[6:] if data.startswith(b"Exif\x00\x00") else data


def from_pillow(im: Image.Image) -> PhotoMetadata:
    """The ICC profile and EXIF of an open Pillow image, with the EXIF orientation reset to 1 (the reader
    applies it to the pixels)."""
    icc = im.info.get("icc_profile") or None
    exif = im.getexif()
    exif_bytes = None
    if len(exif):
        exif[ORIENTATION_TAG] = 1
        exif_bytes = _exif_bytes(exif)
    return PhotoMetadata(icc_profile=icc, exif=exif_bytes)


def profile_name(icc: bytes) -> str:
    """The profile's description ("Display P3", "Adobe RGB (1998)", ...), or "unnamed"."""
    try:
        import io

        from PIL import ImageCms

        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip() or "unnamed"
    except (ImportError, OSError, ValueError, TypeError):
        return "unnamed"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_chunks(metadata: PhotoMetadata) -> bytes:
    """iCCP and eXIf chunks for ``metadata``, to go right after a PNG's IHDR."""
    out = b""
    if metadata.icc_profile:
        out += _chunk(b"iCCP", b"ICC profile\x00\x00" + zlib.compress(metadata.icc_profile))
    if metadata.exif:
        out += _chunk(b"eXIf", metadata.exif)
    return out


@functools.lru_cache(maxsize=8)
def _srgb_transform(icc: bytes):
    import io

    from PIL import ImageCms

    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    return ImageCms.buildTransform(source, ImageCms.createProfile("sRGB"), "RGB", "RGB")


def display_srgb(pixels: np.ndarray, icc: bytes | None) -> np.ndarray:
    """uint8 (H, W, 3) in the colour space of ``icc`` -> uint8 sRGB for a screen (unchanged without a
    profile, or with one that cannot be read). For display only: the network always sees the file's pixels."""
    if not icc or pixels.ndim != 3:
        return pixels
    try:
        from PIL import ImageCms

        converted = ImageCms.applyTransform(Image.fromarray(np.ascontiguousarray(pixels)), _srgb_transform(icc))
    except (ImportError, OSError, ValueError, TypeError):
        return pixels
    return np.asarray(converted) if converted is not None else pixels


JPEG_FIELDS_PREFIX = b"irn-studio-fields:"  # a JPEG comment of IRN Studio's fields, as JSON


def jpeg_comment_fields(comment: object) -> dict[str, str]:
    """Fields IRN Studio wrote into a JPEG's comment segment (``write_jpeg``), or {} for any other."""
    if not isinstance(comment, bytes) or not comment.startswith(JPEG_FIELDS_PREFIX):
        return {}
    try:
        fields = json.loads(comment[len(JPEG_FIELDS_PREFIX) :].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}
