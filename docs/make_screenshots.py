"""Regenerate the README's pictures: ``python docs/make_screenshots.py`` (offscreen, bundled weights).

docs/screenshot_explorer.png  the latent explorer after sampling draws (std map in a pane)
docs/comparison_figure.png    File → Save comparison figure of a zoomed region
docs/screenshot_blind.png     View → Blind A/B test on the same region, one trial in
(docs/screenshot_demo.png comes from ``python main.py --demo --screenshot docs/screenshot_demo.png``.)
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from irn_studio.qt.window import MainWindow
    from irn_studio.samples import sample_path

    _app = QApplication.instance() or QApplication([])
    docs = Path(__file__).resolve().parent
    window = MainWindow(settings=QSettings(str(docs / ".screenshots.ini"), QSettings.IniFormat))
    window.resize(1500, 950)
    window.show()
    c = window.controller
    c.set_scale(2)
    window.set_layout("2x2")
    window.open_path(sample_path("chelsea"))

    def wait(signal, timeout_s=600):
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()

    c.run()
    wait(c.run_finished)
    window.explorer.draws.setValue(6)
    window.explorer.start_sampling()
    wait(c.sampling_finished)
    c.temperature_study(temperatures=(0.6, 0.8, 1.0, 1.2), draws=1)
    wait(c.sampling_finished)
    for pane, kind in zip(window.panes, ["hr", "irn_hr", "std_map", "error:irn_hr"]):
        pane.set_kind(kind)
    window.panes[0].view.setRange(xRange=(150, 330), yRange=(40, 200), padding=0)
    QTimer.singleShot(1500, lambda: None)
    wait(c.region_metrics_updated, 20)
    window.grab_screenshot(docs / "screenshot_explorer.png")
    for pane, kind in zip(window.panes, ["hr", "irn_hr", "bicubic", "sr"]):
        pane.set_kind(kind)
    c.save_figure(
        docs / "comparison_figure.png",
        [("hr", "Original"), ("irn_lr", "IRN LR"), ("irn_hr", "IRN"), ("bicubic", "Bicubic"), ("sr", "SR net")],
        window.panes[0].visible_region(),
        overwrite=True,
    )
    wait(c.saved, 60)
    dialog = window.start_blind_test(trials=10, seed=0)
    dialog.resize(1100, 560)
    dialog.pick("left")
    QApplication.processEvents()
    dialog.grab().save(str(docs / "screenshot_blind.png"))
    dialog.close()
    c.shutdown()
    print("wrote docs/screenshot_explorer.png, docs/comparison_figure.png and docs/screenshot_blind.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
