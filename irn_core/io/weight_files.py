"""Weight files below the loaders: what a checkpoint is (``CheckpointInfo``), reading any state_dict
(``.pth``/``.pt``, wrapped or not, or ``.safetensors``), writing safetensors atomically, and fingerprints.
``irn_core.io.checkpoints`` (IRN) and ``irn_core.io.sr_checkpoints`` (SR) build models from these.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from ..errors import WeightsError
from .writing import file_mode


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint file is. kind: "irn" or "sr"; source: "bundled", "irn-studio" (ours),
    "official" (an official IRN .pth) or "spandrel" (a third-party SR model)."""

    path: Path
    kind: str
    scale: int
    architecture: str
    source: str

    @property
    def label(self) -> str:
        return f"{self.path.name} ({self.kind.upper()} x{self.scale})"


def _unwrap(obj: object, source: str) -> dict[str, torch.Tensor]:
    if isinstance(obj, dict):
        for key in ("state_dict", "params", "netG", "model"):
            if key in obj and isinstance(obj[key], dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise WeightsError(f"{source} does not hold a state_dict of tensors (found {type(obj).__name__})")
    return {(k[len("module.") :] if k.startswith("module.") else k): v for k, v in obj.items()}


def read_state_dict(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """(state_dict in float32, metadata) from a ``.pth``/``.pt`` or ``.safetensors`` file."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    metadata: dict[str, str] = {}
    try:
        if path.suffix.lower() == ".safetensors":
            from safetensors import safe_open

            with safe_open(str(path), framework="pt") as f:
                metadata = dict(f.metadata() or {})
                state = {k: f.get_tensor(k) for k in f.keys()}
        else:
            state = _unwrap(torch.load(path, map_location="cpu", weights_only=True), str(path))
    except WeightsError:
        raise
    except Exception as exc:  # torch/safetensors raise many types for a bad file
        raise WeightsError(f"cannot read weights from {path}: {exc}".split("\n")[0]) from exc
    return {k: v.float() for k, v in state.items()}, metadata


def check_finite(state: dict[str, torch.Tensor], path: Path) -> None:
    bad = [k for k, v in state.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        raise WeightsError(
            f"{path.name} holds non-finite values (NaN or inf) in {len(bad)} tensor(s), e.g. {bad[0]}; "
            "expected finite weights (a diverged training run writes such files)"
        )


def state_fingerprint(state: dict[str, torch.Tensor]) -> str:
    """A short hash (16 hex digits) of a state_dict's tensors as fp16: the name of a weights file's contents,
    recorded in LR files and in the lineage of trained weights."""
    digest = hashlib.sha256()
    for name, tensor in sorted(state.items()):
        digest.update(name.encode())
        digest.update(tensor.detach().to("cpu", torch.float16).numpy().tobytes())
    return digest.hexdigest()[:16]


def weights_fingerprint(net: torch.nn.Module) -> str:
    """``state_fingerprint`` of a model's tensors."""
    return state_fingerprint(net.state_dict())


def write_safetensors(
    net: torch.nn.Module, path: str | os.PathLike, *, half: bool, metadata: dict[str, object]
) -> Path:
    """Write a module's state_dict as safetensors (fp16 when ``half``) through a temporary file and a
    rename, so a failure never leaves a partial file. Non-string metadata values are stored as JSON."""
    from safetensors.torch import save_file

    path = Path(path)
    dtype = torch.float16 if half else torch.float32
    state = {k: v.detach().to("cpu", dtype).contiguous() for k, v in net.state_dict().items()}
    meta = {k: v if isinstance(v, str) else json.dumps(v) for k, v in metadata.items()}
    meta["dtype"] = str(dtype).replace("torch.", "")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    save_file(state, str(tmp), metadata=meta)
    os.chmod(tmp, file_mode())  # safetensors creates 0600; an exported file gets the user's umask
    os.replace(tmp, path)
    return path
