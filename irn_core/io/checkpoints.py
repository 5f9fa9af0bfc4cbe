"""The one checkpoint loader: says what a file is (IRN or SR, scale, source) and loads it.

IRN: official ``.pth`` checkpoints (plain state_dicts, optionally wrapped as ``{"state_dict": ...}``
or with a ``module.`` prefix from DataParallel) and our ``.safetensors``, whose metadata records the
scale, the architecture and how the weights were trained. SR: our compact SR safetensors (read
directly) and any checkpoint spandrel recognises. ``describe_checkpoint`` returns a
``CheckpointInfo`` in the spirit of spandrel's model descriptors, so callers never guess.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ..errors import WeightsError
from ..nn.crm import CRM_ARCHITECTURE, CompressionRestorer
from ..nn.irn import ARCHITECTURE, IRN, SUPPORTED_SCALES, build_irn, official_haar_weights
from .sr_checkpoints import SR_FORMAT, load_sr_model, save_sr
from .weight_files import (
    CheckpointInfo,
    check_finite,
    read_state_dict,
    state_fingerprint,
    weights_fingerprint,
    write_safetensors,
)

# The IRN loader is the one entry point: what a file is, for IRN and SR alike, is asked here.
__all__ = [
    "BUNDLED_WEIGHTS_DIR",
    "CRM_PREFIX",
    "FORMAT_NAME",
    "SR_FORMAT",
    "CheckpointInfo",
    "LoadedIRN",
    "bundled_weights_path",
    "checkpoint_scale",
    "describe_checkpoint",
    "load_irn",
    "load_model",
    "load_restorer",
    "load_sr_model",
    "model_name",
    "read_state_dict",
    "resolve_weights",
    "save_irn",
    "save_sr",
    "state_fingerprint",
    "weights_fingerprint",
    "write_safetensors",
]

log = logging.getLogger(__name__)

FORMAT_NAME = "irn-studio"
DEFAULT_SCALE = 4


_HAAR_KEY = re.compile(r"^operations\.(\d+)\.haar_weights$")


def _scale_from_state_dict(state: dict[str, torch.Tensor]) -> int:
    haar_stages = sum(1 for key in state if _HAAR_KEY.match(key))
    if haar_stages == 0:
        sample = ", ".join(list(state)[:3]) or "no tensors"
        raise WeightsError(
            "this is not an IRN checkpoint: it has no 'operations.N.haar_weights' entries "
            f"(found {len(state)} tensors, e.g. {sample})"
        )
    return 2**haar_stages


def checkpoint_scale(path: str | os.PathLike) -> int:
    """The scale (2, 4, 8) of the IRN checkpoint at ``path``; WeightsError if it is not one."""
    state, _ = read_state_dict(path)
    return _scale_from_state_dict(state)


def load_irn(path: str | os.PathLike | None = None, *, scale: int | None = None) -> IRN:
    """Build an IRN from an official ``.pth`` checkpoint or our ``.safetensors`` weights (or a bundled name
    such as "irn_x2_jpeg"), reading the file once.

    path None: the bundled weights for ``scale`` (default x4), from any working directory.
    The scale is read from the file (its number of Haar stages); when ``scale`` is given
    and differs, WeightsError says both. Loading is strict: a missing or unexpected
    tensor is an error, and so is a tensor that is not finite. Returns the model in eval mode, on the CPU,
    float32, with ``net.metadata`` (the file's record) and ``net.restorer``: a JPEG-robust file's
    compression-restoration module, else None. ``IRNRescaler(net)`` uses that restorer, so a JPEG-robust
    file is never run without it. ``load_model`` returns the same as a descriptor.
    """
    return load_model(path, scale=scale).net


@dataclass(frozen=True)
class LoadedIRN:
    """An IRN weights file read once, with what it is (in spandrel's manner of model descriptors).

    net: the IRN (float32, eval, CPU). restorer: a JPEG-robust file's compression-restoration module, else
    None. source: "bundled", "irn-studio" or "official". metadata: the file's training record (empty for an
    official .pth). fingerprint: ``weights_fingerprint(net)``, as LR files record it.
    """

    path: Path
    net: IRN
    restorer: CompressionRestorer | None
    source: str
    metadata: dict[str, str]

    @functools.cached_property
    def fingerprint(self) -> str:  # hashing every tensor takes a moment: only when asked
        return weights_fingerprint(self.net)

    @property
    def scale(self) -> int:
        return self.net.scale

    @property
    def jpeg_robust(self) -> bool:
        return self.restorer is not None

    @property
    def label(self) -> str:
        return model_name(self.net, self.path) + (", JPEG-robust" if self.jpeg_robust else "")


def load_model(path: str | os.PathLike | None = None, *, scale: int | None = None) -> LoadedIRN:
    """Read an IRN weights file (a path, a bundled name, or None: the bundled model of ``scale``, default
    x4) once and return the whole model: the IRN and, for a JPEG-robust file, its restorer. WeightsError
    for a file that is not an IRN of ``scale``, does not match the architecture, or holds non-finite
    values."""
    path = resolve_weights(path, DEFAULT_SCALE if scale is None and path is None else scale)
    state, metadata = read_state_dict(path)
    check_finite(state, path)
    own = {k: v for k, v in state.items() if not k.startswith(CRM_PREFIX)}
    found_scale = _scale_from_state_dict(own)
    if found_scale not in SUPPORTED_SCALES:
        raise WeightsError(f"{path} holds an IRN of scale {found_scale}; supported: {SUPPORTED_SCALES}")
    if scale is not None and scale != found_scale:
        raise WeightsError(f"{path} is an IRN x{found_scale} checkpoint, but x{scale} was asked for")
    net = build_irn(found_scale)
    try:
        net.load_state_dict(own, strict=True)
    except RuntimeError as exc:
        raise WeightsError(
            f"{path} does not match the IRN x{found_scale} architecture: {str(exc).splitlines()[0]}"
        ) from exc
    for name, buffer in net.named_buffers():
        if name.endswith("haar_weights") and not torch.equal(buffer, official_haar_weights(buffer.shape[0] // 4)):
            raise WeightsError(f"{path}: {name} is not the fixed Haar filter bank")
    restorer = _restorer_from_state(state, path)
    # Plain attributes, not submodules: the IRN's state_dict (and so its fingerprint) stays the official one.
    object.__setattr__(net, "metadata", metadata)
    object.__setattr__(net, "restorer", restorer)
    net.eval()
    bundled = path.resolve().parent == BUNDLED_WEIGHTS_DIR.resolve()
    source = "bundled" if bundled else ("irn-studio" if metadata.get("format") == FORMAT_NAME else "official")
    return LoadedIRN(path=path, net=net, restorer=restorer, source=source, metadata=metadata)


CRM_PREFIX = "crm."


def _restorer_from_state(state: dict[str, torch.Tensor], path: Path) -> CompressionRestorer | None:
    own = {k[len(CRM_PREFIX) :]: v for k, v in state.items() if k.startswith(CRM_PREFIX)}
    if not own:
        return None
    restorer = CompressionRestorer()
    try:
        restorer.load_state_dict(own, strict=True)
    except RuntimeError as exc:
        raise WeightsError(f"{path}: its crm.* tensors do not match {CRM_ARCHITECTURE}: {exc}") from exc
    return restorer.eval()


def load_restorer(path: str | os.PathLike | None) -> CompressionRestorer | None:
    """The compression-restoration module a JPEG-robust weights file holds (tensors ``crm.*``), else None."""
    if path is None:
        return None
    path = Path(path)
    state, _ = read_state_dict(path)
    return _restorer_from_state(state, path)


def save_irn(
    net: IRN,
    path: str | os.PathLike,
    *,
    half: bool = True,
    metadata: dict[str, object] | None = None,
    restorer: CompressionRestorer | None = None,
) -> Path:
    """Write ``net`` as safetensors (fp16 when ``half``) with scale and architecture metadata; with a
    ``restorer``, a JPEG-robust model: its tensors as ``crm.*`` beside the IRN's, unchanged names."""
    meta: dict[str, object] = {"format": FORMAT_NAME, "scale": str(net.scale), "architecture": ARCHITECTURE}
    module: nn.Module = net
    if restorer is not None:
        module = nn.Module()
        module.operations = net.operations
        module.crm = restorer
        meta |= {"jpeg_robust": "true", "crm_architecture": CRM_ARCHITECTURE}
    meta.update(metadata or {})
    return write_safetensors(module, path, half=half, metadata=meta)


def _bundled_weights_dir() -> Path:
    # An installed wheel carries the files as package data (irn_core/weights); a source checkout
    # keeps them in resources/weights, which pyproject.toml maps onto irn_core.weights.
    packaged = Path(__file__).resolve().parent.parent / "weights"
    if any(packaged.glob("*.safetensors")):
        return packaged
    return Path(__file__).resolve().parents[2] / "resources" / "weights"


BUNDLED_WEIGHTS_DIR = _bundled_weights_dir()
# A bundled model is named by letters, digits and underscores only: "../x" never leaves the folder.
_BUNDLED_NAME = re.compile(r"[A-Za-z0-9_]+")


def bundled_weights_path(scale: int, *, kind: str = "irn", variant: str = "") -> Path | None:
    """The bundled ``{kind}_x{scale}[_{variant}].safetensors`` (kind "irn" or "sr"; variant "jpeg" for the
    JPEG-robust IRN) when we ship it, else None."""
    path = BUNDLED_WEIGHTS_DIR / f"{kind}_x{scale}{'_' + variant if variant else ''}.safetensors"
    return path if path.is_file() else None


def resolve_weights(weights: str | os.PathLike | None, scale: int | None) -> Path:
    """The IRN weights file to use: ``weights`` if given (a path, or the name of a bundled model such as
    "irn_x2_jpeg"), else the bundled file for ``scale``."""
    if weights:
        text = str(weights)
        if not Path(weights).exists() and _BUNDLED_NAME.fullmatch(text):
            named = BUNDLED_WEIGHTS_DIR / f"{text}.safetensors"
            if named.is_file():
                return named
        return Path(weights)
    if scale is None:
        raise WeightsError("no scale and no weights file given: expected one of them")
    path = bundled_weights_path(scale)
    if path is None:
        raise WeightsError(
            f"no bundled IRN x{scale} weights in {BUNDLED_WEIGHTS_DIR}; expected irn_x{scale}.safetensors "
            "there, or a weights file (an official .pth or our .safetensors)"
        )
    return path


def model_name(net: IRN, path: str | os.PathLike) -> str:
    """A short label for a loaded model: its file name and scale."""
    return f"{Path(path).name} (IRN x{net.scale})"


def describe_checkpoint(path: str | os.PathLike) -> CheckpointInfo:
    """What the checkpoint at ``path`` is: an IRN (ours, bundled or official) or an SR model.

    Reads the tensors (torch work: call it off a GUI thread). WeightsError when it is neither.
    """
    path = Path(path)
    try:
        state, metadata = read_state_dict(path)
    except WeightsError:
        if path.is_file() and path.suffix.lower() != ".safetensors":
            return load_sr_model(path)[1]  # spandrel reads formats we do not
        raise
    if any(_HAAR_KEY.match(key) for key in state):
        bundled = path.resolve().parent == BUNDLED_WEIGHTS_DIR.resolve()
        source = "bundled" if bundled else ("irn-studio" if metadata.get("format") == FORMAT_NAME else "official")
        return CheckpointInfo(
            path=path, kind="irn", scale=_scale_from_state_dict(state), architecture=ARCHITECTURE, source=source
        )
    return load_sr_model(path)[1]
