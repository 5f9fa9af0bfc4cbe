"""The seeded latent field: z ~ N(0, temperature^2 I) over the LR plane, drawn in blocks.

A seed names one field over the whole (unbounded) LR plane. It is drawn in LATENT_BLOCK_LR x LATENT_BLOCK_LR
blocks, each from its own generator seeded by (seed, block row, block column), so the z of any region can be
drawn alone and equals the same region of the whole image's draw, whatever the image's size. A region-first
comparison of a 24 MP photo then draws the few blocks under the view (milliseconds) instead of the whole
image's z (0.5-0.7 s at x4 on two AVX2 cores), and every later pass draws the same values.
"""

from __future__ import annotations

import secrets

import numpy as np
import torch

from ..errors import InvalidInputError

LATENT_BLOCK_LR = 64  # LR pixels a block's edge: the smallest view region at x4 needs a few blocks


def block_seed(seed: int, block_row: int, block_col: int) -> int:
    """The generator seed of one block of ``seed``'s field (a 64-bit hash of the three numbers)."""
    state = np.random.SeedSequence([seed % 2**64, block_row, block_col]).generate_state(1, np.uint64)
    return int(state[0])


def draw_latent_into(z: torch.Tensor, *, temperature: float, seed: int | None, top: int = 0, left: int = 0) -> None:
    """Fill ``z`` (C, h, w) with LR rows top..top+h and columns left..left+w of ``seed``'s field (None: a
    random seed), times ``temperature``."""
    if temperature < 0:
        raise InvalidInputError(f"temperature must be >= 0, got {temperature}")
    if top < 0 or left < 0:
        raise InvalidInputError(f"expected a region inside the LR plane, got its top left at ({top}, {left})")
    channels, h, w = z.shape
    seed = secrets.randbits(63) if seed is None else int(seed)
    block = LATENT_BLOCK_LR
    drawn = torch.empty((channels, block, block))
    for row in range(top // block, -(-(top + h) // block)):
        for col in range(left // block, -(-(left + w) // block)):
            generator = torch.Generator().manual_seed(block_seed(seed, row, col))
            torch.randn((channels, block, block), generator=generator, out=drawn)
            r0, r1 = max(top, row * block), min(top + h, (row + 1) * block)
            c0, c1 = max(left, col * block), min(left + w, (col + 1) * block)
            z[:, r0 - top : r1 - top, c0 - left : c1 - left] = drawn[
                :, r0 - row * block : r1 - row * block, c0 - col * block : c1 - col * block
            ]
    if temperature != 1.0:
        z.mul_(temperature)
