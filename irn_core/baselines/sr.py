"""Bicubic down + a super-resolution network up: our compact SR net or any checkpoint spandrel loads."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..device import pick_device
from ..errors import WeightsError
from ..io.checkpoints import bundled_weights_path, load_sr_model
from ..ops.codecs import quantize_8bit
from ..ops.tiling import image_to_tensor, run_tiled, tensor_to_image
from .classic import BicubicDownscaled, crop_to


class SRBaseline(BicubicDownscaled):
    """Bicubic down + an SR network up, through the shared tile engine.

    model: a torch module mapping (N, 3, h, w) -> (N, 3, h*scale, w*scale); name: shown in tables.
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        scale: int,
        name: str,
        device: str | torch.device | None = None,
        tile_lr: int = 256,
        overlap: int = 8,
    ):
        super().__init__(scale=scale)
        self.device = pick_device(device)
        self.model = model.to(self.device).eval()
        self.name, self.tile_lr, self.overlap = name, tile_lr, overlap

    def upscale(self, lr, *, output_size=None, progress=None, cancel=None) -> np.ndarray:
        """(h, w, 3) LR in [0, 1] -> (h*scale, w*scale, 3) (or ``output_size``), quantised to 8-bit levels."""
        x = image_to_tensor(lr, "lr")
        h, w = x.shape[2:]
        out = run_tiled(
            lambda patch, _step: self.model(patch),
            x,
            lr_shape=(h, w),
            in_factor=1,
            out_factor=self.scale,
            out_channels=3,
            tile_lr=self.tile_lr,
            overlap=self.overlap,
            device=self.device,
            progress=progress,
            cancel=cancel,
        )
        return crop_to(quantize_8bit(tensor_to_image(out)), output_size)


def load_sr_baseline(
    path: str | os.PathLike | None, *, scale: int, device: str | torch.device | None = None
) -> SRBaseline:
    """An SRBaseline from ``path``, or from our bundled SR weights for ``scale`` when path is None."""
    if path is None:
        path = bundled_weights_path(scale, kind="sr")
        if path is None:
            raise WeightsError(
                f"no bundled SR x{scale} weights (expected sr_x{scale}.safetensors); load an SR model from disk"
            )
        name = "sr"
    else:
        name = Path(path).stem
    model, _info = load_sr_model(path, scale=scale)
    return SRBaseline(model, scale=scale, name=name, device=device)
