"""Scripts of UI commands, for reproducible figures and talks: ``scale 4; seed 3; draws 4; show-draw 2;
layout 2x2; pane 3 flip:irn_hr; zoom 4 at 220,140``. Each command calls what the menus and keys call;
``run_script`` waits for the session to be idle before each next one. Qt-free: tests drive it with the
manual executor."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from irn_core.errors import InvalidInputError

from ..model.kinds import KINDS
from ..model.view import LAYOUTS

USAGE = {
    "scale": "scale 2|4|8",
    "seed": "seed N",
    "temperature": "temperature T",
    "oracle": "oracle on|off",
    "jpeg": "jpeg lossless|1-100",
    "weights": "weights PATH|bundled",
    "sr-model": "sr-model PATH|ours",
    "run": "run",
    "restore": "restore",
    "draws": "draws N",
    "show-draw": "show-draw I",
    "temperature-study": "temperature-study",
    "jpeg-study": "jpeg-study",
    "layout": f"layout {'|'.join(LAYOUTS)}",
    "pane": "pane N KIND",
    "zoom": "zoom fit|RATIO [at X,Y]",
    "split": "split on|off",
    "solo": "solo N|off",
    "presentation": "presentation on|off",
}


@dataclass(frozen=True)
class Step:
    name: str
    args: tuple[str, ...]
    text: str


def parse_script(text: str) -> list[Step]:
    """Commands separated by ";" or new lines ("#" starts a comment). InvalidInputError names the bad command
    and the valid ones."""
    steps = []
    for part in re.split(r"[;\n]", text):
        part = part.split("#", 1)[0].strip()
        if not part:
            continue
        name, *args = part.split()
        if name not in USAGE:
            raise InvalidInputError(f"unknown command {name!r} in {part!r}; expected one of: {', '.join(USAGE)}")
        steps.append(Step(name, tuple(args), part))
        _check(steps[-1])
    return steps


def _bad(step: Step) -> InvalidInputError:
    return InvalidInputError(f"{step.text!r}: expected {USAGE[step.name]}")


def _number(step: Step, text: str, kind: type = float) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise _bad(step) from None


def _on_off(step: Step) -> bool:
    if step.args not in (("on",), ("off",)):
        raise _bad(step)
    return step.args == ("on",)


def _zoom(step: Step) -> tuple[float | None, tuple[float, float] | None]:
    args = step.args
    if args == ("fit",):
        return None, None
    if len(args) not in (1, 3) or (len(args) == 3 and args[1] != "at"):
        raise _bad(step)
    ratio = _number(step, args[0])
    if len(args) == 1:
        return ratio, None
    x, _, y = args[2].partition(",")
    return ratio, (_number(step, y), _number(step, x))  # the centre as (row, col)


def _check(step: Step) -> None:
    """Argument counts and forms, so a script fails before its first command runs."""
    arity = {"run": 0, "restore": 0, "temperature-study": 0, "jpeg-study": 0, "pane": 2}
    if len(step.args) != arity.get(step.name, 1) and step.name != "zoom":
        raise _bad(step)
    if step.name in ("scale", "seed", "draws", "show-draw"):
        _number(step, step.args[0], int)
    elif step.name == "temperature":
        _number(step, step.args[0])
    elif step.name in ("oracle", "split", "presentation"):
        _on_off(step)
    elif step.name == "layout" and step.args[0] not in LAYOUTS:
        raise _bad(step)
    elif step.name == "pane" and (step.args[1] not in KINDS or not step.args[0].isdigit()):
        raise InvalidInputError(f"{step.text!r}: expected pane N KIND, KIND one of {', '.join(KINDS)}")
    elif step.name == "zoom":
        _zoom(step)


def perform(step: Step, app: Any) -> bool:
    """Do one step on ``app`` (its ``session`` of commands and, for presentation, its ``presentation``); False
    if it was refused."""
    a, name = step.args, step.name
    c = app.session
    actions: dict[str, Callable[[], Any]] = {
        "scale": lambda: c.update_settings(scale=int(a[0])),
        "seed": lambda: c.update_settings(seed=int(a[0])),
        "temperature": lambda: c.update_settings(temperature=float(a[0])),
        "oracle": lambda: c.update_settings(oracle_z=_on_off(step)),
        "jpeg": lambda: c.update_settings(jpeg_quality=None if a[0] == "lossless" else _number(step, a[0], int)),
        "weights": lambda: c.set_weights(None if a[0] == "bundled" else a[0]),
        "sr-model": lambda: c.set_sr_model(None if a[0] == "ours" else a[0]),
        "run": c.run,
        "restore": c.restore,
        "draws": lambda: c.sample(int(a[0])),
        "show-draw": lambda: c.show_draw(int(a[0])),
        "temperature-study": c.temperature_study,
        "jpeg-study": c.jpeg_study,
        "layout": lambda: c.set_view(layout=a[0], solo=None),
        "pane": lambda: _pane(c, int(a[0]) - 1, a[1]),
        "zoom": lambda: c.set_view(zoom=_zoom(step)[0], centre=_zoom(step)[1]),
        "split": lambda: c.set_view(split=_on_off(step)),
        "solo": lambda: c.set_view(solo=None if a[0] == "off" else int(a[0]) - 1),
        "presentation": lambda: app.presentation.set(_on_off(step)),
    }
    return actions[name]() is not False


def _pane(c: Any, index: int, kind: str) -> bool:
    kinds = list(c.store.view.kinds)
    if not 0 <= index < len(kinds):
        c.store.apply(_notice(f"pane {index + 1}: expected 1-{len(kinds)} in layout {c.store.view.layout}"))
        return False
    kinds[index] = kind
    return c.set_view(kinds=tuple(kinds))


def _notice(text: str) -> Any:
    from ..model.messages import Notice

    return Notice("error", text)
