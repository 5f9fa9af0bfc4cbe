"""Loading and saving IRN weights: official ``.pth`` checkpoints and our ``.safetensors``.

Official checkpoints are plain state_dicts (optionally wrapped as ``{"state_dict": ...}``
or with a ``module.`` prefix from DataParallel). Our files are safetensors whose metadata
records the scale, the architecture and how the weights were trained.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import torch

from .model import ARCHITECTURE, IRN, SUPPORTED_SCALES, build_irn, official_haar_weights

FORMAT_NAME = "irn-studio"


class WeightsError(ValueError):
    """A weights file is missing, unreadable, not an IRN checkpoint, or of the wrong scale."""


_HAAR_KEY = re.compile(r"^operations\.(\d+)\.haar_weights$")


def _scale_from_state_dict(state: dict[str, torch.Tensor]) -> int:
    haar_stages = sum(1 for key in state if _HAAR_KEY.match(key))
    if haar_stages == 0:
        sample = ", ".join(list(state)[:3]) or "no tensors"
        raise WeightsError(
            "this is not an IRN checkpoint: it has no 'operations.N.haar_weights' entries "
            f"(found {len(state)} tensors, e.g. {sample})")
    return 2 ** haar_stages


def checkpoint_scale(path: str | os.PathLike) -> int:
    """The scale (2, 4, 8) of the IRN checkpoint at ``path``; WeightsError if it is not one."""
    state, _ = read_state_dict(path)
    return _scale_from_state_dict(state)


def _unwrap(obj: object, source: str) -> dict[str, torch.Tensor]:
    if isinstance(obj, dict):
        for key in ("state_dict", "params", "netG", "model"):
            if key in obj and isinstance(obj[key], dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise WeightsError(f"{source} does not hold a state_dict of tensors (found {type(obj).__name__})")
    return {(k[len("module."):] if k.startswith("module.") else k): v for k, v in obj.items()}


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


def load_irn(path: str | os.PathLike, *, scale: int | None = None) -> IRN:
    """Build an IRN from an official ``.pth`` checkpoint or our ``.safetensors`` weights.

    The scale is read from the file (its number of Haar stages); when ``scale`` is given
    and differs, WeightsError says both. Loading is strict: a missing or unexpected
    tensor is an error. Returns the model in eval mode, on the CPU, float32.
    """
    state, metadata = read_state_dict(path)
    found_scale = _scale_from_state_dict(state)
    if found_scale not in SUPPORTED_SCALES:
        raise WeightsError(f"{path} holds an IRN of scale {found_scale}; supported: {SUPPORTED_SCALES}")
    if scale is not None and scale != found_scale:
        raise WeightsError(f"{path} is an IRN x{found_scale} checkpoint, but x{scale} was asked for")
    net = build_irn(found_scale)
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise WeightsError(f"{path} does not match the IRN x{found_scale} architecture: "
                           f"{str(exc).splitlines()[0]}") from exc
    for name, buffer in net.named_buffers():
        if name.endswith("haar_weights") and not torch.equal(buffer, official_haar_weights(buffer.shape[0] // 4)):
            raise WeightsError(f"{path}: {name} is not the fixed Haar filter bank")
    net.metadata = metadata
    return net.eval()


def weights_fingerprint(net: torch.nn.Module) -> str:
    """A short hash of a model's tensors, recorded in LR files to recognise their model later."""
    digest = hashlib.sha256()
    for name, tensor in sorted(net.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().to("cpu", torch.float16).numpy().tobytes())
    return digest.hexdigest()[:16]


def write_safetensors(net: torch.nn.Module, path: str | os.PathLike, *, half: bool,
                      metadata: dict[str, object]) -> Path:
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
    os.replace(tmp, path)
    return path


def save_irn(net: IRN, path: str | os.PathLike, *, half: bool = True,
             metadata: dict[str, object] | None = None) -> Path:
    """Write ``net`` as safetensors (fp16 when ``half``) with scale and architecture metadata."""
    meta = {"format": FORMAT_NAME, "scale": str(net.scale), "architecture": ARCHITECTURE}
    meta.update(metadata or {})
    return write_safetensors(net, path, half=half, metadata=meta)


BUNDLED_WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "resources" / "weights"


def bundled_weights_path(scale: int) -> Path | None:
    """resources/weights/irn_x{scale}.safetensors when we ship it, else None."""
    path = BUNDLED_WEIGHTS_DIR / f"irn_x{scale}.safetensors"
    return path if path.is_file() else None


def resolve_weights(weights: str | os.PathLike | None, scale: int | None) -> Path:
    """The weights file to use: ``weights`` if given, else the bundled file for ``scale``."""
    if weights:
        return Path(weights)
    if scale is None:
        raise WeightsError("give --scale or --weights")
    path = bundled_weights_path(scale)
    if path is None:
        raise WeightsError(f"no bundled IRN x{scale} weights in {BUNDLED_WEIGHTS_DIR}; "
                           "pass --weights FILE (an official .pth or our .safetensors)")
    return path


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
        return rows + [("Format", "PyTorch checkpoint (e.g. the official IRN code's); it records no "
                                  "training details")]
    try:
        from safetensors import safe_open
        with safe_open(str(path), framework="numpy") as f:
            meta = dict(f.metadata() or {})
    except Exception as exc:  # safetensors raises its own error types for a damaged header
        raise WeightsError(f"cannot read the header of {path}: {exc}".split("\n")[0]) from exc
    if meta.get("format") != FORMAT_NAME:
        return rows + [("Format", "safetensors without IRN Studio's training record")]
    rows.append(("Model", f"IRN x{meta.get('scale', '?')} ({meta.get('architecture', 'unknown architecture')}), "
                          f"stored in {meta.get('dtype', 'float32')}"))
    if "iterations" in meta:
        count = (f"{meta['total_iterations']} iterations in all ({meta['iterations']} in the last run)"
                 if "total_iterations" in meta else f"{meta['iterations']} iterations in the last run")
        rows.append(("Training", f"{count} on {meta.get('training_data', 'unrecorded data')}, "
                                 f"{meta.get('trained_with', '')}"))
    if "recipe" in meta:
        try:
            recipe = json.loads(meta["recipe"])
            rows.append(("Last run's recipe", ", ".join(f"{k} {v}" for k, v in recipe.items() if v not in ("", None))))
        except ValueError:
            rows.append(("Last run's recipe", meta["recipe"]))
    if "val_psnr_y" in meta:
        rows.append(("Validation", f"{meta.get('val_set', '?')} PSNR-Y {float(meta['val_psnr_y']):.2f} dB, SSIM-Y "
                                   f"{meta.get('val_ssim_y', '?')} (mean of {meta.get('val_draws', '?')} latent draws)"))
    if "date" in meta:
        rows.append(("Exported", meta["date"]))
    return rows


def model_name(net: torch.nn.Module, path: str | os.PathLike) -> str:
    """A short label for a loaded model: its file name and scale."""
    return f"{Path(path).name} (IRN x{net.scale})"
