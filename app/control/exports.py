"""Saving results, metrics and figures, and processing folders. Qt-free. Saves queue and each reports its
success or its error; nothing replaces a file unless the caller asked the user."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from irn_core.errors import IRNError

from ..model import messages as m
from ..model.kinds import label
from ..model.metrics_table import metrics_csv
from ..model.readouts import provenance_record, whole_metrics
from .services import Services


def provenance_text(record: dict | None) -> dict[str, str]:
    """A result's provenance as PNG text chunks ("irn_studio:seed" = "3", ...)."""
    if not record:
        return {}
    return {f"irn_studio:{k}": str(v) for k, v in record.items() if v not in (None, "")}


class ExportCommands:
    def __init__(self, services: Services):
        self.services = services
        self.store = services.store

    def save_result(self, kind: str, path: str | Path, *, overwrite: bool = False) -> bool:
        """Write one result as PNG with its provenance (the IRN LR also with what restores it). A stale result
        is saved as asked, with a warning that says so (the window asks first)."""
        s = self.store
        result = s.results.get(kind)
        if result is None:
            s.apply(m.Notice("error", f"nothing to save: {label(kind)} is not computed"))
            return False
        state = s.state_of(kind)
        if state.stale:
            s.apply(m.Notice("warning", f"saving {label(kind)} although it is out of date ({state.reason})"))
        record = (provenance_record(s, kind) or {}) | {"state": state.status}
        lr_of = (self.services.models, s.settings, s.image) if kind == "irn_lr" and not s.lr_only else None
        photo = s.image.photo if s.image is not None else None
        job = partial(self.services.pipelines.save_png, path=path, pixels=result.pixels, overwrite=overwrite,
                      provenance=provenance_text(record), lr_of=lr_of, photo=photo)  # fmt: skip
        return self.services.start("save", job) is not None

    def save_metrics(self, path: str | Path, *, overwrite: bool = False) -> bool:
        return self.save_text(path, metrics_csv(self.store), overwrite=overwrite)

    def save_text(self, path: str | Path, text: str, *, overwrite: bool = False) -> bool:
        """Write ``text`` (a CSV) atomically, never over an existing file unless asked."""
        job = partial(self.services.pipelines.save_text, path=path, text=text, overwrite=overwrite)
        return self.services.start("save", job) is not None

    def save_figure(self, path: str | Path, panels: list[tuple[str, str]], region, *, overwrite: bool = False) -> bool:
        """A paper-style figure: the visible ``region`` of each (kind, label) side by side, with metrics and where
        each result came from; stale results are left out, with a warning."""
        s = self.store
        items, left_out = [], []
        for kind, name in panels:
            result = s.results.get(kind)
            if result is None:
                continue
            if s.state_of(kind).stale:
                left_out.append(name)
                continue
            metrics = s.region_metrics.get(kind) or whole_metrics(s, kind)
            caption = name + (
                f"  {metrics['psnr_y']:.2f} dB / {metrics['ssim_y']:.4f}" if metrics.get("psnr_y") else ""
            )
            if result.provenance is not None:
                caption += f"\n{result.caption()}"
            items.append((caption, result.pixels, kind))
        if left_out:
            s.apply(m.Notice("warning", f"left out of the figure, out of date: {', '.join(left_out)}"))
        if not items:
            s.apply(m.Notice("error", "nothing current to put in a figure: run a comparison first"))
            return False
        job = partial(self.services.pipelines.save_figure, path=path, items=items, region=region,
                      scale=s.settings.scale, overwrite=overwrite)  # fmt: skip
        return self.services.start("save", job) is not None

    def process_folder(self, folder: str | Path, out_dir: str | Path, operation: str) -> bool:
        """Downscale, round-trip or restore every image of ``folder`` into ``out_dir`` at the present scale and
        latent settings; files whose outputs record these settings are skipped (a rerun resumes)."""
        from irn_core.analysis.file_plan import plan_files

        s = self.store
        if s.busy("batch"):
            s.apply(m.Notice("error", "a folder is being processed: cancel it first (expected none running)"))
            return False
        try:  # outputs named for the whole folder first: same-named files never share one, none is an input
            plan = plan_files([folder], Path(out_dir), command=operation, scale=s.settings.scale)
        except IRNError as exc:
            s.apply(m.Notice("error", str(exc)))
            return False
        s.apply(m.StartBatch(operation, plan.items, Path(out_dir)))
        job = partial(self.services.pipelines.batch, models=self.services.models, settings=s.settings,
                      items=plan.items, operation=operation)  # fmt: skip
        return self.services.start("batch", job) is not None

    def cancel_batch(self) -> None:
        self.services.cancel("batch", say=True)
