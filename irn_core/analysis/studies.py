"""Latent studies of one LR image: many z draws, a temperature sweep, and JPEG-stored LRs.

Used by ``irn sample`` and the app's latent explorer; images are numpy float32 (H, W, 3) RGB [0, 1].
Every function checks ``cancel`` before each restoration and raises ``Cancelled``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..baselines import Baseline, bicubic_downscale
from ..errors import InvalidInputError
from ..ops.codecs import jpeg_roundtrip, pad_to_multiple
from ..ops.metrics import measure, psnr
from ..ops.tiling import CancelCheck, check_cancel
from ..rescaler import IRNRescaler
from .results import IRN_HR_INPUTS, ComparisonSettings, Provenance

LOSSLESS = 101  # the x position of "lossless" in a JPEG-quality study


@dataclass
class DrawResult:
    """One restoration of the LR with z drawn from ``seed`` at ``temperature``; metrics when the
    original was given."""

    index: int
    seed: int
    temperature: float
    image: np.ndarray
    psnr_y: float | None = None
    ssim_y: float | None = None
    psnr_rgb: float | None = None


@dataclass
class SampleSet:
    """Draws of one LR image, with their per-pixel mean and standard deviation (H, W, 3) in [0, 1]."""

    draws: list[DrawResult] = field(default_factory=list)
    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    provenance: Provenance | None = None


@dataclass(frozen=True)
class LatentStatistics:
    """How a forward latent z compares with the N(0, I) the reverse pass draws from.

    kl_per_dimension: mean over channels of KL(N(mean_c, std_c^2) || N(0, 1)), in nats: 0 for a
    standard normal; a channel with std 0.005 alone gives about 4.8.
    """

    mean: float
    std: float
    channel_std_min: float
    channel_std_max: float
    kl_per_dimension: float

    def describe(self) -> str:
        return (
            f"forward z: mean {self.mean:+.4f}, std {self.std:.4f} (channels {self.channel_std_min:.4f}"
            f"–{self.channel_std_max:.4f}); KL to N(0, I) {self.kl_per_dimension:.2f} nats/dim "
            "(drawn z: std 1, KL 0)"
        )


def latent_statistics(z: np.ndarray) -> LatentStatistics:
    """Statistics of a latent z of shape (C, h, w) (as ``IRNRescaler.encode`` returns it)."""
    if z.ndim != 3 or z.size == 0:
        raise InvalidInputError(f"z must be (C, h, w) and not empty, got shape {z.shape}")
    flat = z.reshape(z.shape[0], -1).astype(np.float64)
    means, variances = flat.mean(axis=1), np.maximum(flat.var(axis=1), 1e-30)
    kl = 0.5 * (variances + means**2 - 1.0 - np.log(variances))
    stds = np.sqrt(variances)
    return LatentStatistics(
        mean=float(flat.mean()),
        std=float(flat.std()),
        channel_std_min=float(stds.min()),
        channel_std_max=float(stds.max()),
        kl_per_dimension=float(kl.mean()),
    )


def _scores(image: np.ndarray, reference: np.ndarray | None, scale: int) -> dict[str, float | None]:
    if reference is None:
        return {"psnr_y": None, "ssim_y": None, "psnr_rgb": None}
    metrics = measure(image, reference, scale=scale)
    return {key: metrics[key] for key in ("psnr_y", "ssim_y", "psnr_rgb")}


def sample_draws(
    rescaler: IRNRescaler,
    lr: np.ndarray,
    *,
    draws: int,
    seed: int = 0,
    temperature: float = 1.0,
    jpeg_quality: int | None = None,
    reference: np.ndarray | None = None,
    output_size: tuple[int, int] | None = None,
    on_draw: Callable[[DrawResult], None] | None = None,
    cancel: CancelCheck | None = None,
) -> SampleSet:
    """Restore ``lr`` (stored as JPEG of ``jpeg_quality`` first, None: lossless) with ``draws`` latents
    (seeds seed, seed+1, ...); metrics against ``reference``.

    on_draw receives each draw as it finishes. The mean and std are accumulated in float64.
    """
    if draws < 1:
        raise InvalidInputError(f"draws must be >= 1, got {draws}")
    stored = jpeg_roundtrip(lr, jpeg_quality)
    if output_size is None and reference is not None:
        output_size = reference.shape[:2]
    result = SampleSet()
    total: np.ndarray | float = 0.0
    total_sq: np.ndarray | float = 0.0
    for i in range(draws):
        check_cancel(cancel)
        image = rescaler.upscale(stored, seed=seed + i, temperature=temperature, output_size=output_size, cancel=cancel)
        draw = DrawResult(i, seed + i, temperature, image, **_scores(image, reference, rescaler.scale))
        result.draws.append(draw)
        x = image.astype(np.float64)
        total = total + x
        total_sq = total_sq + x * x
        if on_draw is not None:
            on_draw(draw)
    mean = np.asarray(total) / draws
    result.mean = mean.astype(np.float32)
    result.std = np.sqrt(np.maximum(np.asarray(total_sq) / draws - mean * mean, 0)).astype(np.float32)
    settings = ComparisonSettings(scale=rescaler.scale, seed=seed, temperature=temperature, jpeg_quality=jpeg_quality)
    result.provenance = Provenance(
        "irn", settings, IRN_HR_INPUTS, latent="drawn", draws=draws, precision=rescaler.precision
    )
    return result


def temperature_sweep(
    rescaler: IRNRescaler,
    lr: np.ndarray,
    reference: np.ndarray,
    *,
    temperatures: Sequence[float],
    seed: int = 0,
    draws: int = 1,
    jpeg_quality: int | None = None,
    on_point: Callable[[float, float], None] | None = None,
    cancel: CancelCheck | None = None,
) -> list[tuple[float, float]]:
    """[(temperature, mean PSNR-Y over ``draws``)] for each temperature, the LR stored as ``jpeg_quality``."""
    stored = jpeg_roundtrip(lr, jpeg_quality)
    points = []
    for t in temperatures:
        values = []
        for d in range(draws):
            check_cancel(cancel)
            image = rescaler.upscale(
                stored, seed=seed + d, temperature=float(t), output_size=reference.shape[:2], cancel=cancel
            )
            values.append(psnr(image, reference, crop_border=rescaler.scale, y_channel=True))
        points.append((float(t), float(np.mean(values))))
        if on_point is not None:
            on_point(*points[-1])
    return points


ROBUST_LABEL = "IRN JPEG-robust"


def jpeg_study(
    rescaler: IRNRescaler,
    lr: np.ndarray,
    reference: np.ndarray,
    *,
    other: Baseline,
    qualities: Sequence[int | None] = (None, 95, 90, 80, 70, 60, 50, 40, 30, 20, 10),
    seed: int = 0,
    temperature: float = 1.0,
    on_point: Callable[[str, int, float], None] | None = None,
    cancel: CancelCheck | None = None,
    robust: IRNRescaler | None = None,
) -> dict[str, list[tuple[int, float]]]:
    """PSNR-Y of IRN and of bicubic↓ + ``other``↑ when each LR is stored as JPEG of each quality; with
    ``robust`` (a JPEG-robust IRN), its curve too ("IRN JPEG-robust"), from its own LR.

    Returns {label: [(quality, PSNR-Y)]}, quality ``LOSSLESS`` (101) for None; on_point(label, quality,
    value) as each point is measured.
    """
    scale = rescaler.scale
    bicubic_lr = bicubic_downscale(pad_to_multiple(reference, scale), scale=scale)
    other_label = "bicubic↓ + bicubic↑" if other.name == "bicubic" else "bicubic↓ + SR"
    curves: dict[str, list[tuple[int, float]]] = {"IRN": [], other_label: []}
    robust_lr = None
    if robust is not None:
        curves[ROBUST_LABEL] = []
        robust_lr = robust.downscale(reference, cancel=cancel)
    for quality in qualities:
        check_cancel(cancel)
        q = LOSSLESS if quality is None else int(quality)
        restored = rescaler.upscale(
            jpeg_roundtrip(lr, quality),
            seed=seed,
            temperature=temperature,
            output_size=reference.shape[:2],
            cancel=cancel,
        )
        up = other.upscale(jpeg_roundtrip(bicubic_lr, quality), output_size=reference.shape[:2], cancel=cancel)
        measured = [("IRN", restored), (other_label, up)]
        if robust is not None and robust_lr is not None:
            stored = jpeg_roundtrip(robust_lr, quality)
            measured.append(
                (
                    ROBUST_LABEL,
                    robust.upscale(stored, seed=seed, temperature=temperature, output_size=reference.shape[:2]),
                )
            )
        for label, image in measured:
            value = psnr(image, reference, crop_border=scale, y_channel=True)
            curves[label].append((q, value))
            if on_point is not None:
                on_point(label, q, value)
    return curves


def draws_csv(sample: SampleSet) -> str:
    """The draws of ``sample`` as CSV text: draw, seed, temperature, psnr_y, ssim_y, psnr_rgb."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["draw", "seed", "temperature", "psnr_y", "ssim_y", "psnr_rgb"])
    for d in sample.draws:
        writer.writerow(
            [d.index, d.seed, d.temperature]
            + [("" if v is None else f"{v:.4f}") for v in (d.psnr_y, d.ssim_y, d.psnr_rgb)]
        )
    return out.getvalue()
