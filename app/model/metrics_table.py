"""Which cells of the metrics table hold the best value of their column, so the eye finds the winner."""

from __future__ import annotations

import csv
import io
import math

from .kinds import label
from .session import METRIC_COLUMNS, SessionModel

LOWER_IS_BETTER = {"flip"}  # FLIP is an error; PSNR and SSIM are similarities


def best_metric_cells(session: SessionModel) -> set[tuple[int, int]]:
    """(row, column) of the best value in each column of ``session.metrics_rows()`` among the compared
    results (the IRN LR's fidelity row is another question and never competes). Ties mark every holder;
    a column with fewer than two values marks nothing."""
    keys = [key for key, _ in METRIC_COLUMNS] + ["view:psnr_y", "view:ssim_y"]
    best: set[tuple[int, int]] = set()
    kinds = session.metric_row_kinds()
    for column, key in enumerate(keys):
        source, name = (session.region_metrics, key[5:]) if key.startswith("view:") else (session.metrics, key)
        values = {}
        for row, kind in enumerate(kinds):
            value = source.get(kind, {}).get(name)
            if kind != "lr_fidelity" and value is not None and math.isfinite(value):
                values[row] = round(value, dict(METRIC_COLUMNS).get(name, 4))  # as shown: ties as the eye sees them
        if len(values) < 2:
            continue
        target = (min if name in LOWER_IS_BETTER else max)(values.values())
        best |= {(row, column) for row, value in values.items() if value == target}
    return best


def reference_levels(session: SessionModel) -> list[tuple[str, float]]:
    """(label, whole-image PSNR-Y) of the baselines a plot of IRN's PSNR-Y should be read against: bicubic
    and SR (Lanczos where no SR ran), from the present run's metrics; stale or missing ones are left out."""
    stale = set(session.stale_kinds())
    out = []
    for kind in ("bicubic", "sr" if "sr" in session.metrics else "lanczos"):
        value = session.metrics.get(kind, {}).get("psnr_y")
        if value is not None and math.isfinite(value) and kind not in stale:
            out.append((label(kind), float(value)))
    return out


def metrics_csv(session: SessionModel) -> str:
    """The metrics table as CSV: one row a method, whole image and visible region, with its provenance."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["method", "psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb", "flip", "view_psnr_y", "view_ssim_y", "provenance"]
    )
    for kind, m in session.metrics.items():
        view = session.region_metrics.get(kind, {})
        result = session.results.get(kind)
        writer.writerow(
            [label(kind)]
            + [f"{m.get(k, float('nan')):.4f}" for k in ("psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb", "flip")]
            + [f"{view.get(k, float('nan')):.4f}" for k in ("psnr_y", "ssim_y")]
            + [result.caption() if result is not None else "IRN LR vs bicubic LR"]
        )
    return out.getvalue()
