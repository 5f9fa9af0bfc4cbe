"""SessionModel: the open image, the chosen settings, the computed results and which are still current.

No Qt and no torch: the model only holds numpy arrays and library records, and says through its
events what changed. Views draw what it holds; the controller asks the job layer to compute what it
says is missing or stale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from irn_core.analysis.compare import error_map
from irn_core.analysis.results import ComparisonSettings, Provenance
from irn_core.io.images import LoadedImage
from irn_core.io.lrfile import LRInfo, read_lr_info
from irn_core.io.metadata import display_srgb
from irn_core.ops.codecs import to_uint8

from .events import EventEmitter
from .kinds import BASELINE_KINDS, COMPARED_KINDS, label

# Studies and the settings they depend on; a study is stale when one of them changes.
STUDY_INPUTS = {
    "draws": ("scale", "weights", "seed", "temperature", "jpeg_quality"),
    "temperature": ("scale", "weights", "seed", "jpeg_quality"),
    "jpeg": ("scale", "weights", "seed", "temperature", "sr_model"),
}


METRIC_COLUMNS = (("psnr_y", 2), ("ssim_y", 4), ("psnr_rgb", 2), ("ssim_rgb", 4), ("flip", 4))


def format_metric(value: float | None, digits: int) -> str:
    """A metric for a table cell: "–" when missing or NaN, "∞" for identical images."""
    if value is None or math.isnan(value):
        return "–"
    return "∞" if math.isinf(value) else f"{value:.{digits}f}"


@dataclass
class SessionResult:
    """A result as the session holds it: float pixels for metrics, uint8 (or the map itself) for display.

    provenance is None only for the original image. metrics: against the original (whole image).
    """

    kind: str
    pixels: np.ndarray
    display: np.ndarray
    provenance: Provenance | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    note: str = ""
    _top: float | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(
        cls,
        kind: str,
        pixels: np.ndarray,
        provenance: Provenance | None = None,
        *,
        metrics: dict[str, float] | None = None,
        note: str = "",
        icc: bytes | None = None,
    ) -> SessionResult:
        """icc: the colour profile of the open image; the display (not ``pixels``) is converted to sRGB.
        Maps (error, std; ``pixels`` in [0, 1]) are displayed in 8-bit levels, the unit of every error figure;
        FLIP maps keep FLIP's own 0-1 scale."""
        if pixels.ndim == 3:
            display = display_srgb(to_uint8(pixels), icc)
        else:
            display = pixels.astype(np.float32) * (1.0 if kind.startswith("flip:") else 255.0)
        return cls(kind, pixels, display, provenance, dict(metrics or {}), note)

    def top_level(self) -> float:
        """The 99.5th percentile of a map's display (levels; of its size for a signed map): where its colour
        scale saturates. Cached."""
        if self._top is None:
            self._top = float(np.percentile(np.abs(self.display), 99.5)) if self.display.ndim == 2 else 255.0
        return self._top

    def caption(self) -> str:
        """Where this result came from, in one line (the note, e.g. a draw's, first)."""
        text = self.provenance.describe() if self.provenance is not None else ""
        return " · ".join(p for p in (self.note, text) if p)


class SessionModel:
    """State of one comparison session.

    Events: image_loaded(), settings_changed(), result_changed(kind), results_cleared(),
    staleness_changed(), studies_changed(name).
    """

    def __init__(self, settings: ComparisonSettings | None = None):
        self.settings = settings or ComparisonSettings()
        self.image: LoadedImage | None = None
        self.lr_info: LRInfo | None = None
        self.results: dict[str, SessionResult] = {}
        self.latent: np.ndarray | None = None
        self.lr_fidelity: dict[str, float] = {}
        self.region_metrics: dict[str, dict[str, float]] = {}
        self.timings: dict[str, float] = {}
        self.draws: list = []
        self.draw_psnrs: list[float] = []
        self.temperature_curve: list[tuple[float, float]] = []
        self.jpeg_curves: dict[str, list[tuple[int, float]]] = {}
        self.study_settings: dict[str, ComparisonSettings] = {}
        self.image_loaded = EventEmitter("image_loaded")
        self.settings_changed = EventEmitter("settings_changed")
        self.result_changed = EventEmitter("result_changed")
        self.results_cleared = EventEmitter("results_cleared")
        self.staleness_changed = EventEmitter("staleness_changed")
        self.studies_changed = EventEmitter("studies_changed")

    # ----- the image -----
    @property
    def lr_only(self) -> bool:
        """True when the open image is an LR written by IRN Studio: there is no original to compare to."""
        return self.lr_info is not None

    def load_image(self, image: LoadedImage) -> None:
        """Start a new session on ``image``; an IRN LR file sets the scale it records."""
        info = read_lr_info(image)
        self._clear_all()
        self.image, self.lr_info = image, info
        if info is not None:
            if info.scale in (2, 4, 8) and info.scale != self.settings.scale:
                self.settings = self.settings.replace(scale=info.scale)
                self.settings_changed.emit()
            self.results["irn_lr"] = SessionResult.of(
                "irn_lr", image.pixels, note=f"{image.path.name} as stored", icc=self.icc_profile
            )
        else:
            self.results["hr"] = SessionResult.of("hr", image.pixels, note=image.path.name, icc=self.icc_profile)
        self.results_cleared.emit()
        self.image_loaded.emit()
        for kind in self.results:
            self.result_changed.emit(kind)

    def load_array(self, pixels: np.ndarray, name: str) -> None:
        """Open an in-memory (H, W, 3) float32 [0, 1] image (samples, tests)."""
        self.load_image(LoadedImage(path=Path(name), pixels=np.ascontiguousarray(pixels, np.float32), bit_depth=8))

    @property
    def icc_profile(self) -> bytes | None:
        """The open image's colour profile: every result of this session is in its colour space."""
        return None if self.image is None else self.image.photo.icc_profile

    @property
    def reference(self) -> np.ndarray | None:
        """The original HR, when there is one."""
        hr = self.results.get("hr")
        return None if hr is None else hr.pixels

    @property
    def output_size(self) -> tuple[int, int] | None:
        """The size a restoration should have: the original's, or the size an LR file records."""
        if self.reference is not None:
            return self.reference.shape[:2]
        if self.lr_info is not None and self.lr_info.original_size and self.image is not None:
            h, w = self.image.pixels.shape[:2]
            oh, ow = self.lr_info.original_size
            if (
                oh <= h * self.settings.scale
                and ow <= w * self.settings.scale
                and self.lr_info.scale == self.settings.scale
            ):
                return self.lr_info.original_size
        return None

    # ----- settings and staleness -----
    def update_settings(self, **changes: object) -> list[str]:
        """Change settings (scale, weights, seed, temperature, oracle_z, jpeg_quality, sr_model); returns
        the kinds that became stale. Invalid values raise InvalidInputError and change nothing."""
        new = self.settings.replace(**changes)
        if new == self.settings:
            return []
        before = set(self.stale_kinds())
        self.settings = new
        self.settings_changed.emit()
        now = self.stale_kinds()
        if set(now) != before:
            self.staleness_changed.emit()
        return [k for k in now if k not in before]

    def stale_kinds(self) -> dict[str, list[str]]:
        """{kind: the changed settings it depends on} for every result no longer current."""
        out = {}
        for kind, result in self.results.items():
            if result.provenance is not None:
                changed = result.provenance.changed_inputs(self.settings)
                if changed:
                    out[kind] = changed
        return out

    def is_current(self, kind: str) -> bool:
        result = self.results.get(kind)
        return result is not None and (result.provenance is None or result.provenance.is_current(self.settings))

    def stale_studies(self) -> list[str]:
        return [
            name
            for name, used in self.study_settings.items()
            if any(getattr(used, f) != getattr(self.settings, f) for f in STUDY_INPUTS[name])
        ]

    def needs(self) -> str | None:
        """What brings the session up to date: "run" (a new downscale or baseline is needed), "restore"
        (only the IRN restoration is stale), or None."""
        if self.image is None:
            return None
        stale = self.stale_kinds()
        if self.lr_only:
            return "restore" if "irn_hr" not in self.results or stale else None
        if "irn_lr" not in self.results or any(k != "irn_hr" and not k.endswith(":irn_hr") for k in stale):
            return "run"
        return "restore" if stale or "irn_hr" not in self.results else None

    # ----- results -----
    def add_result(self, result: SessionResult) -> None:
        was_stale = bool(self.stale_kinds())
        self.results[result.kind] = result
        self.result_changed.emit(result.kind)
        if was_stale != bool(self.stale_kinds()):
            self.staleness_changed.emit()

    def clear_results(self, *, keep: tuple[str, ...] = ("hr",)) -> None:
        """Drop every result but the original (and the LR of an LR-only session) and what came from them."""
        keep = keep + (("irn_lr",) if self.lr_only else ())
        self.results = {k: v for k, v in self.results.items() if k in keep}
        self.region_metrics, self.timings, self.lr_fidelity = {}, {}, {}
        if not self.lr_only:
            self.latent = None
        self.results_cleared.emit()
        self.staleness_changed.emit()

    def _clear_all(self) -> None:
        self.results, self.region_metrics, self.timings, self.lr_fidelity = {}, {}, {}, {}
        self.latent, self.draws, self.draw_psnrs = None, [], []
        self.temperature_curve, self.jpeg_curves, self.study_settings = [], {}, {}

    def best_baseline_kind(self) -> str:
        """The baseline IRN is best shown against: the highest PSNR-Y among those computed, else SR, else
        bicubic (an LR-only session has no metrics)."""
        scored = [
            (r.metrics["psnr_y"], kind)
            for kind, r in self.results.items()
            if kind in BASELINE_KINDS and r.metrics and r.metrics.get("psnr_y") is not None
        ]
        if scored:
            return max(scored)[1]
        return "sr" if "sr" in self.results else "bicubic"

    def latent_summary(self) -> str:
        """What the forward latent of the current comparison looks like next to N(0, I), in words
        (empty before a comparison, and for an LR file, which holds no latent)."""
        if self.latent is None:
            return ""
        from irn_core.analysis.studies import latent_statistics

        return latent_statistics(self.latent).describe()

    @property
    def metrics(self) -> dict[str, dict[str, float]]:
        """Whole-image metrics of every compared result (and "lr_fidelity"), as computed."""
        out = {k: r.metrics for k, r in self.results.items() if r.metrics and k in COMPARED_KINDS}
        for kind in out:  # the FLIP map comes after its result: its mean joins the result's row
            flip = self.results.get(f"flip:{kind}")
            if flip is not None and "flip" in flip.metrics and "flip" not in out[kind]:
                out[kind] = out[kind] | {"flip": flip.metrics["flip"]}
        if self.lr_fidelity:
            out["lr_fidelity"] = self.lr_fidelity
        return out

    def metrics_rows(self) -> list[tuple[str, list[str]]]:
        """(row label, cells) of the metrics table: PSNR-Y, SSIM-Y, PSNR-RGB, SSIM-RGB of the whole image, then
        PSNR-Y and SSIM-Y of the region in view, for each compared result and the IRN LR's fidelity."""
        metrics = self.metrics
        rows = []
        for kind in self.metric_row_kinds():
            whole, view = metrics.get(kind, {}), self.region_metrics.get(kind, {})
            cells = [format_metric(whole.get(k), d) for k, d in METRIC_COLUMNS]
            cells += [format_metric(view.get(k), d) for k, d in METRIC_COLUMNS[:2]]
            rows.append(("IRN LR vs bicubic LR" if kind == "lr_fidelity" else label(kind), cells))
        return rows

    def metric_row_kinds(self) -> list[str]:
        """The result kinds of the metrics table's rows, in order (the IRN LR's fidelity last)."""
        compared = [k for k in COMPARED_KINDS if k in self.metrics or k in self.results]
        return compared + [k for k in ("lr_fidelity",) if k in self.metrics]

    def pane_caption(self, kind: str) -> str:
        """What a pane showing ``kind`` says above it: metrics, where the result came from, and whether it
        is out of date for the present settings (never shown as if current)."""
        whole, view = self.metrics.get(kind), self.region_metrics.get(kind)
        text = ""
        if whole:
            text = f"PSNR-Y {format_metric(whole['psnr_y'], 2)} dB · SSIM-Y {format_metric(whole['ssim_y'], 4)}"
            if view:
                text += f"   (view {format_metric(view['psnr_y'], 2)} dB)"
        result = self.results.get(kind)
        if result is not None and result.provenance is not None:
            changed = result.provenance.changed_inputs(self.settings)
            origin = f"[{result.caption()}]"
            if changed:
                origin = f"OUT OF DATE ({', '.join(changed)} changed; Run to update) {origin}"
            text = f"{text}   {origin}" if text else origin
        return text

    def shared_error_scale(self, kinds: list[str]) -> float | None:
        """One colour scale for every error map shown (levels): the largest 99.5th percentile among them, so
        one colour means one error in every pane. None when none is shown."""
        tops = [self.results[k].top_level() for k in kinds if k.startswith(("error:", "signed:")) and k in self.results]
        return max(max(tops), 1.0) if tops else None

    def pane_record(self, kind: str) -> dict:
        """What a pane showing ``kind`` holds, for machine-readable screenshots: label, whether it is computed
        and current, where it came from and its metrics (whole image and the region in view)."""
        result = self.results.get(kind)
        record: dict = {"kind": kind, "label": label(kind), "computed": result is not None}
        if result is None:
            return record
        provenance = result.provenance
        record["stale"] = provenance is not None and not provenance.is_current(self.settings)
        if provenance is not None:
            used = provenance.settings
            record["provenance"] = {
                "method": provenance.method,
                "scale": used.scale,
                "weights": provenance.weights_name,
                "weights_fingerprint": provenance.fingerprint,
                "latent": provenance.latent,
                "seed": used.seed if provenance.latent else None,
                "temperature": used.temperature if provenance.latent else None,
                "oracle_z": provenance.latent == "oracle",
                "lr_storage": used.lr_storage if "jpeg_quality" in provenance.inputs else None,
                "draw": provenance.draw_index,
                "draws": provenance.draws,
                "device": provenance.device,
                "precision": provenance.precision,
                "seconds": round(provenance.seconds, 3),
                "describe": provenance.describe(),
            }
        record["metrics"] = dict(result.metrics) if kind in COMPARED_KINDS else {}
        record["view_metrics"] = dict(self.region_metrics.get(kind, {}))
        return record

    # ----- studies -----
    def start_study(self, name: str) -> None:
        """Forget the previous ``name`` study ("draws", "temperature", "jpeg") and record its settings."""
        if name == "draws":
            self.draws, self.draw_psnrs = [], []
        elif name == "temperature":
            self.temperature_curve = []
        elif name == "jpeg":
            self.jpeg_curves = {}
        self.study_settings[name] = self.settings
        self.studies_changed.emit(name)

    def add_draw(self, draw) -> float:
        self.draws.append(draw)
        value = draw.psnr_y if draw.psnr_y is not None else math.nan
        self.draw_psnrs.append(value)
        return value

    def show_draw(self, index: int) -> bool:
        """Put draw ``index`` of the last sampling in the IRN restored slot, with its own metrics and error map."""
        if not 0 <= index < len(self.draws):
            return False
        draw = self.draws[index]
        used = self.study_settings.get("draws", self.settings)
        # Not stale because its seed differs from the settings' seed: the user picked this draw.
        inputs = ("scale", "weights", "temperature", "jpeg_quality")
        provenance = Provenance("irn", used.replace(seed=draw.seed), inputs, latent="drawn", draw_index=index)
        metrics = {
            k: v
            for k, v in (("psnr_y", draw.psnr_y), ("ssim_y", draw.ssim_y), ("psnr_rgb", draw.psnr_rgb))
            if v is not None
        }
        self.add_result(SessionResult.of("irn_hr", draw.image, provenance, metrics=metrics, icc=self.icc_profile))
        if self.reference is not None and draw.image.shape == self.reference.shape:
            self.add_result(SessionResult.of("error:irn_hr", error_map(draw.image, self.reference), provenance))
        return True
