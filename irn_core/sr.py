"""Super-resolution baselines: our compact SR network and any checkpoint spandrel recognises.

Our network is the compact VGG-style design of Real-ESRGAN ("SRVGGNetCompact": a stack of 3x3
convolutions with PReLU at LR resolution, a pixel-shuffle upsampler, and the nearest-upsampled
input added as a residual). We implement and train it ourselves; its parameter names follow that
design's usual layout (``body.N``), so our safetensors files load through spandrel exactly like
third-party checkpoints: one loading path for every SR model.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .baselines import _Baseline
from .rescaler import Cancelled, pick_device, plan_tiles

SR_FEATURES = 48
SR_CONVS = 12
COMPACT_ARCHITECTURE = "SRVGGNetCompact"


class CompactSR(nn.Module):
    """(N, 3, h, w) in [0, 1] -> (N, 3, h*scale, w*scale). Conv-PReLU stack at LR size + pixel shuffle."""

    def __init__(self, *, scale: int, features: int = SR_FEATURES, convs: int = SR_CONVS):
        super().__init__()
        self.scale = scale
        layers: list[nn.Module] = [nn.Conv2d(3, features, 3, 1, 1), nn.PReLU(features)]
        for _ in range(convs):
            layers += [nn.Conv2d(features, features, 3, 1, 1), nn.PReLU(features)]
        layers.append(nn.Conv2d(features, 3 * scale * scale, 3, 1, 1))
        self.body = nn.ModuleList(layers)
        self.upsampler = nn.PixelShuffle(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for layer in self.body:
            out = layer(out)
        return self.upsampler(out) + F.interpolate(x, scale_factor=self.scale, mode="nearest")


def bundled_sr_path(scale: int) -> Path | None:
    from .weights import BUNDLED_WEIGHTS_DIR
    path = BUNDLED_WEIGHTS_DIR / f"sr_x{scale}.safetensors"
    return path if path.is_file() else None


class SRBaseline(_Baseline):
    """Bicubic down + an SR network up, with tiled inference for large images.

    model: a torch module mapping (N,3,h,w) -> (N,3,h*scale,w*scale); name: shown in tables.
    """

    def __init__(self, model: nn.Module, *, scale: int, name: str, device=None, tile_lr: int = 256, overlap: int = 8):
        super().__init__(scale=scale)
        self.device = pick_device(device)
        self.model = model.to(self.device).eval()
        self.name, self.tile_lr, self.overlap = name, tile_lr, overlap

    def upscale(self, lr: np.ndarray, *, output_size=None, cancel=None, progress=None, **_) -> np.ndarray:
        """(h, w, 3) LR in [0, 1] -> (h*scale, w*scale, 3), quantised to 8-bit levels."""
        s, ov = self.scale, self.overlap
        h, w = lr.shape[:2]
        x = torch.from_numpy(np.ascontiguousarray(lr, np.float32).transpose(2, 0, 1)).unsqueeze(0)
        out = torch.empty((1, 3, h * s, w * s))
        tiles = plan_tiles(h, w, self.tile_lr)
        for i, t in enumerate(tiles):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            r0, r1, c0, c1 = max(0, t.row0 - ov), min(h, t.row1 + ov), max(0, t.col0 - ov), min(w, t.col1 + ov)
            with torch.inference_mode():
                y = self.model(x[:, :, r0:r1, c0:c1].to(self.device)).float().cpu()
            out[:, :, t.row0 * s:t.row1 * s, t.col0 * s:t.col1 * s] = \
                y[:, :, (t.row0 - r0) * s:(t.row1 - r0) * s, (t.col0 - c0) * s:(t.col1 - c0) * s]
            if progress is not None:
                progress(i + 1, len(tiles))
        img = out[0].clamp(0, 1).permute(1, 2, 0).numpy()
        img = np.round(img * 255) / 255
        if output_size is not None:
            img = img[: output_size[0], : output_size[1]]
        return np.ascontiguousarray(img, dtype=np.float32)


SR_FORMAT = "irn-studio-sr"


def _read_own_sr(path: Path) -> CompactSR | None:
    """Our SR network from a safetensors file we wrote, or None when the file is something else.

    Reading our format directly skips spandrel's import (2 s of importing 1,300 modules under the
    GIL, which stalled the app's GUI thread for up to 200 ms at a time).
    """
    from .weights import WeightsError, read_state_dict
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
        raise ValueError(f"{path.name} says it is an IRN Studio SR model but does not load: "
                         f"{str(exc).splitlines()[0]}") from exc
    return model.eval()


def load_sr_model(path: str | os.PathLike, *, scale: int | None = None) -> tuple[nn.Module, int, str]:
    """(module, scale, architecture name) from our SR safetensors (read directly) or any SR
    checkpoint spandrel recognises.

    Raises ValueError for a missing, unsupported or non-SR file, or one whose scale differs from ``scale``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"SR model file not found: {path}")
    own = _read_own_sr(path)
    if own is not None:
        if scale is not None and own.scale != scale:
            raise ValueError(f"{path.name} is a x{own.scale} {COMPACT_ARCHITECTURE} model, "
                             f"but the comparison is at x{scale}")
        return own, own.scale, COMPACT_ARCHITECTURE
    try:
        from spandrel import ImageModelDescriptor, ModelLoader
    except ImportError as exc:
        raise ValueError(f"loading third-party SR models needs spandrel and torchvision: {exc}") from exc
    try:
        descriptor = ModelLoader().load_from_file(str(path))
    except Exception as exc:  # spandrel raises several types for unknown or broken files
        raise ValueError(f"{path.name} is not an SR model spandrel supports: {(str(exc) or type(exc).__name__).splitlines()[0]}") from exc
    if not isinstance(descriptor, ImageModelDescriptor):
        raise ValueError(f"{path.name} is a {descriptor.architecture.name} inpainting model, not super-resolution")
    if descriptor.input_channels != 3 or descriptor.output_channels != 3:
        raise ValueError(f"{path.name} maps {descriptor.input_channels} to {descriptor.output_channels} "
                         "channels; an RGB SR model is needed")
    if scale is not None and descriptor.scale != scale:
        raise ValueError(f"{path.name} is a x{descriptor.scale} {descriptor.architecture.name} model, "
                         f"but the comparison is at x{scale}")
    return descriptor.model, descriptor.scale, descriptor.architecture.name


def load_sr_baseline(path: str | os.PathLike | None, *, scale: int, device=None) -> SRBaseline:
    """An SRBaseline from ``path``, or from our bundled SR weights for ``scale`` when path is None."""
    if path is None:
        path = bundled_sr_path(scale)
        if path is None:
            raise FileNotFoundError(f"no bundled SR x{scale} weights; load an SR model from disk")
        name = "sr"
    else:
        name = Path(path).stem
    model, _, architecture = load_sr_model(path, scale=scale)
    return SRBaseline(model, scale=scale, name=name, device=device)


def save_sr(model: CompactSR, path: str | os.PathLike, *, half: bool = True, metadata: dict | None = None) -> Path:
    """Write our SR network as safetensors (fp16 when ``half``), atomically, with metadata."""
    from .weights import write_safetensors
    meta = {"format": SR_FORMAT, "architecture": f"SRVGGNetCompact-{SR_FEATURES}nf-{SR_CONVS}nc",
            "scale": str(model.scale)}
    meta.update(metadata or {})
    return write_safetensors(model, path, half=half, metadata=meta)
