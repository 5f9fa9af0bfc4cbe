"""Process folder in the app: runs in the background, lists every file's outcome, resumes, opens results."""

import numpy as np
import pytest
from app_windows import make_window, random_x2_weights
from skimage import data

from irn_core import read_image, write_png

pytest.importorskip("pytestqt")


@pytest.fixture
def window(qtbot, tmp_path):
    weights = random_x2_weights(tmp_path)
    win = make_window(qtbot, tmp_path, weights)
    qtbot.waitUntil(lambda: win.store.settings.weights == weights, timeout=30_000)
    yield win
    win.controller.shutdown()


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "photos"
    d.mkdir()
    for i, name in enumerate(("a.png", "b.png")):
        write_png(d / name, data.astronaut()[i * 50 : i * 50 + 40, 100:148].astype(np.float32) / 255)
    (d / "c.png").write_text("not a picture")
    return d


def test_a_folder_round_trip_lists_each_file_and_a_second_run_skips_them(window, folder, tmp_path, qtbot):
    out = tmp_path / "results"
    c, batch = window.session, window.store.batch

    def ended(kind, _outcome, _text):
        return kind == "batch"

    with qtbot.waitSignal(window.controller.job_ended, timeout=120_000, check_params_cb=ended) as finished:
        assert c.process_folder(folder, out, "roundtrip")
    assert finished.args[2] == "2 done, 1 failed" and batch.summary == "2 done, 1 failed"
    outcomes = [row.outcome for row in batch.rows]
    assert outcomes == ["done", "done", "failed"] and "not an image" in batch.rows[2].message
    assert read_image(out / "a_x2_restored.png").pixels.shape == (40, 48, 3)
    panel = window.batch_panel
    assert panel.rows.count() == 3 and panel.rows.item(2).text().startswith("✗ c.png")
    assert "2 done, 1 failed" in panel.progress.format()
    with qtbot.waitSignal(window.controller.job_ended, timeout=120_000, check_params_cb=ended) as again:
        c.process_folder(folder, out, "roundtrip")
    assert again.args[2] == "0 done, 2 skipped (already done), 1 failed"
    # Double-clicking a row opens that file's source photo, never an output as if it were an original.
    panel.rows.itemDoubleClicked.emit(panel.rows.item(0))
    assert window.store.image.path.name == "a.png"


def test_the_time_left_follows_the_pace_of_the_files_done():
    from pathlib import Path

    from irn_core.io.batch import BatchItem
    from irn_studio.model.batch import BatchModel

    model = BatchModel()
    items = [BatchItem(Path(f"{i}.png"), (Path(f"{i}_lr.png"),)) for i in range(4)]
    model.start("downscale", items, Path("out"))
    assert model.eta_seconds() is None and model.progress_text() == "0/4 files"
    model.started_at -= 10.0  # one file took 10 s
    model.record(0, "done", "")
    assert model.eta_seconds() == pytest.approx(30.0, abs=0.5)
    model.record(1, "skipped", "already done")  # a skipped file costs nothing and leaves 2 to do
    assert model.eta_seconds() == pytest.approx(20.0, abs=0.5) and "2/4 files" in model.progress_text()
