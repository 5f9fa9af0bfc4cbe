"""Words the app shows, made from the model's numbers (Qt-free, so plain pytest checks them)."""

from __future__ import annotations


def progress_text(text: str, fraction: float, elapsed: float) -> str:
    """The stage in words, the share done and, once there is a pace to go by, the time left."""
    line = f"{text} · {fraction:.0%}"
    if fraction >= 0.03 and elapsed >= 1:
        left = elapsed * (1 - fraction) / fraction
        line += f" · about {left / 60:.0f} min left" if left >= 90 else f" · about {left:.0f} s left"
    return line
