"""Validation during training: PSNR-Y/SSIM-Y with the paper's conventions, over z draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..io.images import list_images, read_image
from ..nn.irn import IRN
from ..ops.codecs import jpeg_roundtrip
from ..ops.metrics import mod_crop, psnr, ssim
from ..rescaler import IRNRescaler


def load_validation_images(folder: str | Path, *, scale: int, limit: int = 0) -> list[np.ndarray]:
    """HR images of ``folder``, mod-cropped to ``scale``; the first ``limit`` when limit > 0."""
    paths = list_images(folder)
    if limit:
        paths = paths[:limit]
    return [mod_crop(read_image(p).pixels, scale) for p in paths]


def validate(
    net: IRN,
    images: list[np.ndarray],
    *,
    draws: int,
    device: torch.device,
    temperature: float = 1.0,
    restorer: torch.nn.Module | None = None,
    jpeg_quality: int | None = None,
) -> tuple[float, float]:
    """Mean PSNR-Y and SSIM-Y over images and ``draws`` latent draws (seeds 0..draws-1), each LR stored
    as a JPEG of ``jpeg_quality`` (OpenCV, 4:2:0; None: lossless) and passed through ``restorer`` (a
    JPEG-robust model's compression-restoration module) before the reverse pass, as the model is used."""
    rescaler = IRNRescaler(net, device=device, precision="fp32", restorer=restorer)
    psnrs, ssims = [], []
    for hr in images:
        lr = jpeg_roundtrip(rescaler.downscale(hr), jpeg_quality)
        for seed in range(draws):
            restored = rescaler.upscale(lr, temperature=temperature, seed=seed, output_size=hr.shape[:2])
            psnrs.append(psnr(restored, hr, crop_border=net.scale, y_channel=True))
            ssims.append(ssim(restored, hr, crop_border=net.scale, y_channel=True))
    return float(np.mean(psnrs)), float(np.mean(ssims))
