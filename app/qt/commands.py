"""The controller's one-off jobs: latent studies (draws, temperature, JPEG), exports (PNG, CSV,
figures) and the metrics of the visible region. Mixins of SessionController, which owns the runners,
signals and session model they use."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ..model import KINDS
from ..model.kinds import COMPARED_KINDS
from ..model.metrics_table import metrics_csv
from . import tasks


class StudyCommands:
    # ----- studies: draws, temperature, JPEG -----
    def _study_inputs(self, study: str, title: str, *, needs_original: bool) -> tuple | None:
        s = self.session
        lr = s.results.get("irn_lr")
        if lr is None or (needs_original and s.reference is None) or not s.is_current("irn_lr"):
            where = " on an original image" if needs_original else ""
            self.message.emit("error", f"the {title} needs a current IRN run{where}: press Run first")
            return None
        s.start_study(study)
        return lr.pixels, s.reference

    def sample(self, draws: int) -> bool:
        """Restore the current LR with ``draws`` latents; fills draw_ready, then std/mean results."""
        inputs = self._study_inputs("draws", "draw sampling", needs_original=False)
        if inputs is None:
            return False
        lr, hr = inputs
        self.study_runner.submit(
            partial(
                tasks.sample_task,
                models=self.models,
                settings=self.settings,
                lr=lr,
                reference=hr,
                output_size=self.session.output_size,
                draws=draws,
                icc=self.session.icc_profile,
            )
        )
        return True

    def show_draw(self, index: int) -> None:
        """Show draw ``index`` of the last sampling in the IRN restored panes, with its own metrics."""
        if self.session.show_draw(index):
            self.metrics_updated.emit()
            self.update_region_metrics()

    def temperature_study(self, temperatures=(0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5), draws: int = 2) -> bool:
        inputs = self._study_inputs("temperature", "temperature study", needs_original=True)
        if inputs is None:
            return False
        self.study_runner.submit(
            partial(
                tasks.temperature_task,
                models=self.models,
                settings=self.settings,
                lr=inputs[0],
                reference=inputs[1],
                temperatures=temperatures,
                draws=draws,
            )
        )
        return True

    def jpeg_study(self, qualities=(None, 95, 90, 80, 70, 60, 50, 40, 30, 20, 10)) -> bool:
        """PSNR-Y of IRN and of bicubic↓ + SR (bicubic↑ when no SR model) when the LR is stored as JPEG."""
        inputs = self._study_inputs("jpeg", "JPEG study", needs_original=True)
        if inputs is None:
            return False
        self.study_runner.submit(
            partial(
                tasks.jpeg_task,
                models=self.models,
                settings=self.settings,
                lr=inputs[0],
                reference=inputs[1],
                qualities=qualities,
            )
        )
        return True

    def cancel_study(self) -> None:
        self.study_runner.cancel()


class ExportCommands:
    # ----- saving -----
    def save_result(self, kind: str, path: str | Path, *, overwrite: bool = False) -> bool:
        """Write one result as PNG in a worker (the IRN LR with its metadata); never replaces a file
        unless ``overwrite`` (the caller asked the user)."""
        result = self.session.results.get(kind)
        if result is None:
            self.message.emit("error", f"nothing to save: {KINDS.get(kind, kind)} is not computed")
            return False
        s = self.session
        lr_of = (self.models, self.settings, s.image) if kind == "irn_lr" and not s.lr_only else None
        photo = s.image.photo if s.image is not None else None
        self.save_runner.submit(
            partial(tasks.save_png_task, path=path, pixels=result.pixels, overwrite=overwrite, lr_of=lr_of, photo=photo)
        )
        return True

    def save_metrics(self, path: str | Path, *, overwrite: bool = False) -> bool:
        return self.save_text(path, metrics_csv(self.session), overwrite=overwrite)

    def save_text(self, path: str | Path, text: str, *, overwrite: bool = False) -> bool:
        """Write ``text`` (a CSV) in a worker: atomically, and never over an existing file unless asked."""
        self.save_runner.submit(partial(tasks.save_text_task, path=path, text=text, overwrite=overwrite))
        return True

    def save_figure(self, path: str | Path, panels: list[tuple[str, str]], region, *, overwrite: bool = False) -> bool:
        """A paper-style figure: the visible ``region`` of each (kind, label) side by side, with metrics and
        where each result came from."""
        items = []
        for kind, label in panels:
            result = self.session.results.get(kind)
            if result is None:
                continue
            m = self.session.region_metrics.get(kind) or result.metrics
            caption = label + (f"  {m['psnr_y']:.2f} dB / {m['ssim_y']:.4f}" if m else "")
            if result.provenance is not None:
                caption += f"\n{result.caption()}"
            items.append((caption, result.pixels, kind))
        if not items:
            self.message.emit("error", "nothing to put in a figure yet: run a comparison first")
            return False
        self.save_runner.submit(
            partial(
                tasks.save_figure_task,
                path=path,
                items=items,
                region=region,
                scale=self.settings.scale,
                overwrite=overwrite,
            )
        )
        return True

    # ----- folders -----
    def process_folder(self, folder: str | Path, out_dir: str | Path, operation: str) -> bool:
        """Downscale, round-trip or restore every image of ``folder`` into ``out_dir`` in a worker, at the
        current scale and latent settings; files whose outputs record these settings are skipped (a rerun resumes)."""
        from irn_core.analysis.file_plan import plan_files
        from irn_core.errors import IRNError

        try:  # outputs named for the whole folder first: same-named files never share one, none is an input
            plan = plan_files([folder], Path(out_dir), command=operation, scale=self.settings.scale)
        except IRNError as exc:
            self.message.emit("error", str(exc))
            return False
        items = plan.items
        self.batch.start(operation, items, Path(out_dir))
        self.batch_runner.submit(
            partial(tasks.batch_task, models=self.models, settings=self.settings, items=items, operation=operation)
        )
        return True

    def cancel_batch(self) -> None:
        self.batch_runner.cancel()


class RegionCommands:
    # ----- metrics of the visible region -----
    def set_visible_region(self, region) -> None:
        self.visible_region = region
        self.update_region_metrics()

    def update_region_metrics(self) -> None:
        """Metrics of the visible region for every result, off the GUI thread; latest request wins."""
        reference, region = self.session.reference, self.visible_region
        if reference is None or region is None:
            return
        h, w = reference.shape[:2]
        (r0, r1), (c0, c1) = region
        r0, r1, c0, c1 = max(0, r0), min(h, r1), max(0, c0), min(w, c1)
        if r1 - r0 < 11 or c1 - c0 < 11:
            return
        targets = {k: v.pixels for k, v in self.session.results.items() if k in COMPARED_KINDS}
        if targets:
            self.metrics_runner.submit(
                partial(
                    tasks.region_metrics_task,
                    targets=targets,
                    reference=reference,
                    scale=self.settings.scale,
                    region=((r0, r1), (c0, c1)),
                )
            )

    def _on_region_metrics(self, result) -> None:
        if result is not None:
            self.session.region_metrics = result
            self.region_metrics_updated.emit()
