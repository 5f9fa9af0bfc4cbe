"""A session with stub pipelines for property tests: every job emits what the real one does, as constant
8x8 images whose value is a function of exactly the settings the result depends on, so a test can tell, by
value alone, whether what the store calls current is right for the settings in force."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from irn_core.analysis.results import (
    BASELINE_INPUTS,
    DRAW_INPUTS,
    IRN_HR_INPUTS,
    IRN_LR_INPUTS,
    SR_INPUTS,
    STUDY_INPUTS,
    ComparisonSettings,
    Provenance,
)
from irn_core.errors import WeightsError
from irn_studio.control.app_session import AppSession
from irn_studio.control.executor import ManualExecutor
from irn_studio.model import messages as m
from irn_studio.model.results import SessionResult
from irn_studio.model.store import SessionStore

SIZE = (8, 8)
MAPS = ("error:", "signed:", "flip:")


def value(*parts: object) -> float:
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return float(np.float32(int.from_bytes(digest[:3], "big") / 2**24))  # exact in float32 pixels


def relevant(settings: ComparisonSettings, inputs: tuple[str, ...]) -> tuple:
    return tuple(getattr(settings, name) for name in inputs)


def image(v: float) -> np.ndarray:
    return np.full((*SIZE, 3), v, np.float32)


def map_value(prefix: str, source: float) -> float:
    return value(prefix, float(source))


def _send(ctx, kind: str, v: float, provenance: Provenance, *, maps: bool = False, **extra) -> None:
    ctx.emit(m.ResultArrived(SessionResult.of(kind, image(v), provenance, metrics={"psnr_y": v}, **extra)))
    if maps:
        for prefix in MAPS:
            pixels = np.full(SIZE, map_value(prefix, v), np.float32)
            metrics = {"flip": map_value(prefix, v)} if prefix == "flip:" else {}
            ctx.emit(m.ResultArrived(SessionResult.of(prefix + kind, pixels, provenance, metrics=metrics)))


def irn_hr_value(settings: ComparisonSettings) -> float:
    return value("irn_hr", relevant(settings, IRN_HR_INPUTS))


def draw_value(settings: ComparisonSettings, index: int) -> float:
    return value("draw", relevant(settings.replace(seed=settings.seed + index), DRAW_INPUTS), settings.seed + index)


def baseline_value(kind: str, settings: ComparisonSettings) -> float:
    return value(kind, relevant(settings, SR_INPUTS if kind == "sr" else BASELINE_INPUTS))


def lr_value(settings: ComparisonSettings) -> float:
    return value("irn_lr", relevant(settings, IRN_LR_INPUTS))


def study_points(name: str, settings: ComparisonSettings) -> dict[str, list[tuple[float, float]]]:
    key = relevant(settings, STUDY_INPUTS[name])
    series = {"temperature": ("IRN",), "jpeg": ("IRN", "bicubic↓ + SR")}[name]
    return {s: [(float(x), value(name, s, x, key)) for x in (1, 2, 3)] for s in series}


@dataclass
class Info:
    path: Path
    kind: str
    scale: int
    architecture: str = "stub"

    @property
    def label(self) -> str:
        return self.path.name


class StubPipelines:
    """The functions of irn_studio.control.tasks, instant and deterministic."""

    @staticmethod
    def weights_problem(models, settings):
        return None

    @staticmethod
    def model_label(models, settings):
        return "stub"

    @staticmethod
    def study_provenance(name, settings, **extra):
        return Provenance("irn", settings, STUDY_INPUTS[name], latent="drawn", **extra)

    @staticmethod
    def comparison(ctx, *, models, settings, hr, view_region, priority=None, icc=None):
        if settings.weights and f"x{settings.scale}" not in settings.weights:
            raise WeightsError(f"{settings.weights} is not x{settings.scale}")
        _send(ctx, "irn_lr", lr_value(settings), Provenance("irn", settings, IRN_LR_INPUTS))
        StubPipelines._irn_hr(ctx, settings)
        _send(
            ctx, "bicubic_lr", baseline_value("bicubic_lr", settings), Provenance("bicubic", settings, BASELINE_INPUTS)
        )
        for kind in ("bicubic", "lanczos", "sr"):
            inputs = SR_INPUTS if kind == "sr" else BASELINE_INPUTS
            _send(ctx, kind, baseline_value(kind, settings), Provenance(kind, settings, inputs), maps=True)
        ctx.emit(m.ComparisonDone(np.zeros((3, 4, 4), np.float32), "z", {"psnr_y": 40.0}, 0.0))

    @staticmethod
    def _irn_hr(ctx, settings):
        latent = "oracle" if settings.oracle_z else "drawn"
        _send(
            ctx, "irn_hr", irn_hr_value(settings), Provenance("irn", settings, IRN_HR_INPUTS, latent=latent), maps=True
        )

    @staticmethod
    def region_pass(ctx, *, models, settings, hr, view_region, icc=None):
        (r0, r1), (c0, c1) = view_region
        for kind in ("irn_hr", "bicubic", "lanczos", "sr"):
            ctx.emit(m.TileArrived(kind, r0, c0, np.zeros((r1 - r0, c1 - c0, 3), np.uint8)))

    @staticmethod
    def restoration(ctx, *, models, settings, lr, reference, output_size, oracle_latent, priority=None, icc=None):
        StubPipelines._irn_hr(ctx, settings)
        ctx.emit(m.ComparisonDone())

    @staticmethod
    def draws(ctx, *, models, settings, lr, reference, output_size, count, icc=None):
        for i in range(count):
            prov = Provenance(
                "irn", settings.replace(seed=settings.seed + i), DRAW_INPUTS, latent="drawn", draw_index=i
            )
            v = draw_value(settings, i)
            ctx.emit(
                m.DrawArrived(i, settings.seed + i, SessionResult.of("irn_hr", image(v), prov, metrics={"psnr_y": v}))
            )
        prov = StubPipelines.study_provenance("draws", settings, draws=count)
        for kind in ("mean_draw", "std_map"):
            ctx.emit(
                m.ResultArrived(
                    SessionResult.of(kind, image(value(kind, relevant(settings, STUDY_INPUTS["draws"]), count)), prov)
                )
            )

    @staticmethod
    def draw_maps(ctx, *, result, reference, scale, icc=None):
        v = float(result.pixels.flat[0])
        _send(ctx, "irn_hr", v, result.provenance, maps=True)

    @staticmethod
    def temperature_sweep(ctx, *, models, settings, lr, reference, temperatures, count):
        for series, points in study_points("temperature", settings).items():
            for x, y in points:
                ctx.emit(m.StudyPoint("temperature", series, x, y))

    @staticmethod
    def jpeg_study(ctx, *, models, settings, lr, reference, qualities):
        for series, points in study_points("jpeg", settings).items():
            for x, y in points:
                ctx.emit(m.StudyPoint("jpeg", series, x, y))

    @staticmethod
    def region_metrics(ctx, *, targets, measured, reference, scale, region, view_region):
        ctx.emit(m.RegionMetrics(view_region, {k: {"psnr_y": float(v.flat[0])} for k, v in targets.items()}, measured))

    @staticmethod
    def check_checkpoint(ctx, *, path):
        name = Path(path).name
        return Info(Path(path), "irn" if name.startswith("irn") else "sr", int(name.split("_x")[1][0]))

    @staticmethod
    def save_png(ctx, *, path, pixels, overwrite, provenance, lr_of=None, photo=None):
        if "unwritable" in str(path):
            raise OSError(f"{path}: permission denied")
        return f"saved {Path(path).name}"


def make_session(settings: ComparisonSettings | None = None) -> tuple[AppSession, ManualExecutor]:
    executor = ManualExecutor()
    session = AppSession(SessionStore(settings or ComparisonSettings(scale=2)), executor, StubPipelines, None)
    return session, executor


def open_stub_image(session: AppSession, name: str = "a.png") -> None:
    session.open_array(image(value("hr", name)), name)
