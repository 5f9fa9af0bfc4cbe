"""Paper-style comparison figures: crops of several images side by side with captions."""

from __future__ import annotations

import cv2
import numpy as np

LINE_HEIGHT = 20
GAP = 6
# OpenCV's Hershey fonts draw ASCII only.
_ASCII = str.maketrans({"·": "|", "↓": "v", "↑": "^", "−": "-", "×": "x", "²": "2"})


def _ascii(text: str) -> str:
    return text.translate(_ASCII).encode("ascii", "replace").decode()


LR_KINDS = ("irn_lr", "bicubic_lr")


def colorize(gray: np.ndarray) -> np.ndarray:
    """(H, W) map (error, std) -> inferno-coloured float32 RGB (H, W, 3), scaled to its 99.5th percentile."""
    top = float(np.percentile(gray, 99.5)) or 1e-6
    levels = np.clip(gray / top * 255, 0, 255).astype(np.uint8)
    return cv2.applyColorMap(levels, cv2.COLORMAP_INFERNO)[:, :, ::-1].astype(np.float32) / 255


def _as_rgb(pixels: np.ndarray) -> np.ndarray:
    return colorize(pixels) if pixels.ndim == 2 else pixels


def comparison_figure(
    items: list[tuple[str, np.ndarray, str]], *, region=None, scale: int = 1, min_height: int = 256
) -> np.ndarray:
    """Crop ``region`` ((row0, row1), (col0, col1) in HR pixels) of each (caption, image, kind) and place
    the crops side by side with their captions underneath. LR images (kind "irn_lr" or "bicubic_lr",
    smaller by ``scale``) are cropped at the matching place and magnified by nearest neighbour.
    Small crops are magnified (nearest) to
    at least ``min_height`` pixels. Returns float32 RGB (H, W, 3) in [0, 1]."""
    crops = []
    for caption, pixels, kind in items:
        img = _as_rgb(pixels)
        factor = scale if kind in LR_KINDS else 1
        if region is not None:
            (r0, r1), (c0, c1) = region
            r0, r1 = max(0, r0 // factor), max(1, -(-r1 // factor))
            c0, c1 = max(0, c0 // factor), max(1, -(-c1 // factor))
            img = img[r0:r1, c0:c1]
        if factor > 1:
            img = np.repeat(np.repeat(img, factor, axis=0), factor, axis=1)
        crops.append((caption, img))
    height = max(c.shape[0] for _, c in crops)
    zoom = max(1, int(np.ceil(min_height / max(height, 1))))
    height *= zoom
    # Captions may have several lines ("\n"): e.g. the method and its metrics, then where it came from.
    lines = [[_ascii(line) for line in caption.split("\n")] for caption, _ in crops]
    caption_height = LINE_HEIGHT * max(len(c) for c in lines) + 8
    columns = []
    for (_, img), caption_lines in zip(crops, lines):
        img = np.repeat(np.repeat(img, zoom, axis=0), zoom, axis=1)
        text_width = max(cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)[0][0] for line in caption_lines)
        canvas = np.ones((height + caption_height, max(img.shape[1], 200, text_width + 8), 3), np.float32)
        canvas[: img.shape[0], : img.shape[1]] = img
        text_img = (canvas[height:] * 255).astype(np.uint8).copy()
        for i, line in enumerate(caption_lines):
            cv2.putText(
                text_img, line, (4, 19 + i * LINE_HEIGHT), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA
            )
        canvas[height:] = text_img.astype(np.float32) / 255
        columns.append(canvas)
        columns.append(np.ones((height + caption_height, GAP, 3), np.float32))
    return np.concatenate(columns[:-1], axis=1)
