"""The session: the image, the chosen scale and model, the results and their metrics.

A QObject whose signals the widgets bind to (model/view split): widgets never compute, they
show what the controller holds. All model work runs in JobRunner workers; the GUI thread only
ever holds numpy arrays.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThreadPool, Signal

import irn_core
from irn_core.baselines import BicubicBaseline, LanczosBaseline, bicubic_downscale
from irn_core.io import ImageIOError, LoadedImage, read_image, to_uint8
from irn_core.lrfile import lr_metadata, lr_warnings, read_lr_info
from irn_core.metrics import psnr, ssim
from irn_core.sampling import jpeg_roundtrip
from irn_core.weights import (WeightsError, bundled_weights_path, checkpoint_scale, describe_weights, load_irn,
                              model_name, weights_fingerprint)

from .jobs import JobRunner

# What a pane can show, in menu order: key -> label.
KINDS = {
    "hr": "Original HR",
    "irn_hr": "IRN restored",
    "irn_lr": "IRN LR",
    "bicubic": "Bicubic↓ + Bicubic↑",
    "lanczos": "Bicubic↓ + Lanczos↑",
    "sr": "Bicubic↓ + SR net↑",
    "bicubic_lr": "Bicubic LR",
    "error:irn_hr": "Error |IRN − HR|",
    "error:bicubic": "Error |Bicubic − HR|",
    "error:sr": "Error |SR − HR|",
    "mean_draw": "Mean of sampled draws",
    "std_map": "Std over sampled draws",
}
LR_KINDS = ("irn_lr", "bicubic_lr")
COMPARED_KINDS = ("irn_hr", "bicubic", "lanczos", "sr")


@dataclass
class Result:
    """One image the session shows: float pixels for metrics, uint8 for display."""

    kind: str
    pixels: np.ndarray
    display: np.ndarray
    note: str = ""


def make_result(kind: str, pixels: np.ndarray, note: str = "") -> Result:
    return Result(kind, pixels, to_uint8(pixels) if pixels.ndim == 3 else pixels, note)


@dataclass
class Settings:
    scale: int = 4
    weights: str | None = None        # None: the bundled weights for the scale
    seed: int = 0
    temperature: float = 1.0
    oracle_z: bool = False
    sr_model: str | None = None       # a spandrel/our SR checkpoint; None: bundled when present
    jpeg_quality: int | None = None   # store the IRN LR as JPEG of this quality before upscaling


@dataclass
class Session:
    image: LoadedImage | None = None
    lr_only: bool = False
    lr_info: object = None
    results: dict[str, Result] = field(default_factory=dict)
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    region_metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    latent: np.ndarray | None = None    # oracle z of the last downscale
    draws: list = field(default_factory=list)           # DrawResult of the last sampling
    draw_psnrs: list[float] = field(default_factory=list)
    temperature_curve: list[tuple[float, float]] = field(default_factory=list)
    jpeg_curves: dict[str, list[tuple[int, float]]] = field(default_factory=dict)


class _ModelCache:
    """Loaded rescalers by (weights path); loading happens in worker threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rescalers: dict[str, irn_core.IRNRescaler] = {}

    def get(self, path: Path, scale: int) -> irn_core.IRNRescaler:
        key = str(path.resolve())
        with self._lock:
            if key not in self._rescalers:
                self._rescalers[key] = irn_core.IRNRescaler(load_irn(path, scale=scale))
            return self._rescalers[key]


def metrics_of(pixels: np.ndarray, reference: np.ndarray, scale: int, region=None) -> dict[str, float]:
    """PSNR/SSIM (Y and RGB) against the original; NaN where an image is too small to measure
    (SSIM needs 11x11 pixels after the border crop)."""
    border = 0 if region is not None else scale
    if min(reference.shape[:2]) <= 2 * border + 1:
        border = 0
    out = {}
    for name, fn, y in (("psnr_y", psnr, True), ("ssim_y", ssim, True), ("psnr_rgb", psnr, False),
                        ("ssim_rgb", ssim, False)):
        try:
            out[name] = fn(pixels, reference, crop_border=border, y_channel=y, region=region)
        except ValueError:
            out[name] = float("nan")
    return out


class SessionController(QObject):
    image_loaded = Signal()
    result_updated = Signal(str)
    results_cleared = Signal()
    tile_ready = Signal(str, int, int, object)   # kind, HR row, HR col, uint8 pixels
    metrics_updated = Signal()
    region_metrics_updated = Signal()
    progress = Signal(int, int, str)
    busy_changed = Signal(int)  # 1 busy, 0 idle (PySide6 6.12 leaks refs of Python bools sent through signals)
    message = Signal(str, str)                   # level ("info", "warning", "error"), text
    info_changed = Signal()
    run_finished = Signal()
    draw_ready = Signal(int, float)              # draw index, PSNR-Y (nan without an original)
    sampling_finished = Signal()
    temperature_point = Signal(float, float)
    jpeg_point = Signal(str, int, float)         # method, quality (101 = lossless), PSNR-Y
    study_progress = Signal(int, int, str)
    saved = Signal(str)

    def __init__(self, parent=None, *, pool: QThreadPool | None = None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self.settings = Settings()
        self.session = Session()
        self.models = _ModelCache()
        self.device_text = "loading…"
        self.visible_region: tuple[tuple[int, int], tuple[int, int]] | None = None
        self.runner = JobRunner(self.pool, user_errors=(ValueError, ImageIOError, WeightsError, OSError))
        self.runner.progress.connect(self.progress)
        self.runner.partial.connect(self._on_partial)
        self.runner.finished.connect(self._on_run_finished)
        self.runner.failed.connect(lambda text: self.message.emit("error", text))
        self.runner.cancelled.connect(lambda: self.message.emit("info", "cancelled"))
        self.runner.busy_changed.connect(self.busy_changed)
        self.metrics_runner = JobRunner(self.pool)
        self.metrics_runner.finished.connect(self._on_region_metrics)
        self.study_runner = JobRunner(self.pool, user_errors=(ValueError, ImageIOError, WeightsError, OSError))
        self.study_runner.partial.connect(self._on_study_partial)
        self.study_runner.progress.connect(self.study_progress)
        self.study_runner.failed.connect(lambda text: self.message.emit("error", text))
        self.study_runner.finished.connect(lambda _r: self.sampling_finished.emit())
        self.save_runner = JobRunner(self.pool, user_errors=(ValueError, ImageIOError, OSError))
        self.save_runner.finished.connect(lambda text: (self.saved.emit(text), self.message.emit("info", text)))
        self.save_runner.failed.connect(lambda text: self.message.emit("error", text))
        # checkpoints chosen by the user are opened here, not on the GUI thread (torch, spandrel)
        self.model_check_runner = JobRunner(self.pool, user_errors=(ValueError, WeightsError, OSError))
        self.model_check_runner.finished.connect(self._on_model_checked)
        self.model_check_runner.failed.connect(self._on_model_check_failed)
        self._run_after_model_check = False
        self.extra_runners = [self.study_runner, self.save_runner, self.model_check_runner]
        self._run_started = 0.0
        self.device_text = irn_core.rescaler.device_description(irn_core.pick_device())

    # ----- state queries -----
    @property
    def busy(self) -> bool:
        return self.runner.busy

    def result(self, kind: str) -> Result | None:
        return self.session.results.get(kind)

    def available_scales(self) -> list[int]:
        return [s for s in (2, 4, 8) if bundled_weights_path(s) is not None] or [2, 4]

    def weights_path(self) -> Path:
        if self.settings.weights:
            return Path(self.settings.weights)
        path = bundled_weights_path(self.settings.scale)
        if path is None:
            raise WeightsError(f"no bundled IRN x{self.settings.scale} weights; "
                               "load a checkpoint with Model → Load IRN weights…")
        return path

    def model_label(self) -> str:
        try:
            path = self.weights_path()
        except WeightsError:
            return "no weights"
        return ("bundled " if not self.settings.weights else "") + path.name

    def weights_description(self) -> list[tuple[str, str]]:
        """What the IRN weights in use are and how they were trained; an error row when unreadable."""
        try:
            return describe_weights(self.weights_path())
        except WeightsError as exc:
            return [("Error", str(exc))]

    # ----- loading -----
    def open_image(self, path: str | Path) -> bool:
        """Load an image (or an LR written by IRN Studio); on failure keep what was loaded."""
        try:
            image = read_image(path)
        except ImageIOError as exc:
            self.message.emit("error", str(exc))
            return False
        info = read_lr_info(image)
        self.runner.cancel()
        self.session = Session(image=image, lr_only=info is not None, lr_info=info)
        if info is not None:
            if info.scale in (2, 4, 8):
                self.settings.scale = info.scale
            self.session.results["irn_lr"] = make_result("irn_lr", image.pixels)
            self.message.emit("info", f"{image.path.name} is an IRN x{info.scale} LR image ({info.model}); "
                              "restoring it. Metrics need the original, which this file does not hold.")
        else:
            self.session.results["hr"] = make_result("hr", image.pixels)
        for note in image.notes:
            self.message.emit("info", f"{image.path.name}: {note}")
        self.results_cleared.emit()
        self.image_loaded.emit()
        for kind in self.session.results:
            self.result_updated.emit(kind)
        return True

    def open_array(self, pixels: np.ndarray, name: str) -> None:
        """Show an in-memory image (used by the sample gallery and tests)."""
        image = LoadedImage(path=Path(name), pixels=np.ascontiguousarray(pixels, np.float32), bit_depth=8)
        self.runner.cancel()
        self.session = Session(image=image)
        self.session.results["hr"] = make_result("hr", image.pixels)
        self.results_cleared.emit()
        self.image_loaded.emit()
        self.result_updated.emit("hr")

    def set_scale(self, scale: int) -> None:
        if scale != self.settings.scale:
            self.settings.scale = scale
            self.info_changed.emit()

    def set_weights(self, path: str | None) -> None:
        """Use an IRN checkpoint from disk (None: the bundled weights); its scale is adopted.

        The file is opened in a worker; a run asked for meanwhile starts once it is checked.
        """
        if path is None:
            self.model_check_runner.cancel()
            self.settings.weights = None
            self.info_changed.emit()
            if self._run_after_model_check:
                self._run_after_model_check = False
                self.run()
            return
        self.message.emit("info", f"checking {Path(path).name}…")
        self.model_check_runner.submit(lambda ctx: ("irn", str(path), checkpoint_scale(path), "IRN"))

    def set_sr_model(self, path: str | None) -> None:
        """Use an SR checkpoint from disk for the SR pane (None: ours); it must be a x{scale} model
        spandrel knows. Checked in a worker like ``set_weights``."""
        if path is None:
            self.settings.sr_model = None
            self.info_changed.emit()
            return

        def check(ctx):
            from irn_core.sr import load_sr_model
            _, scale, architecture = load_sr_model(path)
            return "sr", str(path), scale, architecture
        self.message.emit("info", f"checking {Path(path).name}…")
        self.model_check_runner.submit(check)

    @property
    def checking_model(self) -> bool:
        return self.model_check_runner.busy

    def _on_model_checked(self, result) -> None:
        kind, path, scale, architecture = result
        name = Path(path).name
        if kind == "irn":
            self.settings.weights, self.settings.scale = path, scale
            self.message.emit("info", f"using {name} (IRN x{scale})")
        elif scale != self.settings.scale:
            self._run_after_model_check = False
            self.message.emit("error", f"{name} is a x{scale} {architecture} model; "
                              f"the comparison is at x{self.settings.scale}")
            return
        else:
            self.settings.sr_model = path
            self.message.emit("info", f"SR pane: {name} ({architecture} x{scale})")
        self.info_changed.emit()
        if self._run_after_model_check:
            self._run_after_model_check = False
            self.run()

    def _on_model_check_failed(self, text: str) -> None:
        self._run_after_model_check = False
        self.message.emit("error", text)

    # ----- running -----
    def cancel(self) -> None:
        self.runner.cancel()

    def run(self) -> bool:
        """Downscale, upscale and run the baselines in a worker (cancels any run in progress)."""
        image = self.session.image
        if image is None:
            self.message.emit("error", "open an image first (File → Open, or a sample)")
            return False
        if self.checking_model:
            self._run_after_model_check = True
            return True
        try:
            weights = self.weights_path()
        except WeightsError as exc:
            self.message.emit("error", str(exc))
            return False
        settings = Settings(**vars(self.settings))
        lr_only, lr_info = self.session.lr_only, self.session.lr_info
        keep = {"hr", "irn_lr"} if lr_only else {"hr"}
        self.session.results = {k: v for k, v in self.session.results.items() if k in keep}
        self.session.metrics, self.session.region_metrics, self.session.timings = {}, {}, {}
        self.results_cleared.emit()
        for kind in self.session.results:
            self.result_updated.emit(kind)
        priority = None
        if self.visible_region is not None:
            (r0, r1), (c0, c1) = self.visible_region
            priority = ((r0 + r1) / 2 / settings.scale, (c0 + c1) / 2 / settings.scale)
        self._run_started = time.perf_counter()
        self.runner.submit(lambda ctx: _run_job(ctx, self.models, weights, image, settings, lr_only, lr_info,
                                                priority))
        return True

    def resample(self, *, seed: int | None = None, temperature: float | None = None,
                 oracle_z: bool | None = None) -> None:
        """Change the latent settings and restore again from the current LR."""
        if seed is not None:
            self.settings.seed = seed
        if temperature is not None:
            self.settings.temperature = temperature
        if oracle_z is not None:
            self.settings.oracle_z = oracle_z
        self.info_changed.emit()
        self.restore()

    def set_jpeg_quality(self, quality: int | None) -> None:
        """Store the IRN LR as JPEG of ``quality`` (None: lossless) before restoring, and restore again."""
        self.settings.jpeg_quality = quality
        self.info_changed.emit()
        self.restore()

    def _inputs_for_restore(self):
        lr = self.session.results.get("irn_lr")
        if lr is None:
            return None
        hr = None if self.session.lr_only else self.session.results.get("hr")
        info = self.session.lr_info
        size = hr.pixels.shape[:2] if hr is not None else (info.original_size if info else None)
        return lr.pixels, (hr.pixels if hr is not None else None), size

    def restore(self) -> bool:
        """Upscale the current IRN LR again with the current latent settings (no new downscale)."""
        inputs = self._inputs_for_restore()
        if inputs is None:
            return self.run() if self.session.image is not None else False
        try:
            weights = self.weights_path()
        except WeightsError as exc:
            self.message.emit("error", str(exc))
            return False
        lr, hr, size = inputs
        settings = Settings(**vars(self.settings))
        latent = self.session.latent
        priority = None
        if self.visible_region is not None:
            (r0, r1), (c0, c1) = self.visible_region
            priority = ((r0 + r1) / 2 / settings.scale, (c0 + c1) / 2 / settings.scale)
        self._run_started = time.perf_counter()
        self.runner.submit(lambda ctx: _restore_job(ctx, self.models, weights, lr, hr, size, latent, settings,
                                                    priority, dict(self.session.metrics)))
        return True

    # ----- studies: draws, temperature, JPEG -----
    def sample(self, draws: int) -> bool:
        """Restore the current LR with ``draws`` latents; fills draw_ready, then std/mean results."""
        inputs = self._inputs_for_restore()
        if inputs is None:
            self.message.emit("error", "run IRN first: sampling needs its LR image")
            return False
        lr, hr, size = inputs
        weights, settings = self.weights_path(), Settings(**vars(self.settings))
        self.session.draws, self.session.draw_psnrs = [], []

        def job(ctx):
            from irn_core.sampling import sample_draws
            rescaler = self.models.get(weights, settings.scale)

            def on_draw(draw):
                ctx.emit("draw", draw)
                ctx.progress(draw.index + 1, draws, f"draw {draw.index + 1}/{draws}")
            sample = sample_draws(rescaler, jpeg_roundtrip(lr, settings.jpeg_quality), draws=draws,
                                  seed=settings.seed, temperature=settings.temperature, reference=hr,
                                  output_size=size, on_draw=on_draw, cancel=ctx.cancel)
            ctx.emit("mean_draw", make_result("mean_draw", sample.mean, f"mean of {draws} draws"))
            std = sample.std.mean(axis=2)
            ctx.emit("std_map", Result("std_map", std, std,
                                       f"per-pixel std over {draws} draws, mean {std.mean() * 255:.2f} levels"))
            return None
        self.study_runner.submit(job)
        return True

    def show_draw(self, index: int) -> None:
        """Show draw ``index`` of the last sampling in the IRN restored panes."""
        if 0 <= index < len(self.session.draws):
            draw = self.session.draws[index]
            self.session.results["irn_hr"] = make_result("irn_hr", draw.image,
                                                         f"draw {index} (seed {draw.seed}, T={draw.temperature:g})")
            self.result_updated.emit("irn_hr")

    def temperature_study(self, temperatures=(0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5), draws: int = 2) -> bool:
        inputs = self._inputs_for_restore()
        if inputs is None or inputs[1] is None:
            self.message.emit("error", "the temperature study needs an original image and an IRN run")
            return False
        lr, hr, _ = inputs
        weights, settings = self.weights_path(), Settings(**vars(self.settings))
        self.session.temperature_curve = []

        def job(ctx):
            from irn_core.sampling import temperature_sweep
            rescaler = self.models.get(weights, settings.scale)
            done = {"n": 0}

            def on_point(t, value):
                done["n"] += 1
                ctx.emit("temperature", (t, value))
                ctx.progress(done["n"], len(temperatures), f"temperature {t:g}")
            return temperature_sweep(rescaler, lr, hr, temperatures=temperatures, seed=settings.seed,
                                     draws=draws, on_point=on_point, cancel=ctx.cancel)
        self.study_runner.submit(job)
        return True

    def jpeg_study(self, qualities=(None, 95, 90, 80, 70, 60, 50, 40, 30, 20, 10)) -> bool:
        """PSNR-Y of IRN and of bicubic↓ + SR (bicubic↑ when no SR model) when the LR is stored as JPEG."""
        inputs = self._inputs_for_restore()
        if inputs is None or inputs[1] is None:
            self.message.emit("error", "the JPEG study needs an original image and an IRN run")
            return False
        lr, hr, _ = inputs
        weights, settings = self.weights_path(), Settings(**vars(self.settings))
        self.session.jpeg_curves = {}

        def job(ctx):
            from irn_core.baselines import make_baseline
            rescaler = self.models.get(weights, settings.scale)
            try:
                other = make_baseline("sr", scale=settings.scale, path=settings.sr_model)
            except (ValueError, FileNotFoundError, ImportError):
                other = BicubicBaseline(scale=settings.scale)
            bicubic_lr = bicubic_downscale(_pad_to(hr, settings.scale), scale=settings.scale)
            for i, quality in enumerate(qualities):
                restored = rescaler.upscale(jpeg_roundtrip(lr, quality), seed=settings.seed,
                                            temperature=settings.temperature, output_size=hr.shape[:2],
                                            cancel=ctx.cancel)
                q = 101 if quality is None else quality
                ctx.emit("jpeg", ("IRN", q, psnr(restored, hr, crop_border=settings.scale, y_channel=True)))
                up = other.upscale(jpeg_roundtrip(bicubic_lr, quality))[: hr.shape[0], : hr.shape[1]]
                label = "bicubic↓ + SR" if other.name != "bicubic" else "bicubic↓ + bicubic↑"
                ctx.emit("jpeg", (label, q, psnr(up, hr, crop_border=settings.scale, y_channel=True)))
                ctx.progress(i + 1, len(qualities), f"JPEG q{q if q <= 100 else ' lossless'}")
            return None
        self.study_runner.submit(job)
        return True

    def cancel_study(self) -> None:
        self.study_runner.cancel()

    def _on_study_partial(self, name: str, payload) -> None:
        if name == "draw":
            self.session.draws.append(payload)
            value = payload.psnr_y if payload.psnr_y is not None else float("nan")
            self.session.draw_psnrs.append(value)
            self.draw_ready.emit(payload.index, value)
        elif name == "temperature":
            self.session.temperature_curve.append(payload)
            self.temperature_point.emit(*payload)
        elif name == "jpeg":
            method, quality, value = payload
            self.session.jpeg_curves.setdefault(method, []).append((quality, value))
            self.jpeg_point.emit(method, quality, value)
        else:
            self.session.results[name] = payload
            self.result_updated.emit(name)

    # ----- saving -----
    def save_result(self, kind: str, path: str | Path, *, overwrite: bool = False) -> bool:
        """Write one result as PNG in a worker (the IRN LR with its metadata); never replaces a file
        unless ``overwrite`` (the caller asked the user)."""
        result = self.session.results.get(kind)
        if result is None:
            self.message.emit("error", f"nothing to save: {KINDS.get(kind, kind)} is not computed")
            return False
        pixels = result.pixels
        with_metadata = kind == "irn_lr" and not self.session.lr_only and self.session.image is not None
        weights, scale = (self.weights_path(), self.settings.scale) if with_metadata else (None, None)
        original_size = self.session.image.pixels.shape[:2] if with_metadata else None

        def job(ctx):
            from irn_core.figure import colorize
            from irn_core.io import write_png
            data, metadata = pixels, None
            if with_metadata:  # loading and hashing the weights is torch work: here, not on the GUI thread
                net = self.models.get(weights, scale).net
                metadata = lr_metadata(scale=scale, model=model_name(net, weights),
                                       fingerprint=weights_fingerprint(net), original_size=original_size)
            if data.ndim == 2:  # error and std maps are saved as colour maps
                data = colorize(data)
            write_png(path, data, metadata=metadata, overwrite=overwrite)
            return f"saved {Path(path).name}"
        self.save_runner.submit(job)
        return True

    def metrics_csv(self) -> str:
        import csv
        import io as _io
        out = _io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["method", "psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb", "view_psnr_y", "view_ssim_y"])
        for kind, m in self.session.metrics.items():
            view = self.session.region_metrics.get(kind, {})
            writer.writerow([KINDS.get(kind, kind)] + [f"{m.get(k, float('nan')):.4f}" for k in
                                                       ("psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb")]
                            + [f"{view.get(k, float('nan')):.4f}" for k in ("psnr_y", "ssim_y")])
        return out.getvalue()

    def save_metrics(self, path: str | Path, *, overwrite: bool = False) -> bool:
        text = self.metrics_csv()

        def job(ctx):
            from irn_core.io import write_bytes_atomic
            write_bytes_atomic(path, text.encode(), overwrite=overwrite)
            return f"saved {Path(path).name}"
        self.save_runner.submit(job)
        return True

    def save_figure(self, path: str | Path, panels: list[tuple[str, str]], region, *, overwrite: bool = False) -> bool:
        """A paper-style figure: the visible ``region`` of each (kind, label) side by side, with metrics."""
        items = []
        for kind, label in panels:
            result = self.session.results.get(kind)
            if result is None:
                continue
            m = self.session.region_metrics.get(kind) or self.session.metrics.get(kind)
            caption = label + (f"  {m['psnr_y']:.2f} dB / {m['ssim_y']:.4f}" if m else "")
            items.append((caption, result.pixels, kind))
        if not items:
            self.message.emit("error", "nothing to put in a figure yet: run a comparison first")
            return False
        scale = self.settings.scale

        def job(ctx):
            from irn_core.figure import comparison_figure
            from irn_core.io import write_png
            write_png(path, comparison_figure(items, region=region, scale=scale), overwrite=overwrite)
            return f"saved {Path(path).name}"
        self.save_runner.submit(job)
        return True

    def _on_partial(self, name: str, payload) -> None:
        if name == "tile":
            kind, row, col, pixels = payload
            self.tile_ready.emit(kind, row, col, pixels)
        elif name == "timing":
            self.session.timings.update(payload)
            self.info_changed.emit()
        elif name == "latent":
            self.session.latent = payload
        elif name == "metrics":
            self.session.metrics = payload
            self.metrics_updated.emit()
            self.update_region_metrics()
        elif name == "warning":
            self.message.emit("warning", payload)
        else:
            self.session.results[name] = payload
            self.result_updated.emit(name)

    def _on_run_finished(self, _result) -> None:
        self.session.timings["total"] = time.perf_counter() - self._run_started
        self.info_changed.emit()
        self.run_finished.emit()

    # ----- region metrics -----
    def set_visible_region(self, region) -> None:
        self.visible_region = region
        self.update_region_metrics()

    def update_region_metrics(self) -> None:
        """Metrics of the visible region for every result, off the GUI thread; latest request wins."""
        hr = self.session.results.get("hr")
        region = self.visible_region
        if hr is None or region is None:
            return
        h, w = hr.pixels.shape[:2]
        (r0, r1), (c0, c1) = region
        r0, r1, c0, c1 = max(0, r0), min(h, r1), max(0, c0), min(w, c1)
        if r1 - r0 < 11 or c1 - c0 < 11:
            return
        targets = {k: v.pixels for k, v in self.session.results.items() if k in COMPARED_KINDS}
        if not targets:
            return
        scale = self.settings.scale

        def job(ctx):
            out = {}
            for kind, pixels in targets.items():
                if ctx.cancel.is_set():
                    return None
                if pixels.shape == hr.pixels.shape:
                    out[kind] = metrics_of(pixels, hr.pixels, scale, ((r0, r1), (c0, c1)))
            return out
        self.metrics_runner.submit(job)

    def _on_region_metrics(self, result) -> None:
        if result is not None:
            self.session.region_metrics = result
            self.region_metrics_updated.emit()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the workers; True when none is left running."""
        self.runner.cancel()
        self.metrics_runner.cancel()
        for runner in getattr(self, "extra_runners", []):
            runner.cancel()
        return self.pool.waitForDone(timeout_ms)


PREVIEW_MIN_PIXELS = 1_000_000
PREVIEW_EDGE = 384


def _preview(ctx, rescaler, hr: np.ndarray, settings: Settings, priority) -> np.ndarray:
    """Round-trip a small crop around the point the user looks at, so that a restored result is on
    screen within seconds of opening a large photograph; returns the whole-image latent it used, so
    the full run restores with the same z (the preview then matches it up to tiling error)."""
    s = settings.scale
    h, w = hr.shape[:2]
    lr_h, lr_w = -(-h // s), -(-w // s)
    z = rescaler.draw_latent(lr_h, lr_w, temperature=settings.temperature, seed=settings.seed)
    centre_r, centre_c = (priority[0] * s, priority[1] * s) if priority else (h / 2, w / 2)
    edge = min(PREVIEW_EDGE, h - h % s, w - w % s)
    r0 = int(np.clip(centre_r - edge / 2, 0, h - edge)) // s * s
    c0 = int(np.clip(centre_c - edge / 2, 0, w - edge)) // s * s
    ctx.progress(0, 0, "preview of the visible region")
    crop = hr[r0:r0 + edge, c0:c0 + edge]
    lr_crop = rescaler.downscale(crop, cancel=ctx.cancel)
    zc = z[:, r0 // s:r0 // s + lr_crop.shape[0], c0 // s:c0 // s + lr_crop.shape[1]]
    restored = rescaler.upscale(lr_crop, z=zc, cancel=ctx.cancel)
    ctx.emit("tile", ("irn_hr", r0, c0, to_uint8(restored)))
    return z


def _restore_job(ctx, models: _ModelCache, weights: Path, lr: np.ndarray, hr: np.ndarray | None, size,
                 latent, settings: Settings, priority, metrics: dict) -> None:
    """Upscale an existing LR again (new seed, temperature, oracle z or JPEG), and update IRN's metrics."""
    scale = settings.scale
    rescaler = models.get(weights, scale)
    stored = jpeg_roundtrip(lr, settings.jpeg_quality)
    use_oracle = settings.oracle_z and latent is not None and latent.shape[1:] == lr.shape[:2]

    def on_tile(tile, pixels):
        ctx.emit("tile", ("irn_hr", tile.row0 * scale, tile.col0 * scale, to_uint8(pixels)))
    t = time.perf_counter()
    restored = rescaler.upscale(stored, temperature=settings.temperature, seed=settings.seed,
                                z=latent if use_oracle else None, output_size=size,
                                progress=lambda d, n: ctx.progress(d, n, f"IRN upscale {d}/{n}"),
                                cancel=ctx.cancel, on_tile=on_tile, priority=priority)
    ctx.emit("timing", {"upscale": time.perf_counter() - t})
    notes = ["oracle z" if use_oracle else f"seed {settings.seed}, T={settings.temperature:g}"]
    if settings.jpeg_quality is not None:
        notes.append(f"LR as JPEG q{settings.jpeg_quality}")
    ctx.emit("irn_hr", make_result("irn_hr", restored, ", ".join(notes)))
    if hr is not None and restored.shape == hr.shape:
        error = np.abs(restored - hr).mean(axis=2)
        ctx.emit("error:irn_hr", Result("error:irn_hr", error, error, "mean |x − HR| over RGB"))
        metrics = dict(metrics)
        metrics["irn_hr"] = metrics_of(restored, hr, scale)
        ctx.emit("metrics", metrics)
    return None


def _run_job(ctx, models: _ModelCache, weights: Path, image: LoadedImage, settings: Settings,
             lr_only: bool, lr_info, priority) -> None:
    """The whole comparison, in a worker: IRN down/up, baselines, error maps, metrics."""
    scale = settings.scale
    ctx.progress(0, 0, f"loading {weights.name}")
    rescaler = models.get(weights, scale)
    hr = None if lr_only else image.pixels
    steps = 3 if lr_only else 7
    step = {"n": 0}

    def stage(text: str):
        step["n"] += 1
        return lambda done, total: ctx.progress(step["n"] - 1, steps, f"{text} {done}/{total}")

    drawn_z = None  # the preview's latent, reused by the full restoration
    if lr_only:
        lr = image.pixels
        fingerprint = weights_fingerprint(rescaler.net)
        for warning in lr_warnings(image, lr_info, scale=scale, fingerprint=fingerprint):
            ctx.emit("warning", warning)
        output_size = lr_info.original_size if lr_info and lr_info.original_size else None
        if output_size and (output_size[0] > lr.shape[0] * scale or output_size[1] > lr.shape[1] * scale):
            output_size = None
        z = None
    else:
        if hr.shape[0] * hr.shape[1] > PREVIEW_MIN_PIXELS and not settings.oracle_z \
                and settings.jpeg_quality is None:
            drawn_z = _preview(ctx, rescaler, hr, settings, priority)
        t = time.perf_counter()
        lr, z = rescaler.encode(hr, progress=stage("IRN downscale"), cancel=ctx.cancel)
        ctx.emit("timing", {"downscale": time.perf_counter() - t})
        ctx.emit("latent", z)
        ctx.emit("irn_lr", make_result("irn_lr", lr))
        output_size = hr.shape[:2]
    if settings.jpeg_quality is not None:
        lr = jpeg_roundtrip(lr, settings.jpeg_quality)
        z_note = f"LR stored as JPEG q{settings.jpeg_quality}"
    else:
        z_note = ""
    use_oracle = settings.oracle_z and z is not None

    def on_tile(tile, pixels):
        ctx.emit("tile", ("irn_hr", tile.row0 * scale, tile.col0 * scale, to_uint8(pixels)))

    t = time.perf_counter()
    restored = rescaler.upscale(lr, temperature=settings.temperature, seed=settings.seed,
                                z=z if use_oracle else drawn_z, output_size=output_size,
                                progress=stage("IRN upscale"), cancel=ctx.cancel, on_tile=on_tile,
                                priority=priority)
    ctx.emit("timing", {"upscale": time.perf_counter() - t})
    note = "oracle z" if use_oracle else f"seed {settings.seed}, T={settings.temperature:g}"
    ctx.emit("irn_hr", make_result("irn_hr", restored, ", ".join(filter(None, [note, z_note]))))
    if lr_only:
        ctx.progress(steps, steps, "done")
        return None

    outputs = {"irn_hr": restored}
    baselines = [BicubicBaseline(scale=scale), LanczosBaseline(scale=scale)]
    try:
        from irn_core.baselines import make_baseline
        baselines.append(make_baseline("sr", scale=scale, path=settings.sr_model))
    except (ValueError, FileNotFoundError, ImportError) as exc:
        ctx.emit("warning", f"SR baseline unavailable: {exc}")
    bicubic_lr = bicubic_downscale(_pad_to(hr, scale), scale=scale)
    ctx.emit("bicubic_lr", make_result("bicubic_lr", bicubic_lr))
    for baseline in baselines:
        if ctx.cancel.is_set():
            return None
        kind = baseline.name if baseline.name in ("bicubic", "lanczos") else "sr"
        ctx.progress(step["n"], steps, baseline.name)
        step["n"] += 1
        t = time.perf_counter()
        _, up = baseline.roundtrip(hr)
        outputs[kind] = up
        ctx.emit(kind, make_result(kind, up, baseline.name))
        ctx.emit("timing", {kind: time.perf_counter() - t})
    ctx.progress(steps - 1, steps, "metrics")
    metrics = {}
    for kind, pixels in outputs.items():
        if ctx.cancel.is_set():
            return None
        error = np.abs(pixels - hr).mean(axis=2)
        ctx.emit(f"error:{kind}", Result(f"error:{kind}", error, error, "mean |x − HR| over RGB"))
        metrics[kind] = metrics_of(pixels, hr, scale)
    irn_lr = to_uint8(lr).astype(np.float32) / 255
    metrics["lr_fidelity"] = {"psnr_y": psnr(irn_lr, bicubic_lr, y_channel=True),
                              "ssim_y": ssim(irn_lr, bicubic_lr, y_channel=True) if min(lr.shape[:2]) >= 11
                              else float("nan")}
    ctx.emit("metrics", metrics)
    ctx.progress(steps, steps, "done")
    return None


def _pad_to(img: np.ndarray, scale: int) -> np.ndarray:
    pad_h, pad_w = (-img.shape[0]) % scale, (-img.shape[1]) % scale
    if not (pad_h or pad_w):
        return img
    return np.pad(img, ((0, pad_h), (0, pad_w), (0, 0)), mode="symmetric")
