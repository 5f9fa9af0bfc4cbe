"""Training patches: random HR crops with flips and 90-degree rotations, and their
MATLAB-bicubic LR reference."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..errors import ImageIOError
from ..io.images import list_images, read_image
from ..ops.resize import imresize


class PatchDataset(Dataset):
    """Random (HR, LR) patch pairs from every image in ``folder``.

    Item ``index`` depends only on (seed, index), so runs are reproducible and resumable.
    Each item: HR float32 tensor (3, patch, patch) and LR (3, patch/scale, patch/scale),
    both in [0, 1]. Images are decoded once and held as uint8. Images smaller than the
    patch are skipped with a warning; an empty folder raises ValueError.

    color_augment: also permute the RGB channels (p=1/2) and raise the saturation by a factor
    in [1, 2) (p=1/2), so that strongly coloured textures, rare in small photo sets, are seen.
    noise_augment: add Gaussian noise, independent per channel, of a std drawn from [0, noise_augment)
    (p=1/2). JPEG training images hold almost no high-frequency colour (4:2:0 chroma), and a net
    that never saw it breaks on photos that have it (grain, Set5 head).
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        patch: int,
        scale: int,
        seed: int = 0,
        length: int = 2**40,
        color_augment: bool = False,
        noise_augment: float = 0.0,
    ):
        self.patch, self.scale, self.seed, self.length = patch, scale, seed, length
        self.color_augment, self.noise_augment = color_augment, noise_augment
        self.images: list[np.ndarray] = []
        skipped = []
        for path in list_images(folder):
            try:
                img = read_image(path).pixels
            except ImageIOError as exc:
                warnings.warn(f"skipping {path.name}: {exc}", stacklevel=2)
                continue
            if min(img.shape[:2]) < patch:
                skipped.append(path.name)
                continue
            self.images.append(np.round(img * 255).astype(np.uint8))
        if skipped:
            warnings.warn(
                f"skipped {len(skipped)} image(s) smaller than the {patch}px patch: {', '.join(skipped[:5])}",
                stacklevel=2,
            )
        if not self.images:
            raise ValueError(f"no usable training images in {folder} (need images of at least {patch}x{patch})")

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int):
        rng = np.random.default_rng([self.seed, index])
        img = self.images[rng.integers(len(self.images))]
        top = rng.integers(img.shape[0] - self.patch + 1)
        left = rng.integers(img.shape[1] - self.patch + 1)
        hr = img[top : top + self.patch, left : left + self.patch]
        if rng.random() < 0.5:
            hr = hr[:, ::-1]
        if rng.random() < 0.5:
            hr = hr[::-1]
        hr = np.rot90(hr, int(rng.integers(4)))
        hr = np.ascontiguousarray(hr, dtype=np.float32) / 255.0
        if self.color_augment:
            hr = _augment_color(hr, rng)
        if self.noise_augment > 0 and rng.random() < 0.5:
            noise = rng.standard_normal(hr.shape, dtype=np.float32) * rng.uniform(0, self.noise_augment)
            hr = np.clip(hr + noise, 0.0, 1.0)
        lr = np.clip(imresize(hr, scale=1 / self.scale), 0, 1)
        return (
            torch.from_numpy(hr.transpose(2, 0, 1).copy()),
            torch.from_numpy(np.ascontiguousarray(lr.transpose(2, 0, 1))),
        )


def _augment_color(hr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(H, W, 3) float32 [0, 1] -> the same with permuted channels and/or more saturation."""
    if rng.random() < 0.5:
        hr = hr[:, :, rng.permutation(3)]
    if rng.random() < 0.5:
        gray = hr.mean(axis=2, keepdims=True)
        hr = np.clip(gray + (hr - gray) * rng.uniform(1.0, 2.0), 0.0, 1.0)
    return np.ascontiguousarray(hr, dtype=np.float32)
