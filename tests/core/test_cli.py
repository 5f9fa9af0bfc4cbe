import json

import numpy as np
import pytest
from conftest import randomize
from skimage import data

from irn_core import build_irn, read_image, save_irn, write_png
from irn_core.cli import main


@pytest.fixture
def weights(tmp_path):
    return str(save_irn(randomize(build_irn(2), std=0.01), tmp_path / "w2.safetensors", half=False))


@pytest.fixture
def sample_png(tmp_path):
    img = data.chelsea()[:90, :121].astype(np.float32) / 255  # odd width on purpose
    return str(write_png(tmp_path / "cat.png", img))


def test_cli_downscale_upscale_round_trip(tmp_path, weights, sample_png, capsys):
    lr_path, hr_path = tmp_path / "lr.png", tmp_path / "hr.png"
    assert main(["downscale", sample_png, "-o", str(lr_path), "--weights", weights, "-q"]) == 0
    lr = read_image(lr_path)
    assert lr.pixels.shape == (45, 61, 3) and lr.metadata["irn-studio:scale"] == "2"
    assert main(["upscale", str(lr_path), "-o", str(hr_path), "--weights", weights, "--seed", "1", "-q"]) == 0
    assert read_image(hr_path).pixels.shape == (90, 121, 3)  # original size from the metadata
    assert "warning" not in capsys.readouterr().err
    # The output exists now: no silent overwrite.
    assert main(["upscale", str(lr_path), "-o", str(hr_path), "--weights", weights, "-q"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_cli_roundtrip_prints_metrics(tmp_path, weights, sample_png, capsys):
    assert main(["roundtrip", sample_png, "-o", str(tmp_path / "out"), "--weights", weights, "-q"]) == 0
    out = capsys.readouterr().out
    assert "PSNR-Y" in out and (tmp_path / "out" / "cat_x2_lr.png").exists()


def test_cli_warns_about_foreign_and_lossy_lr(tmp_path, weights, capsys):
    from PIL import Image

    foreign = tmp_path / "foreign.jpg"
    Image.fromarray(data.chelsea()[:40, :40]).save(foreign)
    assert (
        main(["upscale", str(foreign), "-o", str(tmp_path / "x.png"), "--weights", weights, "--scale", "2", "-q"]) == 0
    )
    err = capsys.readouterr().err
    assert "lossily" in err and "not written by IRN Studio" in err


def test_cli_errors_are_one_line_without_traceback(tmp_path, weights, capsys):
    (tmp_path / "bad.png").write_text("nope")
    assert main(["downscale", str(tmp_path / "bad.png"), "-o", str(tmp_path / "o.png"), "--weights", weights]) == 1
    err = capsys.readouterr().err
    assert "not an image" in err and "Traceback" not in err
    assert (
        main(
            [
                "upscale",
                str(tmp_path / "bad.png"),
                "-o",
                str(tmp_path / "o.png"),
                "--weights",
                str(tmp_path / "missing.pth"),
                "--scale",
                "2",
            ]
        )
        == 1
    )
    with pytest.raises(SystemExit) as exc:
        main(["downscale"])
    assert exc.value.code == 2


def test_cli_missing_weights_is_a_clear_error(tmp_path, sample_png, capsys, monkeypatch):
    import irn_core.io.checkpoints as weights_module

    monkeypatch.setattr(weights_module, "BUNDLED_WEIGHTS_DIR", tmp_path / "none")
    assert main(["downscale", sample_png, "-o", str(tmp_path / "o.png"), "--scale", "8"]) == 1
    assert "--weights" in capsys.readouterr().err


def test_bench_on_a_tiny_folder(tmp_path, weights, capsys):
    folder = tmp_path / "set"
    folder.mkdir()
    astronaut = data.astronaut().astype(np.float32) / 255
    write_png(folder / "a.png", astronaut[100:164, 200:264])
    write_png(folder / "b.png", astronaut[300:350, 100:162])
    out = tmp_path / "r.json"
    assert (
        main(
            [
                "bench",
                "--dataset",
                str(folder),
                "--scale",
                "2",
                "--methods",
                "irn,bicubic,lanczos",
                "--draws",
                "2",
                "--weights",
                weights,
                "--json",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    report = json.loads(out.read_text())
    assert report["dataset"] == "set" and report["scale"] == 2
    assert set(report["results"]) == {"irn", "bicubic", "lanczos"}
    assert {r["name"] for r in report["results"]["bicubic"]["per_image"]} == {"a", "b"}
    assert "psnr_y_std" in report["results"]["irn"]
    assert "bicubic" in capsys.readouterr().out


def test_bicubic_bench_value_of_a_known_image(tmp_path):
    """Bicubic x2 of scikit-image's astronaut, measured once with the paper's conventions."""
    from irn_core.analysis.bench import run_bench

    folder = tmp_path / "one"
    folder.mkdir()
    write_png(folder / "astronaut.png", data.astronaut().astype(np.float32) / 255)
    report = run_bench(dataset=folder, scale=2, methods=["bicubic"], progress=False, round_y=True)
    assert report["results"]["bicubic"]["psnr_y"] == pytest.approx(KNOWN_ASTRONAUT_BICUBIC_X2, abs=0.005)
    assert "rounded" in report["y_convention"]
    official = run_bench(dataset=folder, scale=2, methods=["bicubic"], progress=False)
    assert official["results"]["bicubic"]["psnr_y"] == pytest.approx(KNOWN_ASTRONAUT_BICUBIC_X2_OFFICIAL, abs=0.005)


KNOWN_ASTRONAUT_BICUBIC_X2 = 31.698  # Y rounded (MATLAB), 2-pixel border; regression value
KNOWN_ASTRONAUT_BICUBIC_X2_OFFICIAL = 31.713  # Y unrounded (official IRN test code); regression value


@pytest.mark.slow
def test_irn_sample_writes_draws_mean_std_and_csv(tmp_path, weights, sample_png, capsys):
    out = tmp_path / "draws"
    assert main(["sample", sample_png, "--draws", "3", "--weights", weights, "-o", str(out), "-q"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["draw_000.png", "draw_001.png", "draw_002.png", "mean.png", "metrics.csv", "std.png"]
    rows = (out / "metrics.csv").read_text().splitlines()
    assert rows[0] == "draw,seed,temperature,psnr_y,ssim_y,psnr_rgb" and len(rows) == 4
    assert read_image(out / "draw_000.png").pixels.shape == (90, 121, 3)
    # A second run into the same folder refuses to overwrite.
    assert main(["sample", sample_png, "--draws", "3", "--weights", weights, "-o", str(out), "-q"]) == 1
    assert "already holds" in capsys.readouterr().err


def test_cli_train_flags_reach_the_run_config(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    write_png(folder / "cat.png", data.chelsea()[:64, :64].astype(np.float32) / 255)
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--scale",
                "2",
                "--data",
                str(folder),
                "--out",
                str(out),
                "--iters",
                "1",
                "--batch",
                "1",
                "--patch",
                "32",
                "--threads",
                "1",
                "--color-augment",
                "--noise-augment",
                "0.02",
                "-q",
            ]
        )
        == 0
    )
    config = json.loads((out / "config.json").read_text())
    assert config["color_augment"] is True and config["noise_augment"] == 0.02
    assert (
        main(
            [
                "train",
                "--scale",
                "2",
                "--data",
                str(folder),
                "--out",
                str(tmp_path / "bad"),
                "--iters",
                "1",
                "--noise-augment",
                "2",
                "-q",
            ]
        )
        != 0
    )


@pytest.mark.slow
def test_cli_train_time_limit_stops_with_a_checkpoint_and_resumes(tmp_path, capsys):
    folder = tmp_path / "images"
    folder.mkdir()
    write_png(folder / "cat.png", data.chelsea()[:64, :64].astype(np.float32) / 255)
    args = [
        "train",
        "--scale",
        "2",
        "--data",
        str(folder),
        "--out",
        str(tmp_path / "run"),
        "--iters",
        "3",
        "--batch",
        "1",
        "--patch",
        "32",
        "--threads",
        "1",
        "-q",
    ]
    # A limit of a few milliseconds ends the run after its first iteration.
    assert main(args + ["--time-limit", "0.0001"]) == 0
    assert "1 of 3 iterations" in capsys.readouterr().out
    assert (tmp_path / "run" / "checkpoints" / "iter_00000001.pt").exists()
    assert "time limit reached" in (tmp_path / "run" / "log.csv").read_text()
    assert main(args) == 0
    assert "3 of 3 iterations" in capsys.readouterr().out
    assert main(args + ["--time-limit", "0"]) == 1
    assert "--time-limit must be a positive" in capsys.readouterr().err
