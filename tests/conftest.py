import gc
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
torch.set_num_threads(min(2, os.cpu_count() or 1))


def randomize(net: torch.nn.Module, *, std: float = 0.02, seed: int = 0) -> torch.nn.Module:
    """Give every trainable tensor random values (a fresh IRN is the identity, which hides bugs)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * std)
    return net


@pytest.fixture
def astronaut() -> np.ndarray:
    """scikit-image's astronaut, 512x512 RGB, as float32 [0, 1]."""
    from skimage import data

    return data.astronaut().astype(np.float32) / 255.0


@pytest.fixture
def small_image(astronaut) -> np.ndarray:
    """A 64x48 crop with detail (the face), float32 [0, 1]."""
    return np.ascontiguousarray(astronaut[60:124, 180:228])


@pytest.fixture(autouse=True)
def collect_closed_windows_in_the_gui_thread():
    """Collect each test's closed windows here, in the GUI thread. Left to a collection that runs in another
    thread (a job's, or the FLIP process's manager thread), PySide defers their deletion to the GUI thread and
    deletes them there with the GIL held; a worker that is emitting a signal then holds the Qt lock the
    deletion waits for, while it waits for the GIL itself, and both hang (seen once in a full run)."""
    yield
    gc.collect()


@pytest.fixture(scope="session", autouse=True)
def private_app_settings(tmp_path_factory):
    """Keep the app's default QSettings (recent files, layout...) of tests out of the user's own."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:
        return None
    folder = tmp_path_factory.mktemp("qsettings")
    for settings_format in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(settings_format, QSettings.UserScope, str(folder))
    return folder


def pytest_collection_modifyitems(config, items):
    """Every test that drives the GUI (pytest-qt's qtbot or qapp) takes 1-3 s of window set-up and rendering:
    they count as slow, so ``-m "not slow"`` is the quick part (the library and the Qt-free model)."""
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
