"""From a fresh machine to a trustworthy result: one loader returns the whole model, the CLI fails before
working and starts fast, gray stays gray, the app says what a missing Qt library is, training help shows
numbers."""

import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import randomize
from skimage import data

from irn_core import IRNRescaler, build_irn, load_irn, load_model, read_image, save_irn, write_png
from irn_core.analysis.models import ModelCache
from irn_core.cli import main
from irn_core.nn.crm import CompressionRestorer


@pytest.fixture
def jpeg_robust_file(tmp_path):
    restorer = randomize(CompressionRestorer(), std=0.02, seed=3)
    return save_irn(randomize(build_irn(2), std=0.01), tmp_path / "robust.safetensors", half=False, restorer=restorer)


def test_every_documented_way_of_loading_a_jpeg_robust_file_keeps_its_restorer(jpeg_robust_file):
    lr = data.astronaut()[:48, :40].astype(np.float32) / 255
    reference = IRNRescaler.from_weights(str(jpeg_robust_file), device="cpu", precision="fp32")
    assert reference.restorer is not None
    expected = reference.upscale(lr, seed=1)
    ways = {
        "IRNRescaler(load_irn(file))": IRNRescaler(load_irn(jpeg_robust_file), device="cpu", precision="fp32"),
        "IRNRescaler(load_model(file))": IRNRescaler(load_model(jpeg_robust_file), device="cpu", precision="fp32"),
        "ModelCache": ModelCache(device="cpu", precision="fp32").rescaler_for(str(jpeg_robust_file), scale=2),
    }
    for way, rescaler in ways.items():
        assert rescaler.restorer is not None, way
        np.testing.assert_allclose(rescaler.upscale(lr, seed=1), expected, atol=1e-6, err_msg=way)
    without = IRNRescaler(load_irn(jpeg_robust_file), device="cpu", precision="fp32", restorer=None)
    without.restorer = None  # what the README's pattern gave before: the restorer silently dropped
    assert np.abs(without.upscale(lr, seed=1) - expected).max() > 1e-3  # so the restorer is really used


def test_the_descriptor_says_what_the_file_is(jpeg_robust_file):
    model = load_model(jpeg_robust_file)
    assert model.jpeg_robust and model.scale == 2 and model.source == "irn-studio"
    assert len(model.fingerprint) == 16 and "JPEG-robust" in model.label
    bundled = load_model(None, scale=2)
    assert bundled.source == "bundled" and not bundled.jpeg_robust


def test_an_existing_output_is_refused_before_any_network_pass(tmp_path, monkeypatch, capsys):
    def fail(*args, **kwargs):
        raise AssertionError("the network ran")

    monkeypatch.setattr(IRNRescaler, "downscale", fail)
    monkeypatch.setattr(IRNRescaler, "upscale", fail)
    write_png(tmp_path / "a.png", data.astronaut()[:64, :64].astype(np.float32) / 255)
    (tmp_path / "a_lr.png").write_bytes(b"precious")
    started = time.perf_counter()
    assert main(["downscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "a_lr.png"), "--scale", "2"]) == 1
    assert time.perf_counter() - started < 5
    assert "--overwrite" in capsys.readouterr().err and (tmp_path / "a_lr.png").read_bytes() == b"precious"
    assert main(["downscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "a.png" / "x.png"), "--scale", "2"]) == 1
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err


def test_a_gray_photo_gives_gray_outputs(tmp_path, capsys):
    from PIL import Image

    Image.fromarray(data.camera()[:96, :80]).save(tmp_path / "gray.png")
    assert main(["roundtrip", str(tmp_path / "gray.png"), "-o", str(tmp_path / "o"), "--scale", "2", "-q"]) == 0
    for name in ("gray_x2_lr.png", "gray_x2_restored.png"):
        pixels = read_image(tmp_path / "o" / name).pixels
        assert np.array_equal(pixels[..., 0], pixels[..., 1]) and np.array_equal(pixels[..., 1], pixels[..., 2])


def test_the_cli_parses_its_arguments_without_importing_torch():
    code = (
        "import sys\nfrom irn_core.cli import build_parser\n"
        "build_parser().parse_args(['downscale', 'x.png', '-o', 'y'])\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_train_help_shows_the_real_defaults(capsys):
    from irn_core.training import TrainConfig
    from irn_core.training.config import CPU_RECIPES

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default: None" not in text
    paper = TrainConfig()
    assert f"CUDA {paper.iters}" in text and f"CUDA {paper.patch}" in text
    for scale in (2, 4):
        assert (
            f"CPU {CPU_RECIPES[scale]['batch']} at x{scale}" in text
            or f"{CPU_RECIPES[scale]['batch']} at x{scale}" in text
        )
        assert (
            f"{CPU_RECIPES[scale]['patch']} at x{scale}" in text
            and f"{CPU_RECIPES[scale]['iters']} at x{scale}" in text
        )


def test_cpu_training_without_a_config_takes_the_cpu_recipe_and_refuses_what_will_not_fit(tmp_path, monkeypatch):
    import irn_core.cli.commands as commands
    from irn_core.training import TrainConfig
    from irn_core.training.config import training_memory_bytes

    values = {"scale": 2, "batch": 4, "device": "cpu"}
    commands._recipe_for_the_machine(values)
    assert values["batch"] == 4 and values["patch"] == 64 and values["iters"] == 1500  # given options stay
    gpu_recipe_on_cpu = TrainConfig(scale=2, data="d", out="o")
    assert training_memory_bytes(gpu_recipe_on_cpu) > 10 * 2**30  # the 11.3 GB measured
    monkeypatch.setattr("irn_core.device.available_memory_bytes", lambda: 4 * 2**30)
    with pytest.raises(commands.CliError, match=r"needs about 1\d\.\d GiB.*4.0 GiB is free"):
        commands._check_training_memory(TrainConfig(scale=2, data="d", out="o", device="cpu"))
