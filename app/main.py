"""Command line of the app: ``python main.py [IMAGE] [--scale 4] [--layout 2x2] [--demo] [--screenshot OUT]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="irn-studio",
        description="IRN Studio: compare invertible rescaling with bicubic and super-resolution, side by side.",
    )
    p.add_argument("image", nargs="?", help="image to open (or an LR PNG written by IRN Studio)")
    p.add_argument("--sample", help="open a built-in sample: astronaut, chelsea, coffee, rocket, retina, camera")
    p.add_argument("--scale", type=int, choices=(2, 4, 8), help="rescaling factor (default 4)")
    p.add_argument("--weights", help="IRN weights to use instead of the bundled ones")
    p.add_argument("--layout", choices=("1x1", "1x2", "1x3", "2x2"), help="pane layout")
    p.add_argument("--run", action="store_true", help="run the comparison right after opening")
    p.add_argument(
        "--demo",
        action="store_true",
        help="open a sample with a x4 comparison already computed, at 2:1 where IRN and bicubic differ most",
    )
    p.add_argument("--presentation", action="store_true", help="start in full-screen presentation mode")
    p.add_argument(
        "--screenshot", metavar="OUT.png", help="render the window once the comparison is computed, save it and exit"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="give up on --screenshot after this many seconds: the picture shows what was computed, exit code 3",
    )
    p.add_argument(
        "--settings",
        metavar="FILE.ini",
        help="remembered settings to use; --screenshot and --demo otherwise start from the defaults, never from "
        "an earlier session's, so a figure is reproducible",
    )
    return p


EXIT_TIMEOUT = 3


def _weights_problem(path: str) -> str | None:
    """Why ``path`` cannot be the IRN weights (missing, unreadable, not an IRN), or None."""
    from irn_core.errors import IRNError
    from irn_core.io.checkpoints import load_model

    try:
        load_model(path)
    except IRNError as exc:
        return f"expected IRN weights (an official .pth or our .safetensors); {exc}"
    return None


def _settings(args, folder: str):
    """The QSettings the window remembers into: --settings FILE, a fresh file for --screenshot and --demo
    (what an earlier session chose must not change a figure), else the user's own."""
    from PySide6.QtCore import QSettings

    if args.settings:
        return QSettings(args.settings, QSettings.IniFormat)
    if args.screenshot or args.demo:
        return QSettings(os.path.join(folder, "irn-studio.ini"), QSettings.IniFormat)
    return None


def run(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.screenshot and "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from .platform_check import platform_problem

    problem = platform_problem(screenshot=bool(args.screenshot))
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.weights:  # before any window: a wrong file is a one-line error, not a wait for --timeout
        problem = _weights_problem(args.weights)
        if problem:
            print(f"irn-studio: --weights {args.weights}: {problem}", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="irn-studio-") as folder:
        return _run(args, folder)


def _run(args, folder: str) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from irn_core.device import keep_freed_memory

    keep_freed_memory()  # the app owns its process: large photos run 1.4x faster (irn_core.device)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("IRN Studio")
    app.setOrganizationName("IRN Studio")
    from .qt.window import MainWindow
    from .samples import sample_path

    window = MainWindow(settings=_settings(args, folder))
    controller = window.controller
    if args.scale:
        controller.set_scale(args.scale)
    if args.weights:
        controller.set_weights(args.weights)
    if args.layout or args.demo:
        window.set_layout(args.layout or "2x2")
    window.show()
    if args.presentation and hasattr(window, "set_presentation"):
        window.set_presentation(True)

    image = args.image
    if args.demo and not image and not args.sample:
        args.sample = "astronaut"
        if not args.scale:
            controller.set_scale(4)
    opened = False
    if image:
        opened = window.open_path(image)
    elif args.sample:
        try:
            opened = window.open_path(sample_path(args.sample))
        except ValueError as exc:
            window.show_message("error", str(exc))
    status = {"code": 0}
    if opened and (args.run or args.demo or args.screenshot):
        QTimer.singleShot(0, controller.run)

    def first_look() -> None:
        if not (args.demo and window.focus_largest_difference()):
            window.zoom_fit()

    if args.demo and not args.screenshot:
        controller.run_finished.connect(first_look)  # once: later runs keep the user's view

        def once() -> None:
            controller.run_finished.disconnect(first_look)
            controller.run_finished.disconnect(once)

        controller.run_finished.connect(once)

    if args.screenshot:
        # A local event loop, not app.exec()/quit(): quitting the application would also end every
        # event loop started later in this process (tests run the app in-process).
        loop = QEventLoop()
        deadline = QTimer(singleShot=True)
        done = {"saved": False}

        def expired() -> None:
            if done["saved"]:
                return
            print(
                f"irn-studio: --timeout {args.timeout:g} s expired before the comparison was computed; "
                f"{args.screenshot} shows what was (its JSON marks each pane's state)",
                file=sys.stderr,
            )
            status["code"] = EXIT_TIMEOUT
            save_and_quit()

        def save_and_quit() -> None:
            if done["saved"]:
                return
            done["saved"] = True
            deadline.stop()
            try:
                window.grab_screenshot(args.screenshot)
                print(f"wrote {args.screenshot}")
            except Exception as exc:  # report, never hang
                print(f"irn-studio: cannot save screenshot: {exc}", file=sys.stderr)
                status["code"] = 1
            window.close()
            loop.quit()

        def after_run() -> None:
            first_look()
            QTimer.singleShot(1500, save_and_quit)  # let the visible-region metrics arrive

        controller.run_finished.connect(after_run)
        controller.message.connect(lambda level, text: print(f"{level}: {text}", file=sys.stderr))
        if not opened:
            QTimer.singleShot(200, save_and_quit)
            status["code"] = 1
        else:
            controller.run_failed.connect(lambda _t: (status.update(code=1), QTimer.singleShot(200, save_and_quit)))
        deadline.timeout.connect(expired)
        deadline.start(int(args.timeout * 1000))
        loop.exec()
        return status["code"]
    return app.exec()
