"""What views say, as functions of the store: pane captions and badges, metrics rows, the shared error
scale, and the machine-readable record of a pane. Qt-free, so plain pytest checks the words."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from .kinds import BASELINE_KINDS, COMPARED_KINDS, label
from .results import METRIC_COLUMNS, format_metric
from .staleness import CURRENT, ItemState, first_region_state, region_metrics_current
from .state import SessionState

FIDELITY = "lr_fidelity"


@dataclass(frozen=True)
class MetricsRow:
    """scope: "whole" (the whole image, and the region in view) or "region" (a large photo's first region,
    before its whole image is done: its values fill the first four columns, and its label says so)."""

    kind: str
    label: str
    cells: list[str]
    state: ItemState
    scope: str = "whole"


def whole_metrics(store: SessionState, kind: str) -> dict[str, float]:
    """Whole-image metrics of ``kind`` as computed (its FLIP from its own FLIP map only)."""
    if kind == FIDELITY:
        return dict(store.lr_fidelity)
    result = store.results.get(kind)
    if result is None or kind not in COMPARED_KINDS:
        return {}
    out = {k: v for k, v in result.metrics.items() if k != "flip"}
    flip = store.results.get(f"flip:{kind}")
    if flip is not None and flip.provenance == result.provenance and "flip" in flip.metrics:
        out["flip"] = flip.metrics["flip"]
    return out


def fidelity_state(store: SessionState) -> ItemState:
    lr = store.results.get("irn_lr")
    state = store.state_of("irn_lr")
    if lr is None or lr.provenance != store.lr_fidelity_of:
        return ItemState("stale", "of an earlier IRN LR")
    return state


def row_state(store: SessionState, kind: str) -> ItemState:
    return fidelity_state(store) if kind == FIDELITY else store.state_of(kind)


def metric_row_kinds(store: SessionState) -> list[str]:
    """The kinds of the metrics table's rows, in order (the IRN LR's fidelity last)."""
    kinds = [k for k in COMPARED_KINDS if k in store.results]
    return kinds + ([FIDELITY] if store.lr_fidelity else [])


def metrics_rows(store: SessionState) -> list[MetricsRow]:
    """Whole-image PSNR-Y, SSIM-Y, PSNR-RGB, SSIM-RGB, FLIP, then PSNR-Y and SSIM-Y of the region in view
    (only when measured on the result shown, over the region shown), with each row's state."""
    rows = []
    for kind in metric_row_kinds(store):
        whole = whole_metrics(store, kind)
        view = store.region_metrics.get(kind, {}) if region_metrics_current(store, kind) else {}
        cells = [format_metric(whole.get(k), d) for k, d in METRIC_COLUMNS]
        cells += [format_metric(view.get(k), d) for k, d in METRIC_COLUMNS[:2]]
        name = "IRN LR vs bicubic LR" if kind == FIDELITY else label(kind)
        rows.append(MetricsRow(kind, name, cells, row_state(store, kind)))
    return rows + first_region_rows(store)


def region_text(region: tuple[tuple[int, int], tuple[int, int]]) -> str:
    (r0, r1), (c0, c1) = region
    return f"region {c1 - c0}×{r1 - r0} at ({c0}, {r0})"


def first_region_rows(store: SessionState) -> list[MetricsRow]:
    """Rows of a large photo's first region for the methods whose whole image is not done yet: PSNR-Y, SSIM-Y,
    PSNR-RGB and SSIM-RGB of that region (no FLIP, no view columns), labelled with the region."""
    first = store.first_region
    if first is None:
        return []
    rows = []
    for kind in COMPARED_KINDS:
        if kind in first.metrics and kind not in store.results:
            values = first.metrics[kind]
            cells = [format_metric(values.get(k), d) for k, d in METRIC_COLUMNS[:4]] + ["–"] * 3
            name = f"{label(kind)} · {region_text(first.region)}"
            rows.append(MetricsRow(kind, name, cells, first_region_state(store, kind), scope="region"))
    return rows


def pane_caption(store: SessionState, kind: str) -> str:
    """Metrics and where the result came from; whether it is current is said by the badge on the image."""
    whole = whole_metrics(store, kind)
    text = ""
    if whole.get("psnr_y") is not None:
        text = f"PSNR-Y {format_metric(whole['psnr_y'], 2)} dB · SSIM-Y {format_metric(whole.get('ssim_y'), 4)}"
        if region_metrics_current(store, kind):
            text += f"   (view {format_metric(store.region_metrics[kind].get('psnr_y'), 2)} dB)"
    result = store.results.get(kind)
    if result is not None and result.provenance is not None:
        text = f"{text}   [{result.caption()}]" if text else f"[{result.caption()}]"
    first = store.first_region
    if result is None and first is not None and kind in first.metrics and first_region_state(store, kind).current:
        values = first.metrics[kind]
        text = (  # the figures first: a narrow pane clips the caption's end
            f"PSNR-Y {format_metric(values.get('psnr_y'), 2)} dB · SSIM-Y {format_metric(values.get('ssim_y'), 4)}"
            f" of the {region_text(first.region)} (whole image computing)"
        )
    return text


def shared_error_scale(store: SessionState, kinds: list[str]) -> float | None:
    """One colour scale for every error map shown (levels): the largest 99.5th percentile among them."""
    tops = [store.results[k].top_level() for k in kinds if k.startswith(("error:", "signed:")) and k in store.results]
    return max(max(tops), 1.0) if tops else None


def best_baseline_kind(store: SessionState) -> str:
    """The current baseline with the highest PSNR-Y, else SR, else bicubic."""
    scored = [
        (whole_metrics(store, kind).get("psnr_y"), kind)
        for kind in BASELINE_KINDS
        if kind in store.results and store.state_of(kind).current
    ]
    scored = [(v, k) for v, k in scored if v is not None]
    if scored:
        return max(scored)[1]
    return "sr" if "sr" in store.results else "bicubic"


def provenance_record(store: SessionState, kind: str) -> dict[str, Any] | None:
    result = store.results.get(kind)
    provenance = None if result is None else result.provenance
    if provenance is None:
        return None
    used = provenance.settings
    return {
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
        "describe": dataclasses.replace(provenance, seconds=0.0).describe(),  # no timing: records repeat
    }


def tile_covers(tile, region: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    """Whether a shown tile (HR position row, col; pixels (rows, cols, ...)) holds all of ``region``."""
    (r0, r1), (c0, c1) = region
    h, w = tile.pixels.shape[:2]
    return tile.row <= r0 and tile.col <= c0 and tile.row + h >= r1 and tile.col + w >= c1


def visible_computed(store: SessionState, kind: str, region: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    """Whether what a pane showing ``kind`` has in ``region`` (HR pixels, clipped to the image) is computed:
    its whole result is current, or its tiles (the region-first pass, finished tiles) cover the region."""
    if store.state_of(kind).current and kind in store.results:
        return True
    tiles = store.tiles.get(kind, [])
    (r0, r1), (c0, c1) = region
    if not tiles or r1 <= r0 or c1 <= c0:
        return False
    if any(tile_covers(t, region) for t in tiles):  # the usual case, a region-first tile holding the whole view
        return True
    covered = np.zeros((r1 - r0, c1 - c0), bool)
    for t in tiles:
        h, w = t.pixels.shape[:2]
        covered[max(t.row - r0, 0) : max(t.row + h - r0, 0), max(t.col - c0, 0) : max(t.col + w - c0, 0)] = True
    return bool(covered.all())


def view_metrics_in(store: SessionState, kinds: list[str]) -> bool:
    """Whether the metrics table has a current row for every compared method among ``kinds`` (what the panes
    show; a map counts for the method it maps): the whole image's, or a large photo's region holding the centre
    of the view (an earlier region's rows are not the view's)."""
    methods = {kind.split(":", 1)[-1] for kind in kinds} & set(COMPARED_KINDS)
    shown = {row.kind for row in metrics_rows(store) if row.scope == "whole" and row.state.current}
    first, view = store.first_region, store.view.region
    if first is not None:
        if view is None:
            h, w = store.image.pixels.shape[:2] if store.image is not None else (0, 0)
            centre = (h / 2, w / 2)
        else:
            centre = ((view[0][0] + view[0][1]) / 2, (view[1][0] + view[1][1]) / 2)
        (r0, r1), (c0, c1) = first.region
        if r0 <= centre[0] <= r1 and c0 <= centre[1] <= c1:
            shown |= {kind for kind in first.metrics if first_region_state(store, kind).current}
    return methods <= shown


def pane_record(store: SessionState, kind: str) -> dict[str, Any]:
    """What a pane showing ``kind`` holds: label, state, badge, provenance and metrics. Deterministic: no
    timings, so the same script gives the same record."""
    result = store.results.get(kind)
    state = store.state_of(kind)
    record: dict[str, Any] = {
        "kind": kind,
        "label": label(kind),
        "computed": result is not None,
        "state": state.status,
        "stale": state.stale,
        "badge": state.badge(),
    }
    if result is not None:
        record["provenance"] = provenance_record(store, kind)
        record["metrics"] = whole_metrics(store, kind)
        record["view_metrics"] = dict(store.region_metrics.get(kind, {})) if region_metrics_current(store, kind) else {}
    return record


def metrics_record(store: SessionState) -> list[dict[str, Any]]:
    return [
        {
            "kind": row.kind,
            "label": row.label,
            "cells": row.cells,
            "state": row.state.status,
            "stale": row.state.stale,
            "scope": row.scope,
            "provenance": provenance_record(store, row.kind) if row.scope == "whole" else None,
        }
        for row in metrics_rows(store)
    ]


def study_curves(store: SessionState) -> list[dict[str, Any]]:
    """Every study curve the explorer can plot: kind, series, points, the settings it used and its state."""
    curves = []
    for name, study in store.studies.items():
        state = store.study_state(name)
        series = dict(study.points)
        if study.draws:
            series["IRN per draw"] = [(float(d.index), d.psnr_y) for d in study.draws]
        for title, points in series.items():
            curves.append(
                {
                    "study": name,
                    "series": title,
                    "points": [[float(x), float(y)] for x, y in sorted(points)],
                    "provenance": study.provenance.describe(),
                    "state": state.status,
                    "stale": state.stale,
                    "badge": state.badge(),
                }
            )
    return curves


__all__ = ["CURRENT", "MetricsRow", "metrics_rows", "pane_caption", "pane_record", "study_curves"]
