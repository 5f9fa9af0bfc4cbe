"""``python -m irn_studio.qt.benchmark``: GUI responsiveness figures, printed (a command, not a test).

- the longest GUI-thread stall while a comparison runs (a 5 ms timer measures the gaps between its ticks);
- the time from opening an image to its metrics on screen;
- the time to the first restored tile on screen, and to every pane's view computed (large images: the
  region-first pass of every method, irn_core.analysis.region);
- with --pan: once the view is computed, a pan to the image's far (bottom-right) corner, and the time to
  every pane's view computed there;
- with --first-result-only: stop once every pane's view is computed (after the pan, with --pan), and the
  time from Esc (cancel) to the worker having really stopped; without it, the whole comparison done;
- with --cli: the command line's ``irn roundtrip`` of the same photo afterwards, and the app's whole
  comparison against it plus the baselines' own time (the throughput target: within 1.2x).
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
    p.add_argument(
        "--format",
        choices=("jpg", "png"),
        default="png",
        help="the test file's format: png (the figures before 0.9.0), or jpg at quality 95 as a camera writes",
    )
    p.add_argument("--scale", type=int, default=4)
    p.add_argument("--zoom", type=float, default=1.0, help="the view's zoom at the image centre (1: 1:1)")
    p.add_argument("--weights", help="IRN weights (default: bundled)")
    p.add_argument(
        "--first-result-only",
        action="store_true",
        help="stop once the first restored pixels are on screen (for very large images)",
    )
    p.add_argument("--window", type=int, nargs=2, default=(1280, 720), metavar=("W", "H"), help="window size")
    p.add_argument("--pan", action="store_true", help="pan to the far corner once the view is computed")
    p.add_argument("--cli", action="store_true", help="time `irn roundtrip` of the same photo afterwards")
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from irn_core.device import keep_freed_memory

    keep_freed_memory()  # as the app's main does: the figures are the app's
    import numpy as np
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    from skimage import data

    _app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive for the run)
    import tempfile

    from irn_core.io.writing import write_jpeg, write_png

    from .window import MainWindow

    w, h = args.size
    base = data.astronaut().astype(np.float32) / 255
    reps = (-(-h // 512), -(-w // 512), 1)
    image = np.tile(base, reps)[:h, :w]
    folder = tempfile.mkdtemp()
    if args.format == "jpg":
        path = write_jpeg(os.path.join(folder, f"bench_{w}x{h}.jpg"), image, quality=95)
    else:
        path = write_png(os.path.join(folder, f"bench_{w}x{h}.png"), image)
    window = MainWindow(settings=QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat))
    window.session.set_scale(args.scale)
    if args.weights:
        window.session.set_weights(args.weights)
    window.resize(*args.window)
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
        waiting = "view_computed" not in marks or ("pan" in marks and "pan_computed" not in marks)
        if waiting and any(a.startswith(("tile:", "result:", "view")) for a in aspects):
            regions = visible_regions(window)
            if "pan" in marks and not all(r0 >= far[0] and c0 >= far[1] for (r0, _r1), (c0, _c1) in regions):
                return  # the panes have not moved yet
            if all(visible_computed(store, p.kind, r) for p, r in zip(window.panes, regions)):
                marks["pan_computed" if "pan" in marks else "view_computed"] = clock.elapsed()
                if args.pan and "pan" not in marks:
                    (r0, r1), (c0, c1) = regions[0]
                    far[:] = [h - (r1 - r0), w - (c1 - c0)]
                    marks["pan"] = clock.elapsed()
                    # A person's pan is an input event of its own, not part of the results' redraw.
                    centre = (h - (r1 - r0) / 2, w - (c1 - c0) / 2)
                    QTimer.singleShot(0, lambda: window.session.set_view(centre=centre))
                elif args.first_result_only and "cancel" not in marks:
                    marks["cancel"] = clock.elapsed()
                    window.session.cancel()
        if "metrics" in aspects and store.results.get("irn_hr") is not None and store.results["irn_hr"].metrics:
            marks.setdefault("metrics", clock.elapsed())

    far = [0, 0]  # the top-left corner of the view panned to
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
    # Waiting blocks until the next event (the 5 ms ticker's at the latest): a busy loop here took a core from
    # the decoding worker, which a person's app, idle in its event loop, does not.
    wait = QEventLoop.ProcessEventsFlag.WaitForMoreEvents
    while window.store.image is None:
        QApplication.processEvents(wait)
    marks["decoded"] = clock.elapsed()
    window.session.set_view(zoom=args.zoom, centre=(h / 2, w / 2))
    while window.store.view.region is None or window.store.view.zoom != args.zoom:  # laid out: the view is known
        QApplication.processEvents(wait)
    window.session.run()
    loop.exec()
    ticker.stop()
    window.controller.shutdown()
    device, (window_w, window_h) = window.controller.device_text, args.window
    print(f"image {w}x{h} {args.format}, x{args.scale}, {device}, window {window_w}x{window_h}")
    print(f"open -> photo decoded and shown:       {(marks['decoded'] - marks['opened']) / 1000:.2f} s")
    print(f"open -> first restored tile on screen: {marks.get('first_tile', float('nan')) / 1000:.2f} s")
    print(f"open -> second restored tile:          {marks.get('second_tile', float('nan')) / 1000:.2f} s")
    print(f"open -> every pane's view computed:    {marks.get('view_computed', float('nan')) / 1000:.2f} s")
    if "pan" in marks:
        pan_s = (marks.get("pan_computed", float("nan")) - marks["pan"]) / 1000
        print(f"pan to the far corner -> its view computed: {pan_s:.2f} s")
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
    if args.cli:
        _compare_with_cli(
            path, args.scale, store, whole_s=(marks.get("finished", float("nan")) - marks["decoded"]) / 1000
        )
    return 0


def _compare_with_cli(path, scale: int, store, *, whole_s: float) -> None:
    """``irn roundtrip`` of the same file in a fresh process, timed; the app's whole comparison (from the photo
    shown to the run finished: region first, IRN, baselines, maps) against it plus the baselines' own time."""
    import subprocess
    import tempfile
    import time

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "irn_core", "roundtrip", str(path), "-o", out, "--scale", str(scale)],
                       check=True, capture_output=True)  # fmt: skip
        cli_s = time.perf_counter() - started
    baselines_s = sum(
        store.results[kind].provenance.seconds for kind in ("bicubic", "lanczos", "sr") if kind in store.results
    )
    print(f"CLI `irn roundtrip` of the same photo: {cli_s:.1f} s (fresh process, start-up included)")
    print(f"baselines' own time in the app:        {baselines_s:.1f} s")
    print(f"app whole comparison / (CLI round trip + baselines): {whole_s / (cli_s + baselines_s):.2f}")


if __name__ == "__main__":
    sys.exit(main())
