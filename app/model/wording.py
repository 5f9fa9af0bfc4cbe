"""Words the app shows, made from the model's numbers (Qt-free, so plain pytest checks them)."""

from __future__ import annotations


def progress_text(text: str, fraction: float, elapsed: float) -> str:
    """The stage in words, the share done and, once there is a pace to go by, the time left."""
    line = f"{text} · {fraction:.0%}"
    if fraction >= 0.03 and elapsed >= 1:
        left = elapsed * (1 - fraction) / fraction
        line += f" · about {left / 60:.0f} min left" if left >= 90 else f" · about {left:.0f} s left"
    return line


def zoom_text(screen_px_per_image_px: float) -> str:
    """The zoom as image viewers say it: "4:1" (one image pixel on 4 screen pixels), "1:2.5" (zoomed out)."""
    ratio = screen_px_per_image_px
    if not ratio > 0:
        return ""
    return f"zoom {ratio:.2g}:1" if ratio >= 1 else f"zoom 1:{1 / ratio:.2g}"
