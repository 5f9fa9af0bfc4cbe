"""``irn train --plot RUN_DIR``: the loss and validation curves of a run as a PNG."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np


def read_log(run_dir: str | Path) -> list[dict[str, str]]:
    path = Path(run_dir) / "log.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no log.csv in {run_dir}")
    with path.open() as f:
        return list(csv.DictReader(f))


def _run_config(run_dir: str | Path) -> dict:
    path = Path(run_dir) / "config.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _panel(xs, ys, title: str, colour, size=(360, 560)) -> np.ndarray:
    h, w = size
    img = np.full((h, w, 3), 255, np.uint8)
    left, right, top, bottom = 70, 15, 30, 40
    cv2.putText(img, title, (left, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.rectangle(img, (left, top), (w - right, h - bottom), (0, 0, 0), 1)
    if len(xs) == 0:
        return img
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    x0, x1 = xs.min(), max(xs.max(), xs.min() + 1)
    y0, y1 = ys.min(), max(ys.max(), ys.min() + 1e-6)
    px = left + (xs - x0) / (x1 - x0) * (w - left - right)
    py = h - bottom - (ys - y0) / (y1 - y0) * (h - top - bottom)
    pts = np.stack([px, py], 1).astype(np.int32)
    cv2.polylines(img, [pts], False, colour, 2, cv2.LINE_AA)
    for p in pts if len(pts) < 40 else []:
        cv2.circle(img, tuple(int(v) for v in p), 3, colour, -1, cv2.LINE_AA)
    for value, y in ((y1, top), (y0, h - bottom)):
        cv2.putText(img, f"{value:.4g}", (2, int(y) + 5), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    for value, x in ((x0, left), (x1, w - right - 40)):
        cv2.putText(
            img, f"{int(value)}", (int(x), h - bottom + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA
        )
    cv2.putText(img, "iteration", (w // 2 - 30, h - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return img


def plot_run(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the run's training loss and validation PSNR-Y curves to ``out`` (default RUN_DIR/curve.png)."""
    rows = read_log(run_dir)
    loss = [(int(r["iter"]), float(r["loss"])) for r in rows if r.get("loss") and not r.get("event")]
    val = [(int(r["iter"]), float(r["val_psnr_y"])) for r in rows if r.get("val_psnr_y")]
    left = _panel(
        [x for x, _ in loss], np.log10([max(y, 1e-9) for _, y in loss]), "training loss (log10)", (200, 80, 20)
    )
    panels = [left, _panel([x for x, _ in val], [y for _, y in val], "validation PSNR-Y (dB)", (30, 30, 200))]
    jpeg = [(int(r["iter"]), float(r["val_jpeg_psnr_y"])) for r in rows if r.get("val_jpeg_psnr_y")]
    if jpeg:  # a JPEG-robust run also validates with its LR stored as JPEG
        quality = _run_config(run_dir).get("val_jpeg_quality", "?")
        title = f"validation PSNR-Y (dB), LR as JPEG q{quality}"
        panels.append(_panel([x for x, _ in jpeg], [y for _, y in jpeg], title, (20, 140, 40)))
    out = Path(out) if out else Path(run_dir) / "curve.png"
    ok, buf = cv2.imencode(".png", np.concatenate(panels, 1)[:, :, ::-1])
    out.write_bytes(buf.tobytes())
    return out
