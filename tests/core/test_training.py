import numpy as np
import pytest
import torch
from skimage import data

from irn_core import load_irn, write_png
from irn_core.io.checkpoints import weights_fingerprint
from irn_core.io.weights_record import describe_weights
from irn_core.training import ConfigError, TrainConfig, export_run, train
from irn_core.training.checkpoints import list_checkpoints
from irn_core.training.plot import plot_run


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    for name, img in (("astronaut", data.astronaut()), ("chelsea", data.chelsea()), ("coffee", data.coffee())):
        write_png(folder / f"{name}.png", img[:96, :96].astype(np.float32) / 255)
    return folder


def _config(folder, out, **overrides):
    values = dict(
        scale=2,
        data=str(folder),
        out=str(out),
        iters=6,
        batch=2,
        patch=32,
        workers=0,
        checkpoint_every=2,
        log_every=1,
        threads=1,
        lr=1e-3,
        z_warmup_iters=4,
    )
    values.update(overrides)
    return TrainConfig(**values)


@pytest.mark.slow
def test_a_few_iterations_lower_the_loss(image_folder, tmp_path):
    train(_config(image_folder, tmp_path / "run", iters=12, lr=2e-3, z_warmup_iters=0), progress=False)
    rows = [l.split(",") for l in (tmp_path / "run" / "log.csv").read_text().splitlines()[1:]]
    losses = [float(r[1]) for r in rows]
    assert np.mean(losses[-3:]) < np.mean(losses[:3])
    assert plot_run(tmp_path / "run").stat().st_size > 1000


@pytest.mark.slow
def test_resume_equals_uninterrupted(image_folder, tmp_path):
    train(_config(image_folder, tmp_path / "whole"), progress=False)
    train(_config(image_folder, tmp_path / "split"), progress=False, stop_after=3)
    assert list_checkpoints(tmp_path / "split")[-1].name == "iter_00000003.pt"
    train(_config(image_folder, tmp_path / "split"), progress=False)
    a = torch.load(list_checkpoints(tmp_path / "whole")[-1], weights_only=True)["model"]
    b = torch.load(list_checkpoints(tmp_path / "split")[-1], weights_only=True)["model"]
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-6), key


@pytest.mark.slow
def test_spike_rolls_back_to_the_last_checkpoint_with_lower_lr(image_folder, tmp_path, monkeypatch):
    import irn_core.training.irn_loop as loop

    real = loop.backward_reconstruction_loss
    calls = {"n": 0}

    def spiky(restored, hr):
        calls["n"] += 1
        value = real(restored, hr)
        return value * float("nan") if calls["n"] == 4 else value

    monkeypatch.setattr(loop, "backward_reconstruction_loss", spiky)
    result = train(_config(image_folder, tmp_path / "run"), progress=False)
    assert result.rollbacks == 1 and result.iterations == 6
    assert "rollback" in (tmp_path / "run" / "log.csv").read_text()


@pytest.mark.slow
def test_resume_keeps_the_iteration_count_of_the_weights_the_run_began_from(image_folder, tmp_path):
    train(_config(image_folder, tmp_path / "base", iters=2), progress=False)
    init = tmp_path / "bundled.safetensors"
    export_run(tmp_path / "base", init)
    started_from = weights_fingerprint(load_irn(init))
    continued = _config(image_folder, tmp_path / "continued", iters=4, init_from=str(init))
    train(continued, progress=False, stop_after=2)
    # the bundled file is replaced mid-run by weights that already count this run's first iterations
    export_run(tmp_path / "continued", init)
    assert load_irn(init).metadata["total_iterations"] == "4"
    train(continued, progress=False)
    final = export_run(tmp_path / "continued", tmp_path / "final.safetensors")
    # The lineage names the weights the run began from, not what the file holds now.
    assert final["total_iterations"] == 2 + 4 and final["init_fingerprint"] == started_from
    assert final["init_fingerprint"] != weights_fingerprint(load_irn(init))


@pytest.mark.slow
def test_export_then_load_gives_the_same_outputs(image_folder, tmp_path):
    run = tmp_path / "run"
    train(_config(image_folder, run, iters=2), progress=False)
    meta = export_run(run, tmp_path / "w.safetensors", val=image_folder, draws=1)
    net = load_irn(tmp_path / "w.safetensors")
    assert net.metadata["iterations"] == "2" and "val_psnr_y" in meta
    continued = tmp_path / "continued"
    train(_config(image_folder, continued, iters=3, init_from=str(tmp_path / "w.safetensors")), progress=False)
    lineage = export_run(continued, tmp_path / "w2.safetensors")
    assert (lineage["iterations"], lineage["total_iterations"]) == (3, 5)
    described = dict(describe_weights(tmp_path / "w2.safetensors"))
    assert "5 iterations in all (3 in the last run)" in described["Training"] and "Validation" not in described
    assert f"{image_folder.name} PSNR-Y" in dict(describe_weights(tmp_path / "w.safetensors"))["Validation"]
    state = torch.load(list_checkpoints(run)[-1], weights_only=True)["model"]
    reference = load_irn.__globals__["build_irn"](2)
    reference.load_state_dict(state)
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        tolerance = 1e-2 if meta["dtype"] == "float16" else 1e-6
        assert torch.allclose(net(x), reference.eval()(x), atol=tolerance)


def test_bad_config_and_empty_data_give_clear_errors(image_folder, tmp_path):
    with pytest.raises(ConfigError, match="patch must be"):
        _config(image_folder, tmp_path / "r", patch=31).validate()
    with pytest.raises(ConfigError, match="scale must be"):
        _config(image_folder, tmp_path / "r", scale=3).validate()
    with pytest.raises(ConfigError, match="noise_augment must be in"):
        _config(image_folder, tmp_path / "r", noise_augment=-0.1).validate()
    with pytest.raises(ConfigError, match="unknown training option"):
        TrainConfig.from_dict({"learning_rate": 1})
    with pytest.raises(ConfigError, match=r"z_temperature_range must be .* got \[1.0, 0.5\]"):
        _config(image_folder, tmp_path / "r", z_temperature_range=(1, 0.5)).validate()
    with pytest.raises(ConfigError, match=r"jpeg_in_loop must be .* got \[95\]"):
        _config(image_folder, tmp_path / "r", jpeg_in_loop=(95,)).validate()
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ConfigError, match="cannot read config"):
        TrainConfig.from_file(tmp_path / "bad.json")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no usable training images"):
        train(_config(empty, tmp_path / "r"), progress=False)
    with pytest.raises(ConfigError, match="does not exist"):
        train(_config(tmp_path / "missing", tmp_path / "r"), progress=False)


def test_colour_and_noise_augment_keep_patches_reproducible_and_lr_consistent(image_folder):
    from irn_core.ops.resize import imresize
    from irn_core.training.data import PatchDataset

    plain = PatchDataset(image_folder, patch=32, scale=2, seed=3)
    augmented = PatchDataset(image_folder, patch=32, scale=2, seed=3, color_augment=True, noise_augment=0.05)
    again = PatchDataset(image_folder, patch=32, scale=2, seed=3, color_augment=True, noise_augment=0.05)
    changed = 0
    for index in range(16):
        hr, lr = augmented[index]
        assert torch.equal(hr, again[index][0])
        assert 0.0 <= hr.min() and hr.max() <= 1.0
        expected_lr = np.clip(imresize(hr.permute(1, 2, 0).numpy(), scale=0.5), 0, 1)
        np.testing.assert_allclose(lr.permute(1, 2, 0).numpy(), expected_lr, atol=1e-6)
        changed += not torch.equal(hr, plain[index][0])
    # a patch is left alone with probability 7/48: no (or the identity) permutation, no saturation
    # boost and no noise
    assert 10 <= changed <= 16


def test_sr_baseline_training_logs_validation_and_resumes(image_folder, tmp_path):
    config = _config(
        image_folder,
        tmp_path / "sr",
        model="sr",
        iters=4,
        val=str(image_folder),
        val_every=2,
        log_every=2,
        z_warmup_iters=0,
    )
    first = train(config, progress=False, stop_after=2)
    assert first.iterations == 2 and first.val_psnr_y is not None
    second = train(config, progress=False)
    assert second.iterations == 4
    rows = (tmp_path / "sr" / "log.csv").read_text().splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ["2", "4"]
    assert all(row.split(",")[8] for row in rows)  # val_psnr_y at iterations 2 and 4


@pytest.mark.slow
def test_bf16_on_a_cpu_without_fast_bf16_trains_in_fp32(image_folder, tmp_path, monkeypatch):
    import irn_core.training.irn_loop as loop

    monkeypatch.setattr(loop, "bf16_is_fast", lambda device: False)
    train(_config(image_folder, tmp_path / "fp32", iters=2), progress=False)
    with pytest.warns(RuntimeWarning, match="no native bf16"):
        train(_config(image_folder, tmp_path / "asked_bf16", iters=2, autocast_bf16=True), progress=False)
    assert "autocast_bf16: this CPU has no native bf16" in (tmp_path / "asked_bf16" / "log.csv").read_text()
    a = torch.load(list_checkpoints(tmp_path / "fp32")[-1], weights_only=True)["model"]
    b = torch.load(list_checkpoints(tmp_path / "asked_bf16")[-1], weights_only=True)["model"]
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_a_temperature_range_draws_each_patch_its_own_temperature_reproducibly(image_folder, tmp_path):
    from irn_core.training.irn_step import temperature_rows

    paper = _config(image_folder, tmp_path / "r", batch=64, z_warmup_iters=0)
    assert torch.equal(temperature_rows(paper, 5), torch.ones(64, 1, 1, 1))
    ranged = _config(image_folder, tmp_path / "r", batch=64, z_temperature_range=(0.0, 1.0))
    rows = temperature_rows(ranged, 5).flatten()
    assert 0 <= float(rows.min()) < 0.1 and 0.9 < float(rows.max()) <= 1 and len(set(rows.tolist())) == 64
    assert torch.equal(rows, temperature_rows(ranged, 5).flatten())  # the same at a resumed iteration
    assert not torch.equal(rows, temperature_rows(ranged, 6).flatten())
