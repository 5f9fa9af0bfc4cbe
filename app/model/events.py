"""A minimal evented-model helper (no Qt): a named event that calls its connected callbacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class EventEmitter:
    """``connect(callback)``; ``emit(*args)`` calls each callback in connection order."""

    def __init__(self, name: str):
        self.name = name
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> None:
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable[..., Any]) -> None:
        self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        for callback in list(self._callbacks):
            callback(*args)
