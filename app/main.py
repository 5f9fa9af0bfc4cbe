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
        "--do",
        metavar="COMMANDS",
        help='UI commands to perform after the comparison, separated by ";", e.g. "scale 4; seed 3; draws 4; '
        'show-draw 2; layout 2x2; pane 3 flip:irn_hr; zoom 4 at 220,140" (README: Scripting)',
    )
    p.add_argument("--script", metavar="FILE", help="the same commands from a file, one a line")
    p.add_argument(
        "--settings",
        metavar="FILE.ini",
        help="remembered settings to use; --screenshot and --demo otherwise start from the defaults, never from "
        "an earlier session's, so a figure is reproducible",
    )
    return p


EXIT_TIMEOUT = 3
# The demo: the comparison of a sample at x4, IRN beside the original and the baselines, then a 2:1 look where
# IRN and bicubic differ most.
DEMO_SCRIPT = "layout 2x2; pane 1 hr; pane 2 irn_hr; pane 3 bicubic; pane 4 sr"


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
        return QSettings(args.settings, QSettings.Format.IniFormat)
    if args.screenshot or args.demo:
        return QSettings(os.path.join(folder, "irn-studio.ini"), QSettings.Format.IniFormat)
    return None


def run(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .platform_check import platform_problem, screenshot_renders_offscreen

    if args.screenshot:
        offscreen, note = screenshot_renders_offscreen()
        if offscreen:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        if note:
            print(note, file=sys.stderr)

    problem = platform_problem(screenshot=bool(args.screenshot))
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:  # a bad script is one line before any window
        steps = _steps(args)
    except (OSError, ValueError) as exc:
        print(f"irn-studio: {exc}", file=sys.stderr)
        return 2
    if args.weights:  # before any window: a wrong file is a one-line error, not a wait for --timeout
        problem = _weights_problem(args.weights)
        if problem:
            print(f"irn-studio: --weights {args.weights}: {problem}", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="irn-studio-") as folder:
        return _run(args, folder, steps)


def _steps(args):
    from .control.script import parse_script

    text = DEMO_SCRIPT if args.demo else ""
    if args.script:
        with open(args.script, encoding="utf-8") as handle:
            text += "\n" + handle.read()
    if args.do:
        text += ";" + args.do
    return parse_script(text)


def _run(args, folder: str, steps) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from irn_core.device import keep_freed_memory

    keep_freed_memory()  # the app owns its process: large photos run 1.4x faster (irn_core.device)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("IRN Studio")
    app.setOrganizationName("IRN Studio")
    from .qt.scripted import ScriptedRun
    from .qt.window import MainWindow
    from .samples import sample_path

    window = MainWindow(settings=_settings(args, folder))
    session = window.session
    scripted = bool(args.screenshot or args.demo or steps)
    if scripted:
        window.confirm = lambda _title, _text: True  # a script asks no one
    if args.demo and not args.scale:
        session.set_scale(4)
    if args.scale:
        session.set_scale(args.scale)
    if args.weights:
        session.set_weights(args.weights)
    if args.layout:
        window.set_layout(args.layout)
    window.show()
    if args.presentation:
        window.presentation.set(True)
    if args.demo and not args.image and not args.sample:
        args.sample = "astronaut"
    opened = False
    if args.image:
        opened = window.open_path(args.image)
    elif args.sample:
        try:
            opened = window.open_path(sample_path(args.sample))
        except ValueError as exc:
            window.show_message("error", str(exc))
    if opened and (args.run or scripted) and not window.store.lr_only:
        QTimer.singleShot(0, session.run)

    def first_look() -> None:
        if args.demo:
            window.navigation.focus_largest_difference()

    if not scripted:
        return app.exec()
    run = ScriptedRun(window, steps, screenshot=args.screenshot, timeout_s=args.timeout, first_look=first_look)
    if not args.screenshot:
        run.start()
        return app.exec()
    window.controller.message.connect(lambda level, text: print(f"{level}: {text}", file=sys.stderr))
    return run.exec(opened=opened)
