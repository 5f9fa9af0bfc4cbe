"""Training checkpoints: model, optimiser, iteration and RNG states, written atomically.

They are read with ``torch.load(weights_only=True)``: tensors, numbers, strings and containers only, so a
``.pt`` planted in a shared run folder cannot run code when the run is resumed or exported.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import torch

from ..errors import WeightsError

_NAME = re.compile(r"^iter_(\d{8})\.pt$")


def checkpoint_dir(run_dir: Path) -> Path:
    return Path(run_dir) / "checkpoints"


def list_checkpoints(run_dir: Path) -> list[Path]:
    """Checkpoints of a run, oldest first."""
    folder = checkpoint_dir(run_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _NAME.match(p.name))


def save_checkpoint(run_dir: Path, iteration: int, state: dict, *, keep: int) -> Path:
    folder = checkpoint_dir(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"iter_{iteration:08d}.pt"
    tmp = path.with_suffix(".pt.tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    for old in list_checkpoints(run_dir)[:-keep]:
        old.unlink(missing_ok=True)
    return path


def load_checkpoint(path: Path) -> dict:
    """A checkpoint's state dict; WeightsError for a file that holds anything but plain data (it is never
    executed) or cannot be read."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle.UnpicklingError for foreign objects, RuntimeError/EOFError for damage
        reason = (str(exc) or type(exc).__name__).splitlines()[0]
        raise WeightsError(
            f"{path} is not a training checkpoint this program wrote (expected tensors, numbers and strings "
            f"only; {reason}); nothing in it was run. Remove it, or resume from an earlier one"
        ) from exc
    if not isinstance(state, dict):
        raise WeightsError(f"{path}: expected a training checkpoint (a dict), found {type(state).__name__}")
    return state
