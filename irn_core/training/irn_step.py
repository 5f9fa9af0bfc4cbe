"""What one IRN training step is made of: the latent temperature schedule, the round trip as one module
(both passes, for DistributedDataParallel), a warm start from other weights, and the validation figures
the log records. ``irn_loop`` runs them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..errors import ConfigError
from ..io.checkpoints import CRM_PREFIX, read_state_dict, state_fingerprint
from ..nn.irn import IRN
from .config import TrainConfig
from .losses import quantize_straight_through
from .validation import validate


def z_temperature(config: TrainConfig, iteration: int) -> float:
    if not config.z_warmup_iters:
        return 1.0
    return min(1.0, iteration / config.z_warmup_iters)


def temperature_rows(config: TrainConfig, iteration: int) -> torch.Tensor:
    """(batch, 1, 1, 1) latent temperatures of one step's patches: ``z_temperature`` for all, or with
    ``z_temperature_range`` one uniform draw per patch that depends on the seed and iteration alone (every
    process draws the whole batch's and keeps its rows, so resumes and process counts agree)."""
    if not config.z_temperature_range:
        return torch.full((config.batch, 1, 1, 1), z_temperature(config, iteration))
    low, high = config.z_temperature_range
    draws = np.random.default_rng([config.seed, 11, iteration]).uniform(low, high, config.batch)
    return torch.from_numpy(draws).float().view(-1, 1, 1, 1)


def init_from_weights(net: torch.nn.Module, path: str) -> tuple[int, str]:
    """Load every tensor of ``path`` that fits ``net``; returns (the iterations those weights were trained
    for at this scale (0 for another scale's or a file that does not say), their fingerprint), so exports
    record their lineage even after the file is replaced."""
    state, metadata = read_state_dict(path)
    own = net.state_dict()
    shared = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    if not shared:
        raise ConfigError(
            f"init_from {path}: no tensor matches the x{net.scale} model "
            f"(expected IRN weights of x{net.scale} or a lower scale)"
        )
    own.update(shared)
    net.load_state_dict(own)
    # the IRN's own tensors, as LR files and the app name it (a JPEG-robust file also holds its restorer's)
    fingerprint = state_fingerprint({k: v for k, v in state.items() if not k.startswith(CRM_PREFIX)})
    if metadata.get("scale") != str(net.scale):
        return 0, fingerprint
    return int(metadata.get("total_iterations") or metadata.get("iterations") or 0), fingerprint


def validation_figures(
    net: IRN, restorer: torch.nn.Module | None, images: list, config: TrainConfig, device: torch.device
) -> dict[str, float]:
    """The log's validation fields: lossless, and for a JPEG-robust run with the LR stored as JPEG too."""

    def measure(jpeg_quality: int | None) -> tuple[float, float]:
        return validate(
            net, images, draws=config.val_draws, device=device, restorer=restorer, jpeg_quality=jpeg_quality
        )

    figures = dict(zip(("val_psnr_y", "val_ssim_y"), measure(None)))
    if restorer is not None:
        figures |= dict(zip(("val_jpeg_psnr_y", "val_jpeg_ssim_y"), measure(config.val_jpeg_quality)))
        restorer.train()  # the rescaler that validated it set it to eval
    return figures


class RoundTripStep(torch.nn.Module):
    """Both passes of a training step as one module call: (HR (B,3,H,W), z noise (B,C,H/s,W/s)) ->
    (forward output (B,3+C,H/s,W/s), restored (B,3,H,W)). DistributedDataParallel needs each parameter's
    uses inside one forward; the LR is quantised (straight through) between the passes.

    compress: the storage the LR goes through between the passes ((B,3,h,w) -> same; e.g. a JPEG file,
    straight through), then ``restorer`` (a CompressionRestorer, trained with the IRN)."""

    def __init__(
        self,
        net: torch.nn.Module,
        *,
        bf16: bool,
        compress: Callable[[torch.Tensor], torch.Tensor] | None = None,
        restorer: torch.nn.Module | None = None,
    ):
        super().__init__()
        self.net, self.bf16, self.compress, self.restorer = net, bf16, compress, restorer

    def forward(self, hr: torch.Tensor, noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.autocast(hr.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            out = self.net(hr)
        out = out.float()
        lr = quantize_straight_through(out[:, :3])
        if self.compress is not None:
            lr = self.compress(lr)
        with torch.autocast(hr.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            if self.restorer is not None:
                lr = self.restorer(lr)
            restored = self.net(torch.cat((lr, noise.to(lr.dtype)), 1), rev=True)[:, :3]
        return out, restored.float()
