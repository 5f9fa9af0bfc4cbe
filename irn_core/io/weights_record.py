"""What a weights file says about itself, for people to read: the training record in our safetensors
header (read without loading a tensor)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import WeightsError
from .checkpoints import FORMAT_NAME


def describe_weights(path: str | os.PathLike) -> list[tuple[str, str]]:
    """(label, value) rows saying what a weights file is and how it was trained, for people to read.

    Reads only the safetensors header (milliseconds, no tensors, no torch work), so a GUI may call it
    directly. Official ``.pth`` files carry no such record; their rows say so. WeightsError when the
    file is missing or its header cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    rows = [("File", str(path)), ("Size", f"{path.stat().st_size / 2**20:.1f} MiB")]
    if path.suffix.lower() != ".safetensors":
        return rows + [("Format", "PyTorch checkpoint (e.g. the official IRN code's); it records no training details")]
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            meta = dict(f.metadata() or {})
    except Exception as exc:  # safetensors raises its own error types for a damaged header
        raise WeightsError(f"cannot read the header of {path}: {exc}".split("\n")[0]) from exc
    if meta.get("format") != FORMAT_NAME:
        return rows + [("Format", "safetensors without IRN Studio's training record")]
    rows.append(
        (
            "Model",
            f"IRN x{meta.get('scale', '?')} ({meta.get('architecture', 'unknown architecture')}), "
            f"stored in {meta.get('dtype', 'float32')}",
        )
    )
    if meta.get("jpeg_robust") == "true":
        rows.append(("JPEG-robust", "yes: for an LR stored as JPEG; a restoration module runs before every upscale"))
    if "iterations" in meta:
        count = (
            f"{meta['total_iterations']} iterations in all ({meta['iterations']} in the last run)"
            if "total_iterations" in meta
            else f"{meta['iterations']} iterations in the last run"
        )
        rows.append(
            ("Training", f"{count} on {meta.get('training_data', 'unrecorded data')}, {meta.get('trained_with', '')}")
        )
    if "recipe" in meta:
        try:
            recipe = json.loads(meta["recipe"])
            rows.append(("Last run's recipe", ", ".join(f"{k} {v}" for k, v in recipe.items() if v not in ("", None))))
        except ValueError:
            rows.append(("Last run's recipe", meta["recipe"]))
    if "val_psnr_y" in meta:
        rows.append(
            (
                "Validation",
                f"{meta.get('val_set', '?')} PSNR-Y {float(meta['val_psnr_y']):.2f} dB, SSIM-Y "
                f"{meta.get('val_ssim_y', '?')} (mean of {meta.get('val_draws', '?')} latent draws; "
                f"{meta.get('val_y_convention', 'Y rounded to integer levels')})",
            )
        )
    if "val_jpeg_psnr_y" in meta:
        rows.append(
            (
                "Validation, LR as JPEG",
                f"{meta.get('val_set', '?')} PSNR-Y {float(meta['val_jpeg_psnr_y']):.2f} dB with the LR stored as "
                f"JPEG quality {meta.get('val_jpeg_quality', '?')} (OpenCV, 4:2:0)",
            )
        )
    if "init_fingerprint" in meta:
        rows.append(("Started from", f"weights {meta['init_fingerprint']}"))
    if "date" in meta:
        rows.append(("Exported", meta["date"]))
    return rows
