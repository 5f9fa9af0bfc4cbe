"""The ``irn`` command line: downscale, upscale, roundtrip, speed, train, train-jpeg, export, bench, sample.

Errors a person can fix (``IRNError``) print as one line and exit 1; anything else is a bug and
is logged with its traceback.
"""

from __future__ import annotations

import logging
import sys

from ..errors import IRNError, OutputExistsError
from .commands import EXIT_ERROR, EXIT_INTERRUPTED, CliError
from .parsers import build_parser

log = logging.getLogger("irn_core.cli")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    args.argv = list(sys.argv[1:] if argv is None else argv)
    from ..device import keep_freed_memory

    if args.command != "speed":  # speed times the official code under glibc's defaults first, then sets it
        keep_freed_memory()  # the command owns its process (see keep_freed_memory)
    try:
        return args.func(args)
    except OutputExistsError as exc:
        print(f"irn {args.command}: error: {exc.path} already exists; pass --overwrite to replace it", file=sys.stderr)
        return EXIT_ERROR
    except IRNError as exc:
        print(f"irn {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"irn {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception:  # a bug, not the user's doing: the whole traceback, through logging
        log.exception(
            "irn %s: unexpected error (a bug in IRN Studio; please report it with this traceback)", args.command
        )
        return EXIT_ERROR


__all__ = ["main", "build_parser", "CliError"]
