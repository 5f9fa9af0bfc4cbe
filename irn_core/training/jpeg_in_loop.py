"""JPEG-robust training: the JPEG file each step stores its LR as, and the restoration module a run starts
from. Tensors (B, 3, h, w) in [0, 1]."""

from __future__ import annotations

import numpy as np
import torch

from ..io.checkpoints import load_restorer
from ..nn.crm import CompressionRestorer
from .config import TrainConfig
from .losses import jpeg_straight_through


def initial_restorer(init_from: str) -> CompressionRestorer:
    """The module of a JPEG-robust ``init_from`` file (continuing one), else a new one (the identity)."""
    if init_from:
        found = load_restorer(init_from)
        if found is not None:
            return found
    return CompressionRestorer()


class JpegStorage:
    """The JPEG file an LR is stored as during JPEG-robust training ((B,3,h,w) -> same, straight through).
    Each patch's quality (or lossless) is drawn for the whole global batch from the seed and ``iteration``
    alone, and a process keeps its ``rows``: resumed runs and any number of processes draw alike."""

    def __init__(self, config: TrainConfig, *, rows: slice):
        self.config, self.rows = config, rows
        self.iteration = 0

    def qualities(self) -> list[int | None]:
        """This process's rows: a JPEG quality each, None for a patch kept lossless."""
        config = self.config
        rng = np.random.default_rng([config.seed, 13, self.iteration])
        lossless = rng.random(config.batch) < config.jpeg_lossless_share
        drawn = rng.integers(config.jpeg_in_loop[0], config.jpeg_in_loop[1] + 1, config.batch)
        return [None if keep else int(q) for keep, q in zip(lossless, drawn)][self.rows]

    def __call__(self, lr: torch.Tensor) -> torch.Tensor:
        return jpeg_straight_through(lr, self.qualities()[: len(lr)])
