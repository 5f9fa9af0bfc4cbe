"""Training the compression-restoration module of a JPEG-robust IRN (the official IRN-CRM's first stage).

The IRN stays fixed. Its LR of every training image is computed once; each step crops LRs, stores
most of them as JPEG at a random quality (Pillow-like 4:2:0 chroma, through OpenCV) and some losslessly,
and teaches the module to give back the LR IRN wrote (L1). Exported with the IRN as one weights file.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from ..errors import ConfigError
from ..io.checkpoints import load_irn, resolve_weights, save_irn, weights_fingerprint
from ..io.images import list_images, read_image
from ..nn.crm import CompressionRestorer
from ..ops.codecs import pad_to_multiple
from ..rescaler import IRNRescaler
from .engine import CsvLog

JPEG_BLOCK = 16  # crops on the JPEG 4:2:0 macroblock grid


def _jpeg(lr: np.ndarray, quality: int) -> np.ndarray:
    """(h, w, 3) uint8 RGB through a JPEG file of ``quality`` and back."""
    ok, data = cv2.imencode(".jpg", lr[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG")
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if decoded is None:
        raise RuntimeError("OpenCV could not decode a JPEG it encoded")
    return decoded[:, :, ::-1]


def irn_lrs(rescaler: IRNRescaler, folder: str | Path, *, limit: int = 0) -> list[np.ndarray]:
    """IRN's 8-bit LR (uint8 (h, w, 3)) of every image in ``folder``."""
    lrs = []
    for path in list_images(folder)[: limit or None]:
        hr = read_image(path).pixels
        lrs.append(np.round(rescaler.downscale(pad_to_multiple(hr, rescaler.scale)) * 255).astype(np.uint8))
    if not lrs:
        raise ConfigError(f"no training images in {folder}")
    return lrs


def train_restorer(
    *,
    data: str | Path,
    out: str | Path,
    weights: str | None = None,
    scale: int = 2,
    iters: int = 2000,
    batch: int = 16,
    crop: int = 64,
    qualities: tuple[int, int] = (75, 95),
    lossless_share: float = 0.2,
    lr: float = 1e-3,
    seed: int = 0,
    limit: int = 0,
    progress: bool = True,
) -> Path:
    """Train a CompressionRestorer for the IRN in ``weights`` (bundled x``scale`` when None) and write
    OUT/irn_x{scale}_jpeg.safetensors (the IRN and the module) with OUT/log.csv. Returns the file's path."""
    if crop % JPEG_BLOCK or crop < JPEG_BLOCK:
        raise ConfigError(f"crop must be a multiple of {JPEG_BLOCK}, got {crop}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = resolve_weights(weights, scale)
    net = load_irn(path, scale=scale)
    lrs = [
        lr_img
        for lr_img in irn_lrs(IRNRescaler(net, precision="auto"), data, limit=limit)
        if min(lr_img.shape[:2]) >= crop
    ]
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    restorer = CompressionRestorer().train()
    optimizer = torch.optim.Adam(restorer.parameters(), lr=lr)
    log = CsvLog(out / "log.csv")
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=iters, desc=f"CRM x{scale}", unit="it", dynamic_ncols=True)
    started = time.perf_counter()
    for iteration in range(1, iters + 1):
        clean, stored = [], []
        for _ in range(batch):
            image = lrs[rng.integers(len(lrs))]
            top = JPEG_BLOCK * rng.integers((image.shape[0] - crop) // JPEG_BLOCK + 1)
            left = JPEG_BLOCK * rng.integers((image.shape[1] - crop) // JPEG_BLOCK + 1)
            patch = np.ascontiguousarray(image[top : top + crop, left : left + crop])
            lossless = rng.random() < lossless_share
            clean.append(patch)
            stored.append(patch if lossless else _jpeg(patch, int(rng.integers(qualities[0], qualities[1] + 1))))
        target = torch.from_numpy(np.stack(clean)).permute(0, 3, 1, 2).float() / 255
        source = torch.from_numpy(np.stack(stored)).permute(0, 3, 1, 2).float() / 255
        for group in optimizer.param_groups:  # cosine decay to 1% over the run
            group["lr"] = lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * iteration / iters)))
        loss = F.l1_loss(restorer(source), target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if bar is not None:
            bar.update(1)
            bar.set_postfix(l1=f"{float(loss.detach()) * 255:.3f} levels")
        if iteration % 50 == 0 or iteration == iters:
            baseline = float(F.l1_loss(source, target))
            log.write(
                {
                    "iter": iteration,
                    "loss": float(loss.detach()),
                    "lr": optimizer.param_groups[0]["lr"],
                    "it_per_s": iteration / (time.perf_counter() - started),
                    "event": f"L1 {float(loss.detach()) * 255:.3f} levels (stored JPEG {baseline * 255:.3f})",
                }
            )
    if bar is not None:
        bar.close()
    result = out / f"irn_x{scale}_jpeg.safetensors"
    save_irn(
        net,
        result,
        restorer=restorer.eval(),
        metadata={
            "irn_fingerprint": weights_fingerprint(net),
            "irn_weights": path.name,
            "crm_iterations": str(iters),
            "crm_training": f"L1 to IRN's LR; JPEG q{qualities[0]}-{qualities[1]} (OpenCV, 4:2:0), "
            f"{lossless_share:.0%} lossless; {crop}px LR crops, batch {batch}, Adam {lr:g} cosine",
        },
    )
    return result
