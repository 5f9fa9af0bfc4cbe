import gc
import os
import sys

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
def destroy_closed_windows_in_the_gui_thread():
    """Destroy each test's closed windows at its teardown, in the GUI thread, with no worker running.

    pytest-qt closes a test's windows with deleteLater, which Qt delivers only in the next event loop: the
    next test's first wait, while its jobs run, and a later collection then frees wrappers of widgets Qt had
    destroyed behind them (a segfault inside gc.collect seen once in CI, 0.10.0). So: wait for the workers,
    deliver the deferred deletions here (Qt destroys the windows with their wrappers alive), then collect
    in this thread. Left to a collection in another thread (a job's), PySide defers the deletion to the GUI
    thread and deletes there with the GIL held; a worker emitting a signal holds the Qt lock that deletion
    waits for while it waits for the GIL, and both hang (seen once in a full run)."""
    yield
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is not None and widgets.QApplication.instance() is not None:
        from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

        QThreadPool.globalInstance().waitForDone(60_000)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
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
