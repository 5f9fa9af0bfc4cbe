"""The app says which system library Qt's window plugin lacks, and how to work without a display, before
Qt aborts the process with a misleading message."""

from pathlib import Path

import irn_studio.platform_check as check


def test_a_missing_xcb_library_is_named_with_its_debian_package(monkeypatch):
    monkeypatch.setattr(check, "_xcb_plugin", lambda: Path("/qt/plugins/platforms/libqxcb.so"))
    monkeypatch.setattr(check, "missing_libraries", lambda plugin: ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    message = check.platform_problem(screenshot=False, environ={"DISPLAY": ":0"})
    assert message is not None
    assert "libxcb-icccm.so.4" in message and "apt-get install -y libxcb-icccm4 libxcb-keysyms1" in message
    assert "--screenshot" in message


def test_no_display_says_how_to_render_offscreen_and_a_screenshot_needs_no_check(monkeypatch):
    monkeypatch.setattr(check.sys, "platform", "linux")
    message = check.platform_problem(screenshot=False, environ={})
    assert message is not None and "DISPLAY" in message and "--screenshot" in message and "xvfb-run" in message
    assert check.platform_problem(screenshot=True, environ={}) is None
    assert check.platform_problem(screenshot=False, environ={"QT_QPA_PLATFORM": "offscreen"}) is None


def test_library_names_map_to_debian_packages():
    assert check.debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert check.debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert check.debian_package("libEGL.so.1") == "libegl1"


def test_ldd_output_is_read_for_every_missing_library(monkeypatch):
    class Done:
        stdout = "\tlibxcb-icccm.so.4 => not found\n\tlibc.so.6 => /lib/libc.so.6\n\tlibxcb-keysyms.so.1 => not found\n"

    monkeypatch.setattr(check.shutil, "which", lambda name: "/usr/bin/ldd")
    monkeypatch.setattr(check.subprocess, "run", lambda *a, **k: Done())
    assert check.missing_libraries(Path("x.so")) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_a_screenshot_renders_offscreen_where_no_window_could_open_and_says_why_under_a_display(monkeypatch):
    monkeypatch.setattr(check.sys, "platform", "linux")
    assert check.screenshot_renders_offscreen(environ={}) == (True, None)  # no display: nothing to say
    assert check.screenshot_renders_offscreen(environ={"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}) == (False, None)
    monkeypatch.setattr(check, "_xcb_plugin", lambda: Path("/qt/plugins/platforms/libqxcb.so"))
    monkeypatch.setattr(check, "missing_libraries", lambda plugin: [])
    assert check.screenshot_renders_offscreen(environ={"DISPLAY": ":99"}) == (False, None)  # a real window
    monkeypatch.setattr(check, "missing_libraries", lambda plugin: ["libxcb-icccm.so.4"])
    offscreen, note = check.screenshot_renders_offscreen(environ={"DISPLAY": ":99"})  # Xvfb without Qt's libraries
    assert offscreen and "offscreen" in note and "libxcb-icccm.so.4" in note and "libxcb-icccm4" in note
