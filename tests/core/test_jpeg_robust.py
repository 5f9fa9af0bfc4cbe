"""The JPEG-robust IRN: its restoration module, weights file, JPEG LR files and their record."""

import numpy as np
import pytest
import torch
from conftest import randomize

import irn_core.io.checkpoints as checkpoints
from irn_core import IRNRescaler, build_irn, read_image, write_png
from irn_core.cli import main
from irn_core.errors import InvalidInputError, OutputExistsError
from irn_core.io.checkpoints import load_irn, load_restorer, resolve_weights, save_irn
from irn_core.io.lrfile import lr_metadata, read_lr_info
from irn_core.io.weights_record import describe_weights
from irn_core.io.writing import write_jpeg
from irn_core.nn.crm import CompressionRestorer


@pytest.fixture
def jpeg_model(tmp_path, monkeypatch):
    """A bundled-weights folder holding irn_x2 and a JPEG-robust irn_x2_jpeg (random restorer)."""
    folder = tmp_path / "weights"
    net = randomize(build_irn(2), std=0.01, seed=1)
    restorer = randomize(CompressionRestorer(), std=0.01, seed=2)
    save_irn(net, folder / "irn_x2.safetensors", half=False)
    save_irn(net, folder / "irn_x2_jpeg.safetensors", half=False, restorer=restorer)
    monkeypatch.setattr(checkpoints, "BUNDLED_WEIGHTS_DIR", folder)
    return net, restorer, folder


def test_an_untrained_restorer_is_the_identity():
    x = torch.rand(1, 3, 20, 24)
    assert torch.equal(CompressionRestorer()(x), x)


def test_the_jpeg_model_loads_by_name_with_its_irn_unchanged(jpeg_model):
    net, restorer, folder = jpeg_model
    path = resolve_weights("irn_x2_jpeg", 2)
    assert path == folder / "irn_x2_jpeg.safetensors"
    loaded = load_irn(path)
    for key, value in net.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    assert loaded.metadata["jpeg_robust"] == "true"
    own = load_restorer(path)
    for key, value in restorer.state_dict().items():
        assert torch.equal(own.state_dict()[key], value), key
    assert load_restorer(folder / "irn_x2.safetensors") is None
    assert dict(describe_weights(path))["JPEG-robust"].startswith("yes")  # the About box says so
    assert "JPEG-robust" not in dict(describe_weights(folder / "irn_x2.safetensors"))
    rescaler = IRNRescaler.from_weights("irn_x2_jpeg", scale=2, precision="fp32")
    plain = IRNRescaler.from_weights(None, scale=2, precision="fp32")
    assert rescaler.restorer is not None and plain.restorer is None
    lr = np.random.default_rng(0).random((12, 10, 3), dtype=np.float32)
    assert not np.allclose(rescaler.upscale(lr, seed=0), plain.upscale(lr, seed=0))  # the restorer runs first


def test_lr_record_round_trips_through_a_jpeg_file(tmp_path, astronaut):
    record = lr_metadata(scale=2, model="irn_x2_jpeg.safetensors (IRN x2)", fingerprint="0123", original_size=(9, 7))
    pixels = np.ascontiguousarray(astronaut[100:132, 200:232])
    path = write_jpeg(tmp_path / "lr.jpg", pixels, quality=90, metadata=record)
    image = read_image(path)
    info = read_lr_info(image)
    assert image.is_lossy and info.scale == 2 and info.original_size == (9, 7) and info.fingerprint == "0123"
    assert np.abs(image.pixels - pixels).mean() < 0.03  # a JPEG of the pixels, not something else
    with pytest.raises(OutputExistsError):
        write_jpeg(path, pixels, quality=90)


def test_cli_jpeg_lr_is_restored_with_the_model_it_names(jpeg_model, tmp_path, astronaut, capsys):
    source = write_png(tmp_path / "photo.png", astronaut[:64, :48])
    assert main(["downscale", str(source), "-o", str(tmp_path / "a.jpg"), "--format", "jpeg", "--scale", "2"]) == 0
    assert "not JPEG-robust" in capsys.readouterr().err  # the standard model says what it costs
    args = ["downscale", str(source), "-o", str(tmp_path / "b.jpg"), "--format", "jpeg", "--weights", "irn_x2_jpeg"]
    assert main(args) == 0
    assert "not JPEG-robust" not in capsys.readouterr().err
    assert main(["upscale", str(tmp_path / "b.jpg"), "-o", str(tmp_path / "b.png")]) == 0
    err = capsys.readouterr().err
    assert "irn_x2_jpeg.safetensors" in err and "lossily" not in err  # picked from the file's record
    assert read_image(tmp_path / "b.png").pixels.shape == (64, 48, 3)
    assert main(["downscale", str(source), "-o", str(tmp_path / "c.png"), "--format", "jpeg", "--scale", "2"]) == 1
    assert "needs a .jpg name" in capsys.readouterr().err


def test_restorer_training_runs_and_exports_a_loadable_model(tmp_path, astronaut):
    from irn_core.training.crm_loop import train_restorer

    data = tmp_path / "data"
    data.mkdir()
    for i in range(2):
        write_png(data / f"{i}.png", astronaut[64 * i : 64 * i + 96, :96])
    out = train_restorer(data=data, out=tmp_path / "run", iters=4, batch=2, crop=32, progress=False)
    assert load_restorer(out) is not None and load_irn(out).scale == 2
    assert "L1" in (tmp_path / "run" / "log.csv").read_text()


def test_jpeg_in_the_loop_stores_real_jpeg_and_passes_the_gradient_straight_through(astronaut):
    from irn_core.ops.codecs import jpeg_roundtrip
    from irn_core.training.losses import jpeg_straight_through

    pictures = np.round(astronaut[None, :48, :48] * 255) / 255
    lr = torch.from_numpy(np.concatenate([pictures] * 3)).permute(0, 3, 1, 2).contiguous().requires_grad_()
    stored = jpeg_straight_through(lr, [80, 80, 80])
    expected = jpeg_roundtrip(pictures[0], 80)
    np.testing.assert_allclose(stored[1].detach().permute(1, 2, 0).numpy(), expected, atol=1e-6)
    assert float((stored - lr).abs().max()) > 2 / 255  # the codec really ran
    (stored * torch.arange(3.0)[:, None, None, None]).sum().backward()
    assert torch.equal(lr.grad[:, 0, 0, 0], torch.arange(3.0))  # identity gradient
    kept = jpeg_straight_through(lr, [None, 80, None])
    assert torch.equal(kept[0], lr[0]) and torch.equal(kept[2], lr[2]) and not torch.equal(kept[1], lr[1])


@pytest.mark.slow
def test_jpeg_in_the_loop_trains_irn_and_module_together_resumes_and_exports(tmp_path, astronaut):
    from irn_core.training import TrainConfig, export_run, train
    from irn_core.training.checkpoints import list_checkpoints

    data = tmp_path / "data"
    data.mkdir()
    for i in range(2):
        write_png(data / f"{i}.png", astronaut[64 * i : 64 * i + 96, :96])

    def config(out):
        return TrainConfig(
            scale=2, data=str(data), out=str(out), iters=4, batch=2, patch=32, workers=0, threads=1,
            checkpoint_every=2, log_every=1, lr=1e-3, jpeg_in_loop=(60, 90), jpeg_lossless_share=0.25,
        )  # fmt: skip

    train(config(tmp_path / "whole"), progress=False)
    train(config(tmp_path / "split"), progress=False, stop_after=2)
    train(config(tmp_path / "split"), progress=False)
    whole = torch.load(list_checkpoints(tmp_path / "whole")[-1], weights_only=True)
    split = torch.load(list_checkpoints(tmp_path / "split")[-1], weights_only=True)
    for part in ("model", "crm"):
        for key, value in whole[part].items():
            assert torch.allclose(value, split[part][key], atol=1e-6), (part, key)
    assert float(whole["crm"]["body.7.weight"].abs().max()) > 0  # the module left the identity

    meta = export_run(tmp_path / "whole", tmp_path / "irn_x2_jpeg.safetensors")
    assert meta["recipe"]["jpeg_in_loop"] == (60, 90)
    rescaler = IRNRescaler.from_weights(tmp_path / "irn_x2_jpeg.safetensors", precision="fp32")
    assert rescaler.restorer is not None
    for key, value in whole["crm"].items():
        assert torch.allclose(rescaler.restorer.state_dict()[key].cpu(), value.half().float()), key


def test_restoring_a_jpeg_stored_lr_with_a_plain_irn_warns_once_and_names_the_robust_model(jpeg_model):
    from irn_core import ComparisonSettings, restore_lr
    from irn_core.analysis.compare import Notice

    lr = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)
    for weights, jpeg_quality, warned in (
        (None, 90, True),
        (None, None, False),
        ("irn_x2_jpeg", 90, False),  # the JPEG-robust model is made for it
    ):
        events = []
        rescaler = IRNRescaler.from_weights(weights, scale=2, precision="fp32")
        restore_lr(lr, rescaler=rescaler, settings=ComparisonSettings(scale=2, jpeg_quality=jpeg_quality),
                   on_event=events.append)  # fmt: skip
        notices = [e.text for e in events if isinstance(e, Notice)]
        assert len(notices) == warned and all("irn_x2_jpeg" in n for n in notices), (weights, notices)


def test_bench_puts_the_jpeg_robust_model_beside_irn_and_says_when_none_is_bundled(jpeg_model, tmp_path, astronaut):
    from irn_core.analysis.bench import run_bench

    net, restorer, _folder = jpeg_model
    data = tmp_path / "set"
    data.mkdir()
    write_png(data / "a.png", astronaut[100:148, 200:248])
    report = run_bench(dataset=data, scale=2, methods=["irn", "irn_jpeg", "bicubic"], draws=1, jpeg=90, progress=False)
    assert set(report["results"]) == {"irn", "irn_jpeg", "bicubic"} and report["jpeg_quality"] == 90
    lr = IRNRescaler(net, precision="fp32").downscale(astronaut[100:148, 200:248])
    robust = IRNRescaler(net, restorer=restorer, precision="fp32")
    from irn_core.ops.codecs import jpeg_roundtrip
    from irn_core.ops.metrics import psnr

    expected = psnr(
        robust.upscale(jpeg_roundtrip(lr, 90), seed=0), astronaut[100:148, 200:248], crop_border=2, y_channel=True
    )
    assert report["results"]["irn_jpeg"]["psnr_y"] == pytest.approx(expected, abs=0.02)  # the restorer ran
    assert report["results"]["irn_jpeg"]["psnr_y"] != report["results"]["irn"]["psnr_y"]
    with pytest.raises(InvalidInputError, match="no JPEG-robust IRN is bundled for x4"):
        run_bench(dataset=data, scale=4, methods=["irn_jpeg"], draws=1, progress=False)


def test_jpeg_draws_split_a_global_batch_so_process_counts_agree():
    from irn_core.training import TrainConfig
    from irn_core.training.jpeg_in_loop import JpegStorage

    config = TrainConfig(scale=2, batch=8, jpeg_in_loop=(60, 90), jpeg_lossless_share=0.25)
    whole = JpegStorage(config, rows=slice(0, 8))
    halves = [JpegStorage(config, rows=slice(0, 4)), JpegStorage(config, rows=slice(4, 8))]
    for storage in (whole, *halves):
        storage.iteration = 7
    assert halves[0].qualities() + halves[1].qualities() == whole.qualities()
    drawn = []
    for iteration in range(50):
        whole.iteration = iteration
        drawn += whole.qualities()
    stored = [q for q in drawn if q is not None]
    assert min(stored) >= 60 and max(stored) <= 90 and 0.1 < drawn.count(None) / len(drawn) < 0.4


@pytest.mark.slow
def test_a_jpeg_robust_run_validates_with_its_lr_stored_as_jpeg_and_exports_that_figure(tmp_path, astronaut):
    import csv

    from irn_core.training import TrainConfig, export_run, train
    from irn_core.training.checkpoints import list_checkpoints
    from irn_core.training.validation import load_validation_images, validate

    data, val = tmp_path / "data", tmp_path / "val"
    data.mkdir()
    val.mkdir()
    write_png(data / "0.png", astronaut[:96, :96])
    write_png(val / "0.png", astronaut[100:164, 100:164])
    config = TrainConfig(
        scale=2, data=str(data), val=str(val), out=str(tmp_path / "run"), iters=2, batch=2, patch=32, workers=0,
        threads=1, checkpoint_every=2, log_every=1, val_every=2, val_draws=1, lr=1e-3, jpeg_in_loop=(60, 90),
        val_jpeg_quality=70,
    )  # fmt: skip
    train(config, progress=False)
    with (tmp_path / "run" / "log.csv").open() as f:
        validated = [row for row in csv.DictReader(f) if row["val_psnr_y"]]
    assert len(validated) == 1

    state = torch.load(list_checkpoints(tmp_path / "run")[-1], weights_only=True)
    net, restorer = build_irn(2), CompressionRestorer()
    net.load_state_dict(state["model"])
    restorer.load_state_dict(state["crm"])
    images = load_validation_images(val, scale=2)
    cpu = torch.device("cpu")
    with_jpeg = validate(net.eval(), images, draws=1, device=cpu, restorer=restorer, jpeg_quality=70)
    lossless = validate(net, images, draws=1, device=cpu, restorer=restorer)
    assert float(validated[0]["val_jpeg_psnr_y"]) == pytest.approx(with_jpeg[0], abs=1e-6)
    assert float(validated[0]["val_psnr_y"]) == pytest.approx(lossless[0], abs=1e-6)
    assert abs(with_jpeg[0] - lossless[0]) > 1e-3  # the JPEG really stood between the passes (an untrained net)
    from irn_core.training.plot import plot_run

    curve = read_image(plot_run(tmp_path / "run")).pixels
    assert curve.shape[1] == 3 * 560  # loss, lossless and JPEG validation panels

    stages: list[str] = []
    meta = export_run(tmp_path / "run", tmp_path / "irn_x2_jpeg.safetensors", val=val, draws=1, on_stage=stages.append)
    assert [s.split(" on ")[0] for s in stages] == [
        "validating fp32",
        "validating fp16",
        "validating fp32, LR stored as JPEG q70",
        "validating fp16, LR stored as JPEG q70",
    ]  # what `irn export` prints while it measures, instead of minutes of silence
    assert meta["val_jpeg_quality"] == 70
    assert meta["val_jpeg_psnr_y"] == pytest.approx(with_jpeg[0], abs=2e-3)
    assert meta["val_psnr_y"] == pytest.approx(lossless[0], abs=2e-3)


def test_a_log_begun_by_an_older_version_keeps_its_columns(tmp_path):
    import csv

    from irn_core.training.engine import CsvLog

    path = tmp_path / "log.csv"
    old_fields = ["iter", "loss", "val_psnr_y", "event"]
    path.write_text(",".join(old_fields) + "\n")
    CsvLog(path).write({"iter": 5, "loss": 1.5, "val_psnr_y": 30.0, "val_jpeg_psnr_y": 28.0})
    with path.open() as f:
        rows = list(csv.reader(f))
    assert rows == [old_fields, ["5", "1.5", "30.0", ""]]


@pytest.mark.slow
def test_continuing_a_jpeg_robust_file_records_its_irn_fingerprint_and_keeps_its_restorer(tmp_path, astronaut):
    from irn_core.io.checkpoints import weights_fingerprint
    from irn_core.training import TrainConfig, export_run, train
    from irn_core.training.checkpoints import list_checkpoints, load_checkpoint

    start = tmp_path / "start.safetensors"
    restorer = randomize(CompressionRestorer(), std=0.01, seed=3)
    save_irn(randomize(build_irn(2), std=0.01, seed=4), start, half=False, restorer=restorer)
    data = tmp_path / "data"
    data.mkdir()
    write_png(data / "0.png", astronaut[:96, :96])
    config = TrainConfig(
        scale=2, data=str(data), out=str(tmp_path / "run"), iters=1, batch=2, patch=32, workers=0, threads=1,
        lr=1e-12, jpeg_in_loop=(60, 90), init_from=str(start),
    )  # fmt: skip
    train(config, progress=False)
    state = load_checkpoint(list_checkpoints(tmp_path / "run")[-1])
    for key, value in restorer.state_dict().items():  # the run went on from the file's restorer
        assert torch.allclose(state["crm"][key], value, atol=1e-6), key
    meta = export_run(tmp_path / "run", tmp_path / "out.safetensors")
    assert meta["init_fingerprint"] == weights_fingerprint(load_irn(start))  # the IRN's, as LR files name it
