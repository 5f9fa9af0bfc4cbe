"""IRNRescaler: IRN downscaling and latent-sampled upscaling of whole images.

Images in and out are numpy float32 (H, W, 3) RGB in [0, 1]; tensors stay inside.

Sizes that are not a multiple of the scale are reflect-padded on the bottom and right to
the next multiple (edge-replicated when the image is too small to reflect); the LR image
then covers the padded size, ceil(H/s) x ceil(W/s), and ``upscale(..., output_size=(H, W))``
or ``roundtrip`` crops the restored image back to the input's size.

Large images run in overlapping tiles so that memory stays bounded; each tile is computed
with ``overlap`` extra LR pixels of context on every side, which are then discarded. The
latent z is drawn once for the whole image, so tiling does not change which z is used.
"""
from __future__ import annotations

import math
import secrets
import warnings
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol

import numpy as np
import torch
import torch.nn.functional as F

ProgressCallback = Callable[[int, int], None]
TileCallback = Callable[["Tile", np.ndarray], None]

DEFAULT_CPU_TILE_HR = 1024
DEFAULT_OVERLAP_LR = 16


class Cancelled(Exception):
    """Raised when a cancel check reports that the caller no longer wants the result."""


class CancelCheck(Protocol):
    def is_set(self) -> bool: ...


def pick_device(requested: str | torch.device | None = None) -> torch.device:
    """CUDA when available, then Apple MPS, then CPU; or the device asked for."""
    if requested not in (None, "auto"):
        return torch.device(requested)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


NO_FAST_BF16_MESSAGE = ("this CPU has no fast bf16 (it needs AVX-512): bf16 would run about 10x slower than fp32, "
                        "so fp32 is used")


def bf16_is_fast(device: torch.device) -> bool:
    """Whether bf16 autocast speeds ``device`` up rather than slowing it down.

    GPUs have bf16 kernels. On CPUs oneDNN needs AVX-512 (or Arm bf16): without it, bf16
    convolutions fall back to reference code, measured ~10x slower than fp32 for an IRN training
    step on an AVX2-only AMD EPYC (docs/RESULTS.md).
    """
    if device.type != "cpu":
        return True
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def device_description(device: torch.device) -> str:
    """A human name for a device: the GPU's name, or the CPU's thread count."""
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "GPU: Apple MPS"
    return f"CPU ({torch.get_num_threads()} threads)"


@dataclass(frozen=True)
class Tile:
    """A tile in LR pixel coordinates: the core [row0, row1) x [col0, col1) it produces."""

    row0: int
    row1: int
    col0: int
    col1: int


def plan_tiles(lr_height: int, lr_width: int, tile: int, *,
               priority: tuple[float, float] | None = None) -> list[Tile]:
    """Split an LR grid into tiles of at most ``tile`` x ``tile``; nearest ``priority`` (row, col) first."""
    tiles = [Tile(r, min(r + tile, lr_height), c, min(c + tile, lr_width))
             for r in range(0, lr_height, tile) for c in range(0, lr_width, tile)]
    if priority is not None:
        pr, pc = priority
        tiles.sort(key=lambda t: (max(t.row0 - pr, 0, pr - t.row1) ** 2 + max(t.col0 - pc, 0, pc - t.col1) ** 2))
    return tiles


def _to_tensor(img: np.ndarray, name: str) -> torch.Tensor:
    if not isinstance(img, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(img).__name__}")
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"{name} must be (H, W, 3) RGB, got shape {img.shape}")
    if img.shape[0] < 1 or img.shape[1] < 1:
        raise ValueError(f"{name} is empty: shape {img.shape}")
    return torch.from_numpy(np.ascontiguousarray(img, dtype=np.float32).transpose(2, 0, 1)).unsqueeze(0)


def _pad_to_multiple(x: torch.Tensor, multiple: int) -> torch.Tensor:
    h, w = x.shape[-2:]
    pad_h, pad_w = (-h) % multiple, (-w) % multiple
    if not (pad_h or pad_w):
        return x
    mode = "reflect" if pad_h < h and pad_w < w else "replicate"
    return F.pad(x, (0, pad_w, 0, pad_h), mode=mode)


class IRNRescaler:
    """Runs an IRN on whole images: ``downscale``, ``upscale`` and ``roundtrip``.

    net: an IRN (from build_irn or load_irn); moved to ``device`` (auto: CUDA, MPS, CPU).
    precision: "fp32", "bf16" or "fp16" (autocast; fp16 only on CUDA; bf16 falls back to fp32 with a
        RuntimeWarning on CPUs without fast bf16, see ``bf16_is_fast``).
    tile_hr: tile edge in HR pixels; None picks it from free GPU memory, or 1024 on CPU.
    overlap: LR pixels of context around each tile.
    The rescaler keeps no per-call state: calls may come from any one thread at a time.
    """

    def __init__(self, net: torch.nn.Module, *, device: str | torch.device | None = None,
                 precision: str = "fp32", tile_hr: int | None = None, overlap: int = DEFAULT_OVERLAP_LR):
        if precision not in ("fp32", "bf16", "fp16"):
            raise ValueError(f"precision must be fp32, bf16 or fp16, got {precision!r}")
        self.device = pick_device(device)
        if precision == "fp16" and self.device.type != "cuda":
            raise ValueError("fp16 needs a CUDA device; use bf16 on CPU")
        if precision == "bf16" and not bf16_is_fast(self.device):
            warnings.warn(NO_FAST_BF16_MESSAGE, RuntimeWarning, stacklevel=2)
            precision = "fp32"
        # channels_last: about 1.4x faster convolutions on CPU (measured in docs/RESULTS.md).
        self.net = net.to(self.device).to(memory_format=torch.channels_last).eval()
        self.scale: int = int(net.scale)
        self.precision = precision
        self.overlap = overlap
        self.tile_lr = max(8, (tile_hr or self._auto_tile_hr()) // self.scale)

    @property
    def latent_channels(self) -> int:
        return 3 * self.scale ** 2 - 3

    def _auto_tile_hr(self) -> int:
        if self.device.type != "cuda":
            return DEFAULT_CPU_TILE_HR
        free, _total = torch.cuda.mem_get_info(self.device)
        # About 600 bytes of activations per HR pixel in the widest dense block (fp32).
        return max(256, int(math.sqrt(0.5 * free / 600)))

    def _autocast(self):
        if self.precision == "fp32":
            return torch.autocast(self.device.type, enabled=False)
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    def _run_tiles(self, source: torch.Tensor, *, rev: bool, out_channels: int, lr_shape: tuple[int, int],
                   progress, cancel, on_tile, priority) -> torch.Tensor:
        s, ov = self.scale, self.overlap
        lr_h, lr_w = lr_shape
        in_factor, out_factor = (1, s) if rev else (s, 1)
        out = torch.empty((1, out_channels, lr_h * out_factor, lr_w * out_factor))
        tiles = plan_tiles(lr_h, lr_w, self.tile_lr, priority=priority)
        for done, t in enumerate(tiles):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            r0, r1 = max(0, t.row0 - ov), min(lr_h, t.row1 + ov)
            c0, c1 = max(0, t.col0 - ov), min(lr_w, t.col1 + ov)
            patch = source[:, :, r0 * in_factor:r1 * in_factor, c0 * in_factor:c1 * in_factor]
            with torch.inference_mode(), self._autocast():
                result = self.net(patch.to(self.device).contiguous(memory_format=torch.channels_last), rev=rev)
            if rev:
                result = result[:, :3]
            result = result.float().cpu()
            core = result[:, :, (t.row0 - r0) * out_factor:(t.row1 - r0) * out_factor,
                          (t.col0 - c0) * out_factor:(t.col1 - c0) * out_factor]
            out[:, :, t.row0 * out_factor:t.row1 * out_factor, t.col0 * out_factor:t.col1 * out_factor] = core
            if on_tile is not None:
                on_tile(t, core[0, :3].clamp(0, 1).permute(1, 2, 0).numpy())
            if progress is not None:
                progress(done + 1, len(tiles))
        return out

    def encode(self, hr: np.ndarray, *, progress: ProgressCallback | None = None,
               cancel: CancelCheck | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Forward pass: (H, W, 3) HR -> (LR (h, w, 3) quantised to 8-bit levels, z (C, h, w)).

        z is the latent the forward pass produced (the "oracle z"), float32, C = 3*scale**2 - 3.
        """
        x = _pad_to_multiple(_to_tensor(hr, "hr"), self.scale)
        lr_shape = (x.shape[2] // self.scale, x.shape[3] // self.scale)
        out = self._run_tiles(x, rev=False, out_channels=3 * self.scale ** 2, lr_shape=lr_shape,
                              progress=progress, cancel=cancel, on_tile=None, priority=None)
        lr = torch.round(out[0, :3].clamp(0, 1) * 255) / 255
        return lr.permute(1, 2, 0).contiguous().numpy(), out[0, 3:].contiguous().numpy()

    def downscale(self, hr: np.ndarray, *, progress: ProgressCallback | None = None,
                  cancel: CancelCheck | None = None) -> np.ndarray:
        """(H, W, 3) HR -> (ceil(H/s), ceil(W/s), 3) LR in [0, 1], quantised to 8-bit levels."""
        return self.encode(hr, progress=progress, cancel=cancel)[0]

    def draw_latent(self, lr_height: int, lr_width: int, *, temperature: float = 1.0,
                    seed: int | None = None) -> np.ndarray:
        """z ~ N(0, temperature^2 I) of shape (3*scale**2 - 3, h, w), from a generator seeded by ``seed``."""
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        generator = torch.Generator().manual_seed(secrets.randbits(63) if seed is None else int(seed))
        z = torch.randn((self.latent_channels, lr_height, lr_width), generator=generator) * temperature
        return z.numpy()

    def upscale(self, lr: np.ndarray, *, temperature: float = 1.0, seed: int | None = None,
                z: np.ndarray | None = None, output_size: tuple[int, int] | None = None,
                progress: ProgressCallback | None = None, cancel: CancelCheck | None = None,
                on_tile: TileCallback | None = None,
                priority: tuple[float, float] | None = None) -> np.ndarray:
        """(h, w, 3) LR -> (h*s, w*s, 3) HR in [0, 1] (or ``output_size``, cropped from the top left).

        z: a latent of shape (3*s**2 - 3, h, w), e.g. from ``encode``; otherwise one is drawn
        with ``temperature`` and ``seed``. on_tile(tile, pixels) receives each finished part
        (pixels: (rows, cols, 3) HR) for progressive display; ``priority`` (LR row, col)
        makes the tiles nearest it run first.
        """
        y = _to_tensor(lr, "lr")
        h, w = y.shape[2:]
        if z is None:
            z = self.draw_latent(h, w, temperature=temperature, seed=seed)
        z = np.asarray(z, dtype=np.float32)
        if z.shape != (self.latent_channels, h, w):
            raise ValueError(f"z must have shape {(self.latent_channels, h, w)} for this LR, got {z.shape}")
        source = torch.cat((y, torch.from_numpy(z).unsqueeze(0)), 1)
        out = self._run_tiles(source, rev=True, out_channels=3, lr_shape=(h, w),
                              progress=progress, cancel=cancel, on_tile=on_tile, priority=priority)
        hr = out[0].clamp(0, 1).permute(1, 2, 0)
        if output_size is not None:
            oh, ow = output_size
            if not (0 < oh <= hr.shape[0] and 0 < ow <= hr.shape[1]):
                raise ValueError(f"output_size {output_size} must fit in the restored {tuple(hr.shape[:2])}")
            hr = hr[:oh, :ow]
        return hr.contiguous().numpy()

    def roundtrip(self, hr: np.ndarray, *, temperature: float = 1.0, seed: int | None = None,
                  progress: ProgressCallback | None = None,
                  cancel: CancelCheck | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Downscale then upscale with a drawn z: returns (LR, restored HR of the input's size)."""
        half = None if progress is None else (lambda d, t: progress(d, 2 * t))
        lr = self.downscale(hr, progress=half, cancel=cancel)
        second = None if progress is None else (lambda d, t: progress(t + d, 2 * t))
        restored = self.upscale(lr, temperature=temperature, seed=seed, output_size=hr.shape[:2],
                                progress=second, cancel=cancel)
        return lr, restored
