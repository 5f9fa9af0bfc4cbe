"""IRNRescaler: IRN downscaling and latent-sampled upscaling of whole images.

Images in and out are numpy float32 (H, W, 3) RGB in [0, 1]; tensors stay inside.

Sizes that are not a multiple of the scale are mirror-padded on the bottom and right to the next
multiple; the LR image then covers the padded size, ceil(H/s) x ceil(W/s), and
``upscale(..., output_size=(H, W))`` or ``roundtrip`` crops the restored image back to the input's size.

Large images run through the tile engine (``ops.tiling``) so that memory stays bounded. The latent z is
the seed's field (``ops.latent``), the same at every position whatever the tiling or the region drawn.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import torch

from .device import available_memory_bytes, pick_device, precision_dtype, resolve_precision
from .errors import InvalidInputError
from .io.checkpoints import LoadedIRN, load_model, weights_fingerprint
from .nn.irn import IRN
from .nn.reduced_precision import reduced_precision_copy
from .ops.codecs import pad_to_multiple
from .ops.latent import draw_latent_into
from .ops.tiling import (
    CancelCheck,
    KnownTile,
    Priority,
    ProgressCallback,
    StepCallback,
    TileCallback,
    image_to_tensor,
    run_tiled,
    tensor_to_image,
)

# LR pixels of context a tile (or a large photo's first region) needs to equal the whole image's result within
# a level: with the bundled x2 and x4 weights on a photo, 8 differs from the whole image by at most 0.034 of an
# 8-bit level in the LR and restored pixels and 0.1 in z (4: up to 1.7 levels; 12: under 0.001; RESULTS.md).
# x8, not measured, keeps 16.
CONTEXT_LR = {2: 8, 4: 8, 8: 16}
MIN_TILE_HR = 256
# Peak bytes of activations per HR pixel of a tile: 410-550 measured (peak RSS of x2 and x4 passes over
# one 1024x1024 tile, fp32 and bf16, on CPU).
ACTIVATION_BYTES_PER_HR_PIXEL = 500
# On CPU a tile's activations get at most 1 GiB (a quarter of free memory when less), which keeps a
# 4000x3000 x4 round trip under 2.5 GiB; larger tiles would only save overlap (about 20% at 1408).
CPU_TILE_BUDGET_BYTES = 2**30
CPU_TILE_MEMORY_SHARE = 0.25


class IRNRescaler:
    """Runs an IRN on whole images: ``encode``, ``downscale``, ``upscale`` and ``roundtrip``.

    net: an IRN (from build_irn or load_irn) or a ``LoadedIRN`` (load_model); moved to ``device`` (auto: CUDA,
        MPS, CPU).
    precision: "auto" (bf16 on CPUs with native bf16, fp16 on CUDA, else fp32; see
        ``device.resolve_precision``), "fp32", "bf16" or "fp16" (only on CUDA). bf16 falls back to fp32
        with a RuntimeWarning where it is not native. Reduced precision applies to the dense blocks
        (``nn.reduced_precision.reduced_precision_copy``); the caller's ``net`` keeps its float32 weights.
    tile_hr: largest tile edge in HR pixels; None sizes tiles from free memory (see CPU_TILE_BUDGET_BYTES;
        on CUDA half the free memory).
    overlap: LR pixels of context around each tile; None: ``CONTEXT_LR`` of the scale.
    restorer: a JPEG-robust model's compression-restoration module: every LR is passed through it before the
        reverse pass (it was trained on lossless LRs too). None: the one the loaded file brought
        (``net.restorer``), so a JPEG-robust file is never run without its restorer.
    On Linux, a program that runs large images should call ``irn_core.device.keep_freed_memory()`` once
    (the CLI and the app do): it changes the process's allocator, so the library leaves that choice to it.
    The rescaler keeps no per-call state: calls may come from any one thread at a time.
    """

    def __init__(
        self,
        net: IRN | LoadedIRN,
        *,
        device: str | torch.device | None = None,
        precision: str = "auto",
        tile_hr: int | None = None,
        overlap: int | None = None,
        restorer: torch.nn.Module | None = None,
    ):
        if isinstance(net, LoadedIRN):
            net = net.net
        if restorer is None:
            restorer = net.restorer
        self.device = pick_device(device)
        self.precision, note = resolve_precision(precision, self.device)
        if note:
            warnings.warn(note, RuntimeWarning, stacklevel=2)
        net.to(self.device)
        self.source_net = net  # float32 as given: the fingerprint names these weights
        if self.precision != "fp32":
            net = reduced_precision_copy(net, precision_dtype(self.precision))
        # channels_last: about 1.4x faster convolutions on CPU (measured in docs/RESULTS.md).
        self.net = net.to(memory_format=torch.channels_last).eval()
        self.scale: int = net.scale
        self.overlap = CONTEXT_LR[self.scale] if overlap is None else overlap
        self.restorer = None if restorer is None else restorer.to(self.device).eval()
        # An explicit tile_hr bounds the tile edge; otherwise memory bounds a patch's area.
        self.tile_lr = max(8, (tile_hr or 2**20) // self.scale)
        self.max_patch_lr_pixels: int | None = None if tile_hr else self._auto_patch_lr_pixels()

    @functools.cached_property
    def fingerprint(self) -> str:
        """The weights' fingerprint (as LR files record it), computed once."""
        return weights_fingerprint(self.source_net)

    @property
    def latent_channels(self) -> int:
        return 3 * self.scale**2 - 3

    def _auto_patch_lr_pixels(self) -> int:
        if self.device.type == "cuda":
            free, _total = torch.cuda.mem_get_info(self.device)
            budget = 0.5 * free
        else:
            available = available_memory_bytes()
            budget = min(CPU_TILE_BUDGET_BYTES, CPU_TILE_MEMORY_SHARE * available if available else 2**40)
        return max(MIN_TILE_HR**2, int(budget / ACTIVATION_BYTES_PER_HR_PIXEL)) // self.scale**2

    def _net_fn(self, *, rev: bool):
        def apply(patch: torch.Tensor, step: StepCallback) -> torch.Tensor:
            return self.net(patch.contiguous(memory_format=torch.channels_last), rev=rev, on_step=step)

        return apply

    def encode(
        self,
        hr: np.ndarray,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        known: KnownTile | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Forward pass: (H, W, 3) HR -> (LR (h, w, 3) quantised to 8-bit levels, z (C, h, w)).

        z is the latent the forward pass produced (the "oracle z"), float32, C = 3*scale**2 - 3.
        known: a part computed before (its LR tile, and LR and z there as (1, 3 + C, rows, cols)), reused.
        """
        image_to_tensor(hr, "hr")  # shape check before padding, with the message users see
        x = image_to_tensor(pad_to_multiple(hr, self.scale), "hr")
        lr_shape = (x.shape[2] // self.scale, x.shape[3] // self.scale)
        out = run_tiled(
            self._net_fn(rev=False),
            x,
            lr_shape=lr_shape,
            in_factor=self.scale,
            out_factor=1,
            out_channels=3 * self.scale**2,
            tile_lr=self.tile_lr,
            max_patch_pixels=self.max_patch_lr_pixels,
            overlap=self.overlap,
            device=self.device,
            progress=progress,
            cancel=cancel,
            known=known,
        )
        lr = torch.round(out[0, :3].clamp(0, 1) * 255) / 255
        return lr.permute(1, 2, 0).contiguous().numpy(), out[0, 3:].contiguous().numpy()

    def downscale(
        self, hr: np.ndarray, *, progress: ProgressCallback | None = None, cancel: CancelCheck | None = None
    ) -> np.ndarray:
        """(H, W, 3) HR -> (ceil(H/s), ceil(W/s), 3) LR in [0, 1], quantised to 8-bit levels."""
        return self.encode(hr, progress=progress, cancel=cancel)[0]

    def draw_latent(
        self,
        lr_height: int,
        lr_width: int,
        *,
        temperature: float = 1.0,
        seed: int | None = None,
        top: int = 0,
        left: int = 0,
    ) -> np.ndarray:
        """z ~ N(0, temperature^2 I) of shape (3*scale**2 - 3, lr_height, lr_width): LR rows top.. and columns
        left.. of ``seed``'s latent field (``ops.latent``; None: a random seed). A region's draw equals the
        same region of a whole image's."""
        z = torch.empty((self.latent_channels, lr_height, lr_width))
        draw_latent_into(z, temperature=temperature, seed=seed, top=top, left=left)
        return z.numpy()

    def upscale(
        self,
        lr: np.ndarray,
        *,
        temperature: float = 1.0,
        seed: int | None = None,
        z: np.ndarray | None = None,
        output_size: tuple[int, int] | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        on_tile: TileCallback | None = None,
        priority: Priority = None,
        known: KnownTile | None = None,
    ) -> np.ndarray:
        """(h, w, 3) LR -> (h*s, w*s, 3) HR in [0, 1] (or ``output_size``, cropped from the top left).

        z: a latent of shape (3*s**2 - 3, h, w), e.g. from ``encode``; otherwise one is drawn
        with ``temperature`` and ``seed``. on_tile(tile, pixels) receives each finished part
        (pixels: (rows, cols, 3) HR) for progressive display; ``priority`` (LR row, col, or a function
        asked before each tile) makes the tiles nearest it run first. known: a part restored before with
        the same LR and z (its LR tile and (1, 3, rows*s, cols*s) pixels), reused instead of recomputed.
        """
        y = image_to_tensor(lr, "lr")
        h, w = y.shape[2:]
        if temperature < 0:
            raise InvalidInputError(f"temperature must be >= 0, got {temperature}")
        if z is not None and np.shape(z) != (self.latent_channels, h, w):
            raise InvalidInputError(f"z must have shape {(self.latent_channels, h, w)} for this LR, got {np.shape(z)}")
        if output_size is not None:
            oh, ow = output_size
            if not (0 < oh <= h * self.scale and 0 < ow <= w * self.scale):
                raise InvalidInputError(
                    f"output_size {tuple(output_size)} must fit in the restored {(h * self.scale, w * self.scale)}"
                )
        # LR and z in one buffer; a drawn z is drawn straight into it (the same values as draw_latent)
        source = torch.empty((1, 3 + self.latent_channels, h, w))
        source[:, :3] = y if self.restorer is None else self._restore_compressed(y, cancel)
        if z is None:
            draw_latent_into(source[0, 3:], temperature=temperature, seed=seed)
        else:
            source[0, 3:] = torch.from_numpy(np.asarray(z, dtype=np.float32))
        out = run_tiled(
            self._net_fn(rev=True),
            source,
            lr_shape=(h, w),
            in_factor=1,
            out_factor=self.scale,
            out_channels=3,
            tile_lr=self.tile_lr,
            max_patch_pixels=self.max_patch_lr_pixels,
            overlap=self.overlap,
            device=self.device,
            progress=progress,
            cancel=cancel,
            on_tile=on_tile,
            priority=priority,
            known=known,
        )
        del source
        if output_size is not None:
            out = out[:, :, : output_size[0], : output_size[1]]
        return tensor_to_image(out)

    def _restore_compressed(self, y: torch.Tensor, cancel: CancelCheck | None) -> torch.Tensor:
        restorer = self.restorer
        assert restorer is not None
        out = run_tiled(
            lambda patch, _step: restorer(patch),
            y,
            lr_shape=(y.shape[2], y.shape[3]),
            in_factor=1,
            out_factor=1,
            out_channels=3,
            tile_lr=512,
            overlap=8,
            device=self.device,
            cancel=cancel,
        )
        return out.clamp_(0, 1)

    @classmethod
    def from_weights(cls, weights: str | None = None, *, scale: int | None = None, **options) -> IRNRescaler:
        """A rescaler for a weights file or bundled name (None: the bundled model of ``scale``), with its
        compression-restoration module when the file holds one."""
        return cls(load_model(weights, scale=scale), **options)

    def roundtrip(
        self,
        hr: np.ndarray,
        *,
        temperature: float = 1.0,
        seed: int | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Downscale then upscale with a drawn z: returns (LR, restored HR of the input's size)."""
        half = None if progress is None else (lambda d, t: progress(d, 2 * t))
        lr = self.downscale(hr, progress=half, cancel=cancel)
        second = None if progress is None else (lambda d, t: progress(t + d, 2 * t))
        restored = self.upscale(
            lr, temperature=temperature, seed=seed, output_size=hr.shape[:2], progress=second, cancel=cancel
        )
        return lr, restored
