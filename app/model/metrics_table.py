"""Which cells of the metrics table hold the best value of their column, the reference lines of the study
plots, and the table as CSV."""

from __future__ import annotations

import csv
import io
import itertools
import math

from .kinds import label
from .readouts import FIDELITY, metrics_rows, whole_metrics
from .results import METRIC_COLUMNS
from .state import SessionState

LOWER_IS_BETTER = {"flip"}  # FLIP is an error; PSNR and SSIM are similarities


def best_metric_cells(store: SessionState) -> set[tuple[int, int]]:
    """(row, column) of the best value in each column of ``metrics_rows(store)`` among current compared
    results: a stale row never wins, nor the IRN LR's fidelity row (another question). Ties mark every
    holder; a column with fewer than two values marks nothing. Values compare as shown (rounded), and only
    with rows of the same scope (a first region's figures never against a whole image's)."""
    rows = metrics_rows(store)
    best: set[tuple[int, int]] = set()
    for scope, column in itertools.product(("whole", "region"), range(len(METRIC_COLUMNS) + 2)):
        values = {}
        for r, row in enumerate(rows):
            text = row.cells[column]
            if row.scope == scope and row.kind != FIDELITY and row.state.current and text not in ("–", "∞"):
                values[r] = float(text)
        if len(values) < 2:
            continue
        name = (list(dict(METRIC_COLUMNS)) + ["psnr_y", "ssim_y"])[column]
        target = (min if name in LOWER_IS_BETTER else max)(values.values())
        best |= {(r, column) for r, value in values.items() if value == target}
    return best


def reference_levels(store: SessionState) -> list[tuple[str, float]]:
    """(label, whole-image PSNR-Y) of the current baselines a plot of IRN's PSNR-Y is read against: bicubic
    and SR (Lanczos where no SR ran)."""
    out = []
    for kind in ("bicubic", "sr" if "sr" in store.results else "lanczos"):
        value = whole_metrics(store, kind).get("psnr_y")
        if value is not None and math.isfinite(value) and store.state_of(kind).current:
            out.append((label(kind), float(value)))
    return out


def metrics_csv(store: SessionState) -> str:
    """The metrics table as CSV: one row a method, whole image and visible region, its state and provenance."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["method", "psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb", "flip", "view_psnr_y", "view_ssim_y"]
    writer.writerow(header + ["state", "provenance"])
    for row in metrics_rows(store):
        result = store.results.get(row.kind)
        if row.scope == "region":
            origin = "the region computed first; the whole image is not done"
        else:
            origin = result.caption() if result is not None else "IRN LR vs bicubic LR"
        writer.writerow([row.label] + row.cells + [row.state.status, origin])
    return out.getvalue()
