"""Results with provenance: what every computed image or figure says about where it came from.

A ``ComparisonSettings`` is what a person chooses; a ``Provenance`` records the settings a result was
computed from (and only the ones it depends on), the weights, device, precision and time taken, so that
a session can tell which results are still current after a setting changes, and every caption, table and
saved figure can say how its numbers were made.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from ..errors import InvalidInputError

SUPPORTED_JPEG = range(1, 101)

# Which settings each kind of result is computed from; a result is stale when one of these changes.
IRN_LR_INPUTS = ("scale", "weights")
IRN_HR_INPUTS = ("scale", "weights", "seed", "temperature", "oracle_z", "jpeg_quality")
BASELINE_INPUTS = ("scale",)
SR_INPUTS = ("scale", "sr_model")
# Studies of the latent: the settings each one's curve depends on (its own axis is not one of them).
STUDY_INPUTS = {
    "draws": ("scale", "weights", "seed", "temperature", "jpeg_quality"),
    "temperature": ("scale", "weights", "seed", "jpeg_quality"),
    "jpeg": ("scale", "weights", "seed", "temperature", "sr_model"),
}
# One draw of a draw study shown as the restoration: its own seed is the user's pick, not the setting.
DRAW_INPUTS = ("scale", "weights", "temperature", "jpeg_quality")


@dataclass(frozen=True)
class ComparisonSettings:
    """What a comparison is asked to do.

    scale: 2, 4 or 8. weights: an IRN weights file (None: the bundled ones for ``scale``).
    seed, temperature: the latent draw z ~ N(0, temperature^2 I) (temperature >= 0).
    oracle_z: restore with the z the forward pass produced instead of a drawn one (an upper bound,
    not a fair result). jpeg_quality: store the IRN LR as JPEG of this quality (1-100) before
    restoring; None keeps it lossless. sr_model: an SR checkpoint for the SR row (None: ours).
    """

    scale: int = 4
    weights: str | None = None
    seed: int = 0
    temperature: float = 1.0
    oracle_z: bool = False
    jpeg_quality: int | None = None
    sr_model: str | None = None

    def __post_init__(self) -> None:
        if self.scale not in (2, 4, 8):
            raise InvalidInputError(f"scale must be 2, 4 or 8, got {self.scale!r}")
        if self.temperature < 0:
            raise InvalidInputError(f"temperature must be >= 0, got {self.temperature}")
        if self.jpeg_quality is not None and self.jpeg_quality not in SUPPORTED_JPEG:
            raise InvalidInputError(f"JPEG quality must be 1-100 or None (lossless), got {self.jpeg_quality}")

    def replace(self, **changes: object) -> ComparisonSettings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def lr_storage(self) -> str:
        return "lossless" if self.jpeg_quality is None else f"JPEG q{self.jpeg_quality}"


@dataclass(frozen=True)
class Provenance:
    """Where a result came from.

    method: "original", "irn", "bicubic", "lanczos", "sr" (or an SR model's name), "draws".
    inputs: the settings fields the result was computed from; ``settings`` holds their values.
    latent: "drawn", "oracle" or "" (no latent involved). draw_index: which of several draws, if any.
    """

    method: str
    settings: ComparisonSettings
    inputs: tuple[str, ...] = ()
    weights_name: str = ""
    fingerprint: str = ""
    latent: str = ""
    draw_index: int | None = None
    draws: int | None = None
    device: str = ""
    precision: str = ""
    seconds: float = 0.0

    def changed_inputs(self, settings: ComparisonSettings) -> list[str]:
        """The settings this result depends on whose values differ in ``settings`` (empty: current)."""
        return [name for name in self.inputs if getattr(settings, name) != getattr(self.settings, name)]

    def is_current(self, settings: ComparisonSettings) -> bool:
        return not self.changed_inputs(settings)

    def describe(self) -> str:
        """One line for captions, tables and figures, e.g. "IRN x4 · seed 0, T=1 · LR lossless · CPU fp32 · 3.1 s"."""
        s = self.settings
        parts = [f"{self.method.upper() if self.method == 'irn' else self.method} x{s.scale}"]
        if self.weights_name:
            parts.append(self.weights_name)
        if self.latent == "oracle":
            parts.append("ORACLE z (forward latent, not a fair result)")
        elif self.draws is not None:
            parts.append(f"{self.draws} draws from seed {s.seed}, T={s.temperature:g}")
        elif self.draw_index is not None:
            parts.append(f"draw {self.draw_index} (seed {s.seed}, T={s.temperature:g})")
        elif self.latent == "drawn":
            parts.append(f"seed {s.seed}, T={s.temperature:g}")
        if "jpeg_quality" in self.inputs:
            parts.append(f"LR {s.lr_storage}")
        if self.device:
            parts.append(f"{self.device} {self.precision}".strip())
        if self.seconds >= 0.01:
            parts.append(f"{self.seconds:.1f} s" if self.seconds >= 1 else f"{self.seconds:.2f} s")
        return " · ".join(parts)


@dataclass
class Result:
    """One computed image and where it came from.

    kind: what it is in a comparison ("irn_lr", "irn_hr", "bicubic", "error:irn_hr", "std_map", ...).
    pixels: float32 (H, W, 3) RGB in [0, 1], or (H, W) for maps (error: mean |x - HR| over RGB in [0, 1];
    std: per-pixel std in [0, 1]). metrics: PSNR/SSIM against the original, when there is one.
    """

    kind: str
    pixels: np.ndarray
    provenance: Provenance
    metrics: dict[str, float] = field(default_factory=dict)
