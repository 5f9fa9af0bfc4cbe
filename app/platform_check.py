"""Before Qt starts: can its platform plugin load here? Qt aborts the process (SIGABRT) with a misleading
"xcb-cursor0 is needed" whatever library is missing; this says which ones are, and what to install.

Qt-free, so it runs (and is tested) before PySide6 creates anything.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Debian/Ubuntu packages that the xcb plugin of PySide6's Qt needs beyond a minimal system (what a fresh
# Debian 12 image lacks; the README's apt-get line names the same).
XCB_PACKAGES = (
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-randr0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
)
APT_LINE = "sudo apt-get install -y " + " ".join(XCB_PACKAGES)


def debian_package(soname: str) -> str:
    """The Debian package that ships a library: libxcb-icccm.so.4 -> libxcb-icccm4, libxkbcommon-x11.so.0 ->
    libxkbcommon-x11-0 (a digit after a digit gets a hyphen)."""
    match = re.fullmatch(r"(lib[\w+.-]*?)\.so\.(\d+).*", soname)
    if not match:
        return soname
    name, major = match.groups()
    package = f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"
    return package.lower()  # Debian package names are lower case (libEGL.so.1 is in libegl1)


def _xcb_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")  # where it is installed; nothing of it is imported
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def missing_libraries(plugin: Path) -> list[str]:
    """Shared libraries the plugin needs that the system lacks (by ldd; else the first that dlopen names)."""
    if shutil.which("ldd"):
        try:
            out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        found = sorted({line.split()[0] for line in out.splitlines() if "not found" in line})
        if found or out:
            return found
    try:
        ctypes.CDLL(str(plugin), mode=getattr(os, "RTLD_LAZY", 1))
    except OSError as exc:
        named = re.match(r"([^:\s]+\.so[.\d]*)", str(exc))
        return [named.group(1)] if named else [str(exc)]
    return []


def platform_problem(*, screenshot: bool, environ: dict[str, str] | None = None) -> str | None:
    """A message saying why the app cannot open a window here and what to do, or None when it can (or
    when it renders offscreen). Only Linux with the xcb platform is checked; elsewhere Qt's own plugins
    are complete."""
    env = os.environ if environ is None else environ
    platform = env.get("QT_QPA_PLATFORM", "")
    if screenshot or platform in ("offscreen", "minimal", "vnc") or not sys.platform.startswith("linux"):
        return None
    if platform.startswith("wayland") or (not platform and env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY")):
        return None
    if not env.get("DISPLAY"):
        return (
            "irn-studio: no display (DISPLAY is not set), so no window can open. Render one instead with "
            "`python main.py IMAGE --screenshot out.png` (works offscreen), or run under a virtual screen: "
            'xvfb-run -s "-screen 0 1280x720x24" python main.py --sample astronaut'
        )
    missing = xcb_libraries_missing()
    return f"irn-studio: {missing} Without a window, `--screenshot out.png` renders offscreen." if missing else None


def xcb_libraries_missing() -> str | None:
    """What Qt's xcb plugin lacks here and the apt-get line that brings it, or None when it can load."""
    plugin = _xcb_plugin()
    missing = missing_libraries(plugin) if plugin is not None else []
    if not missing:
        return None
    packages = sorted({debian_package(name) for name in missing})
    return (
        f"Qt's window system plugin cannot load: missing {', '.join(missing)}. On Debian/Ubuntu: "
        f"sudo apt-get install -y {' '.join(packages)} (or all the app needs: {APT_LINE})."
    )


def screenshot_renders_offscreen(*, environ: dict[str, str] | None = None) -> tuple[bool, str | None]:
    """Whether ``--screenshot`` (the same picture on any platform) should render offscreen here, and a note
    to print when that is not what the user set up: with no platform asked for, no display means offscreen
    (nothing to say), and a display whose xcb plugin cannot load (Xvfb without Qt's libraries) too, naming
    what is missing, rather than letting Qt abort."""
    env = os.environ if environ is None else environ
    if env.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return False, None
    if not env.get("DISPLAY"):
        return not env.get("WAYLAND_DISPLAY"), None
    missing = xcb_libraries_missing()
    return (True, f"irn-studio: rendering offscreen: {missing}") if missing else (False, None)
