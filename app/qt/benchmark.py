"""``python -m irn_studio.qt.benchmark``: GUI responsiveness figures, printed (a command, not a test).

- the longest GUI-thread stall while a comparison runs (a 5 ms timer measures the gaps between its ticks);
- the time from opening an image to its metrics on screen;
- the time to the first restored tile on screen, and to every pane's view computed (large images: the
  region-first pass of every method, irn_core.analysis.region);
- with --first-result-only: stop once every pane's view is computed, and the time from Esc (cancel) to the
  worker having really stopped.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--size",
        type=int,
        nargs=2,
        default=(512, 512),
        metavar=("W", "H"),
        help="test image size (a crop or tiling of scikit-image's astronaut)",
    )
    p.add_argument("--scale", type=int, default=4)
    p.add_argument("--zoom", type=float, default=1.0, help="the view's zoom at the image centre (1: 1:1)")
    p.add_argument("--weights", help="IRN weights (default: bundled)")
    p.add_argument(
        "--first-result-only",
        action="store_true",
        help="stop once the first restored pixels are on screen (for very large images)",
    )
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    from skimage import data

    _app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive for the run)
    import tempfile

    from irn_core.io import write_png

    from .window import MainWindow

    w, h = args.size
    base = data.astronaut().astype(np.float32) / 255
    reps = (-(-h // 512), -(-w // 512), 1)
    image = np.tile(base, reps)[:h, :w]
    folder = tempfile.mkdtemp()
    path = write_png(os.path.join(folder, f"bench_{w}x{h}.png"), image)
    window = MainWindow(settings=QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat))
    window.session.set_scale(args.scale)
    if args.weights:
        window.session.set_weights(args.weights)
    window.resize(1400, 900)
    window.show()

    clock = QElapsedTimer()
    gaps: list[int] = []
    gap_ends: list[int] = []
    last: dict[str, int | None] = {"t": None}

    def tick():
        now = clock.elapsed()
        if last["t"] is not None:
            gaps.append(now - last["t"])
            gap_ends.append(now)
        last["t"] = now

    ticker = QTimer(interval=5)
    ticker.timeout.connect(tick)
    marks: dict[str, int] = {}
    loop = QEventLoop()

    store = window.store

    from ..model.readouts import visible_computed
    from .screenshot import visible_regions

    def on_change(aspects):
        if "tile:irn_hr" in aspects:
            if "first_tile" in marks:
                marks.setdefault("second_tile", clock.elapsed())
            marks.setdefault("first_tile", clock.elapsed())
        if "view_computed" not in marks and any(a.startswith(("tile:", "result:")) for a in aspects):
            regions = visible_regions(window)
            if all(visible_computed(store, p.kind, r) for p, r in zip(window.panes, regions)):
                marks["view_computed"] = clock.elapsed()
                if args.first_result_only and "cancel" not in marks:
                    marks["cancel"] = clock.elapsed()
                    window.session.cancel()
        if "metrics" in aspects and store.results.get("irn_hr") is not None and store.results["irn_hr"].metrics:
            marks.setdefault("metrics", clock.elapsed())

    store.changed.connect(on_change)

    def on_message(_level, text):
        if text.startswith("cancelled: the worker has stopped"):
            marks.setdefault("stopped", clock.elapsed())
            loop.quit()

    window.controller.message.connect(on_message)

    def finished() -> None:
        marks.setdefault("finished", clock.elapsed())
        loop.quit()

    def failed(text: str) -> None:
        print("failed:", text)
        loop.quit()

    window.controller.run_finished.connect(finished)
    window.controller.run_failed.connect(failed)

    clock.start()
    ticker.start()
    window.open_path(str(path))  # a large photo decodes in a worker
    marks["opened"] = clock.elapsed()
    while window.store.image is None:
        QApplication.processEvents()
    marks["decoded"] = clock.elapsed()
    window.session.set_view(zoom=args.zoom, centre=(h / 2, w / 2))
    while window.store.view.region is None or window.store.view.zoom != args.zoom:  # laid out: the view is known
        QApplication.processEvents()
    window.session.run()
    loop.exec()
    ticker.stop()
    window.controller.shutdown()
    print(f"image {w}x{h}, x{args.scale}, {window.controller.device_text}")
    print(f"open -> photo decoded and shown:       {(marks['decoded'] - marks['opened']) / 1000:.2f} s")
    print(f"open -> first restored tile on screen: {marks.get('first_tile', float('nan')) / 1000:.2f} s")
    print(f"open -> second restored tile:          {marks.get('second_tile', float('nan')) / 1000:.2f} s")
    print(f"open -> every pane's view computed:    {marks.get('view_computed', float('nan')) / 1000:.2f} s")
    if "cancel" in marks:
        stop_s = (marks.get("stopped", float("nan")) - marks["cancel"]) / 1000
        print(f"Esc -> worker stopped:                 {stop_s:.2f} s")
    print(f"open -> metrics shown:                 {marks.get('metrics', float('nan')) / 1000:.2f} s")
    print(f"open -> run finished:                  {marks.get('finished', float('nan')) / 1000:.2f} s")
    gaps_sorted = sorted(gaps)
    print(
        f"GUI thread: longest stall {max(gaps) if gaps else float('nan'):.0f} ms, "
        f"99th percentile {gaps_sorted[int(0.99 * (len(gaps_sorted) - 1))] if gaps else float('nan'):.0f} ms "
        f"(5 ms timer, {len(gaps)} ticks)"
    )
    worst = sorted(zip(gaps, gap_ends), reverse=True)[:3]
    print(
        "longest stalls (ms, ending at s after open): "
        + ", ".join(f"{gap:.0f} @ {(end - marks['opened']) / 1000:.2f}" for gap, end in worst)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
