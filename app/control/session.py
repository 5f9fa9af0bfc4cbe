"""The commands of a comparison session: open, settings, run and restore, checkpoints, cancel, the view.

Qt-free. Menus, keys, the explorer and ``--do`` scripts all call these; each changes the store through
its messages and starts jobs through ``Services.start`` under each kind's policy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from irn_core.errors import ImageIOError, IRNError

from ..model import messages as m
from ..model.jobs import Job
from ..model.kinds import KINDS
from .services import Services

RERUN_DELAY_MS = 600
BACKGROUND_OPEN_PIXELS = 2_000_000  # decoding a larger photo would hold the GUI thread past 50 ms
MAP_PREFIXES = ("error:", "signed:", "flip:")
RUN_PRODUCES = frozenset(KINDS) - {"hr", "mean_draw", "std_map"}
RESTORE_PRODUCES = frozenset({"irn_hr"} | {p + "irn_hr" for p in MAP_PREFIXES})
LR_FILE_PRODUCES = frozenset({"irn_hr", "bicubic", "lanczos", "sr"})
CANCELLED_BY_ESC = ("comparison", "region", "study", "draw", "irn_weights", "sr_model")


class SessionCommands:
    def __init__(self, services: Services, *, looking_at: Callable[[], tuple[float, float] | None]):
        """looking_at: where the view is (LR row, col), asked by the comparison's worker before each tile."""
        self.services = services
        self.store = services.store
        self.looking_at = looking_at
        self.compared = False  # a comparison of this image was asked for: keep it current from now on
        self._run_after_check = False
        self._run_after_open = False
        services.ended_listeners.append(self._on_ended)

    # ----- image -----
    def open_image(self, path: str | Path) -> bool:
        """Load an image (or an LR written by IRN Studio); on failure keep what was loaded. A photo over
        BACKGROUND_OPEN_PIXELS is decoded and prepared for display in a worker (an "open" job, the previous
        image staying up until it is ready); smaller ones at once. False, with the reason, if it cannot be read."""
        from irn_core.io.images import probe_image

        try:
            header = probe_image(path)
        except ImageIOError as exc:
            self.store.apply(m.Notice("error", str(exc)))
            return False
        if header.width * header.height > BACKGROUND_OPEN_PIXELS:
            self.store.apply(m.Notice("info", f"opening {Path(path).name} ({header.width}×{header.height})…"))
            return self.services.start("open", partial(self.services.pipelines.open_image, path=path)) is not None
        try:
            opened = self.services.pipelines.open_image(None, path=path)
        except ImageIOError as exc:
            self.store.apply(m.Notice("error", str(exc)))
            return False
        self._opened(opened)
        return True

    def _opened(self, message: m.OpenImage) -> None:
        self._open(message)
        for note in message.image.notes:
            self.store.apply(m.Notice("info", f"{message.image.path.name}: {note}"))
        if self._run_after_open:
            self._run_after_open = False
            self.run()

    def open_array(self, pixels: Any, name: str) -> None:
        """Show an in-memory (H, W, 3) float32 [0, 1] image (the sample gallery, tests)."""
        from ..model.results import image_of_array

        self._open(m.OpenImage(image_of_array(pixels, name)))

    def _open(self, message: m.OpenImage) -> None:
        for kind in ("comparison", "study", "draw", "region_metrics"):
            self.services.cancel(kind)
        self.services.executor.stop_later("rerun")
        self.store.apply(message)
        self.compared = False
        if self.store.lr_only:
            info = self.store.lr_info
            assert info is not None
            self.store.apply(
                m.Notice(
                    "info",
                    f"{message.image.path.name} is an IRN x{info.scale} LR image ({info.model}): restoring it, beside "
                    "bicubic and SR of the same LR. There are no metrics: the file does not hold the original.",
                )
            )
            self.restore()  # what a user opening an LR wants; no Run to press

    # ----- settings -----
    def update_settings(self, **changes: Any) -> bool:
        """Change settings; False with an error notice when invalid. What they make stale is recomputed after
        a short pause (RERUN_DELAY_MS), so typing a seed reruns once, not per keystroke."""
        try:
            self.store.apply(m.ChangeSettings(changes))
        except IRNError as exc:
            self.store.apply(m.Notice("error", str(exc)))
            return False
        if self.compared and self.needs() is not None:
            self.services.executor.later("rerun", RERUN_DELAY_MS, self._rerun_stale)
        return True

    def set_scale(self, scale: int) -> bool:
        return self.update_settings(scale=scale)

    def needs(self) -> str | None:
        """What brings the session up to date: "run" (a new downscale or baseline), "restore" (only the IRN
        restoration and its maps are stale), or None."""
        s = self.store
        if s.image is None:
            return None
        stale = {k for k in s.results if s.state_of(k).stale}
        if s.lr_only:
            return "restore" if "irn_hr" not in s.results or stale else None
        if "irn_lr" not in s.results or any(k != "irn_hr" and not k.endswith(":irn_hr") for k in stale):
            return "run"
        return "restore" if stale or "irn_hr" not in s.results else None

    def _rerun_stale(self) -> None:
        needs = self.needs()
        if needs == "run" and not self.checking_model:
            self.run()
        elif needs == "restore":
            self.restore()

    # ----- checkpoints: each its own slot, checked in a worker -----
    @property
    def checking_model(self) -> bool:
        return self.store.busy("irn_weights") or self.store.busy("sr_model")

    def set_weights(self, path: str | None) -> None:
        """Use an IRN checkpoint from disk (None: the bundled weights); its scale is adopted. A run asked for
        meanwhile starts once it is checked."""
        if path is None:
            self.services.cancel("irn_weights")
            self.update_settings(weights=None)
            if self._run_after_check and not self.checking_model:
                self._run_after_check = False
                self.run()
            return
        self.store.apply(m.Notice("info", f"checking {Path(path).name}…"))
        self.services.start("irn_weights", partial(self.services.pipelines.check_checkpoint, path=path))

    def set_sr_model(self, path: str | None) -> None:
        """Use an SR checkpoint from disk for the SR pane (None: ours), checked in a worker like weights."""
        if path is None:
            self.services.cancel("sr_model")
            self.update_settings(sr_model=None)
            return
        self.store.apply(m.Notice("info", f"checking {Path(path).name}…"))
        self.services.start("sr_model", partial(self.services.pipelines.check_checkpoint, path=path))

    def _checked(self, job: Job, info: Any) -> None:
        settings = self.store.settings
        if job.kind == "irn_weights" and info.kind != "irn":
            self.store.apply(m.Notice("error", f"{info.path.name} is a {info.architecture} model, not IRN weights"))
        elif job.kind == "irn_weights":
            self.update_settings(weights=str(info.path), scale=info.scale)
            self.store.apply(m.Notice("info", f"using {info.label}"))
        elif info.kind == "irn" or info.scale != settings.scale:
            self.store.apply(
                m.Notice(
                    "error",
                    f"{info.path.name} is a x{info.scale} {info.architecture} model; expected an SR model at "
                    f"x{settings.scale}, the scale of the comparison",
                )
            )
        else:
            self.update_settings(sr_model=str(info.path))
            self.store.apply(m.Notice("info", f"SR pane: {info.path.name} ({info.architecture} x{info.scale})"))

    def _on_ended(self, job: Job, ended: m.JobEnded) -> None:
        if job.kind == "open" and ended.outcome == "finished":
            self._opened(ended.value)
        if job.kind not in ("irn_weights", "sr_model"):
            return
        if ended.outcome == "finished":
            self._checked(job, ended.value)
        if self._run_after_check and not self.checking_model:
            self._run_after_check = False
            self.run()

    # ----- running -----
    @property
    def busy(self) -> bool:
        return self.store.busy("comparison")

    def _weights_ok(self) -> bool:
        problem = self.services.pipelines.weights_problem(self.services.models, self.store.settings)
        if problem:
            self.store.apply(m.Notice("error", problem))
        return problem is None

    def run(self) -> bool:
        """Downscale, upscale and run the baselines (replacing a run in progress); what is on screen stays,
        marked out of date, until its replacement arrives."""
        s = self.store
        if s.busy("open"):  # a large photo is being decoded: compare it once it is open
            self._run_after_open = True
            return True
        if s.image is None:
            s.apply(m.Notice("error", "open an image first (File → Open, or a sample)"))
            return False
        if self.checking_model:
            self._run_after_check = True
            return True
        if s.lr_only:
            return self.restore()
        if not self._weights_ok():
            return False
        self.compared = True
        self.services.executor.stop_later("rerun")
        self.services.cancel("draw")  # the restoration it brings replaces the draw shown
        self.services.cancel("region")
        job = partial(
            self.services.pipelines.comparison,
            models=self.services.models,
            settings=s.settings,
            hr=s.reference,
            view_region=s.view.region,
            priority=self.looking_at,
            icc=s.icc_profile,
        )
        return self.services.start("comparison", job, produces=RUN_PRODUCES) is not None

    def restore(self) -> bool:
        """Upscale the IRN LR again with the present latent settings (no new downscale)."""
        s = self.store
        if s.image is None or (not s.lr_only and ("irn_lr" not in s.results or self.needs() == "run")):
            return self.run() if s.image is not None else False
        if not self._weights_ok():
            return False
        self.compared = True
        self.services.executor.stop_later("rerun")
        self.services.cancel("draw")
        pipelines, common = self.services.pipelines, dict(models=self.services.models, settings=s.settings)
        if s.lr_only:
            assert s.image is not None
            job = partial(pipelines.lr_file_restoration, **common, image=s.image, info=s.lr_info,
                          priority=self.looking_at, icc=s.icc_profile)  # fmt: skip
            return self.services.start("comparison", job, produces=LR_FILE_PRODUCES) is not None
        job = partial(pipelines.restoration, **common, lr=s.results["irn_lr"].pixels, reference=s.reference,
                      output_size=s.output_size, oracle_latent=s.latent, priority=self.looking_at,
                      icc=s.icc_profile)  # fmt: skip
        return self.services.start("comparison", job, produces=RESTORE_PRODUCES) is not None

    def resample(self, **changes: Any) -> None:
        """Change seed, temperature or oracle_z (any given) and restore again now."""
        if self.update_settings(**{k: v for k, v in changes.items() if v is not None}):
            self.restore()

    def set_jpeg_quality(self, quality: int | None) -> None:
        """Store the IRN LR as JPEG of ``quality`` (None: lossless) before restoring, and restore again."""
        if self.update_settings(jpeg_quality=quality):
            self.restore()

    def cancel(self) -> None:
        """Esc: stop the comparison, study, draw maps and checkpoint checks in progress."""
        for kind in CANCELLED_BY_ESC:
            self.services.cancel(kind, say=kind == "comparison")
        self._run_after_check = False

    # ----- the view -----
    def set_view(self, **changes: Any) -> bool:
        try:
            self.store.apply(m.ChangeView(changes))
        except IRNError as exc:
            self.store.apply(m.Notice("error", str(exc)))
            return False
        return True
