"""SR model files: our compact SR safetensors, read directly, and any SR checkpoint spandrel recognises."""

from __future__ import annotations

import os
from pathlib import Path

from torch import nn

from ..errors import WeightsError
from ..nn.sr import COMPACT_ARCHITECTURE, SR_CONVS, SR_FEATURES, CompactSR
from .weight_files import CheckpointInfo, read_state_dict, write_safetensors

SR_FORMAT = "irn-studio-sr"


def _read_own_sr(path: Path) -> CompactSR | None:
    """Our SR network from a safetensors file we wrote, or None when the file is something else.

    Reading our format directly skips spandrel's import (2 s of importing 1,300 modules under the
    GIL, which stalled the app's GUI thread for up to 200 ms at a time).
    """
    if path.suffix.lower() != ".safetensors":
        return None
    try:
        state, metadata = read_state_dict(path)
    except WeightsError:
        return None  # not readable as safetensors: spandrel says what it is
    if metadata.get("format") != SR_FORMAT:
        return None
    try:
        model = CompactSR(scale=int(metadata["scale"]))
        model.load_state_dict(state)
    except (KeyError, ValueError, RuntimeError) as exc:
        raise WeightsError(
            f"{path.name} says it is an IRN Studio SR model but does not load: {str(exc).splitlines()[0]}"
        ) from exc
    return model.eval()


def load_sr_model(path: str | os.PathLike, *, scale: int | None = None) -> tuple[nn.Module, CheckpointInfo]:
    """(module, CheckpointInfo) from our SR safetensors (read directly) or any SR checkpoint spandrel
    recognises. WeightsError for a missing, unsupported or non-SR file, or one whose scale is not ``scale``."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"SR model file not found: {path}")
    own = _read_own_sr(path)
    model: nn.Module
    if own is not None:
        model, found, architecture, source = own, own.scale, COMPACT_ARCHITECTURE, "irn-studio"
    else:
        try:
            from spandrel import ImageModelDescriptor, ModelLoader
        except Exception as exc:  # ImportError, or torchvision's RuntimeError when it does not match torch
            raise WeightsError(
                "loading third-party SR models needs spandrel and a torchvision that matches torch "
                f"(pip install -e '.[sr-models]'): {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ) from exc
        try:
            descriptor = ModelLoader().load_from_file(str(path))
        except Exception as exc:  # spandrel raises several types for unknown or broken files
            reason = (str(exc) or type(exc).__name__).splitlines()[0]
            raise WeightsError(f"{path.name} is not an SR model spandrel supports: {reason}") from exc
        if not isinstance(descriptor, ImageModelDescriptor):
            raise WeightsError(
                f"{path.name} is a {descriptor.architecture.name} inpainting model; expected super-resolution"
            )
        if descriptor.input_channels != 3 or descriptor.output_channels != 3:
            raise WeightsError(
                f"{path.name} maps {descriptor.input_channels} to {descriptor.output_channels} channels; "
                "expected an RGB (3 to 3) SR model"
            )
        model, found, architecture, source = (
            descriptor.model,
            descriptor.scale,
            descriptor.architecture.name,
            "spandrel",
        )
    if scale is not None and found != scale:
        raise WeightsError(f"{path.name} is a x{found} {architecture} model, but the comparison is at x{scale}")
    return model, CheckpointInfo(path=path, kind="sr", scale=found, architecture=architecture, source=source)


def save_sr(model: CompactSR, path: str | os.PathLike, *, half: bool = True, metadata: dict | None = None) -> Path:
    """Write our SR network as safetensors (fp16 when ``half``), atomically, with metadata."""
    meta: dict[str, object] = {
        "format": SR_FORMAT,
        "architecture": f"SRVGGNetCompact-{SR_FEATURES}nf-{SR_CONVS}nc",
        "scale": str(model.scale),
    }
    meta.update(metadata or {})
    return write_safetensors(model, path, half=half, metadata=meta)
