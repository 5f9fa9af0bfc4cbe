"""One error hierarchy for everything a user can cause and fix.

``IRNError`` is the base: the CLI and the app show its message as one line. Anything else that
escapes the library is a bug, shown with a traceback (and logged). Messages say what was expected
and what was found.
"""

from __future__ import annotations


class IRNError(Exception):
    """A problem a person can act on (bad input, missing file, wrong model); never a bug."""


class InvalidInputError(IRNError, ValueError):
    """An argument or image does not fit what a function expects (shape, range, option)."""


class ImageIOError(IRNError):
    """An image could not be read or written; the message says which file and why."""


class OutputExistsError(ImageIOError):
    """A file would be replaced without leave; nothing was written. ``path``: the existing file."""

    def __init__(self, path: object):
        self.path = path
        super().__init__(f"{path} already exists; nothing was written (choose another name, or allow replacing it)")


class DiskFullError(ImageIOError):
    """The disk (or quota) is full: every further write would fail too, so a batch stops."""


class WeightsError(IRNError, ValueError):
    """A weights file is missing, unreadable, not a known checkpoint, or of the wrong scale."""


class ConfigError(IRNError, ValueError):
    """A training configuration is missing a value or holds one out of range."""


class Cancelled(Exception):
    """Raised inside a long computation when its cancel check says the result is no longer wanted.

    Not an IRNError: a cancelled job is neither a user's mistake nor a bug.
    """
