import numpy as np
import pytest
import torch

from irn_core.baselines import BicubicBaseline, LanczosBaseline, make_baseline
from irn_core.baselines.sr import SRBaseline, load_sr_baseline
from irn_core.errors import WeightsError
from irn_core.io.checkpoints import load_sr_model, save_sr
from irn_core.nn.sr import CompactSR


@pytest.mark.parametrize("cls", [BicubicBaseline, LanczosBaseline])
@pytest.mark.parametrize("scale", [2, 4])
def test_interpolation_baselines_shapes_and_range(cls, scale, small_image):
    hr = small_image[:61, :45]  # not multiples of the scale
    baseline = cls(scale=scale)
    lr, restored = baseline.roundtrip(hr)
    assert lr.shape == (-(-61 // scale), -(-45 // scale), 3)
    assert restored.shape == hr.shape and restored.dtype == np.float32
    assert restored.min() >= 0 and restored.max() <= 1
    assert np.array_equal(np.round(restored * 255), restored * 255)
    assert baseline.name in ("bicubic", "lanczos") and baseline.scale == scale


def test_bicubic_of_a_smooth_image_is_close(astronaut):
    smooth = np.tile(np.linspace(0, 1, 64, dtype=np.float32)[None, :, None], (64, 1, 3))
    _, restored = BicubicBaseline(scale=2).roundtrip(smooth)
    assert np.abs(restored - smooth)[4:-4, 4:-4].max() < 2 / 255


def _random_compact_sr(scale: int) -> CompactSR:
    torch.manual_seed(0)
    model = CompactSR(scale=scale).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.01)
    return model


def test_sr_network_save_load_round_trip(tmp_path):
    model = _random_compact_sr(4)
    path = save_sr(model, tmp_path / "sr_x4.safetensors", half=False)
    loaded, info = load_sr_model(path)
    scale, architecture = info.scale, info.architecture
    assert scale == 4 and "Compact" in architecture
    x = torch.rand(1, 3, 12, 10)
    with torch.no_grad():
        assert torch.allclose(loaded(x), model(x), atol=1e-6)
    baseline = load_sr_baseline(path, scale=4, device="cpu")
    lr = np.random.default_rng(0).random((10, 9, 3), dtype=np.float32)
    assert baseline.upscale(lr).shape == (40, 36, 3)
    with pytest.raises(ValueError, match="x4 SRVGGNetCompact model, but the comparison is at x2"):
        load_sr_model(path, scale=2)


@pytest.mark.slow
def test_our_sr_files_load_without_importing_spandrel(tmp_path):
    import subprocess
    import sys

    path = save_sr(_random_compact_sr(2), tmp_path / "sr_x2.safetensors")
    code = (
        "import sys; from irn_core.io.checkpoints import load_sr_model; "
        f"assert load_sr_model({str(path)!r})[1].scale == 2; print('spandrel' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_our_sr_network_is_an_architecture_spandrel_knows(tmp_path):
    pytest.importorskip("spandrel")
    model = _random_compact_sr(4)
    path = tmp_path / "compact_x4.pth"
    torch.save(model.state_dict(), path)  # a .pth goes through spandrel
    loaded, info = load_sr_model(path)
    scale, architecture = info.scale, info.architecture
    assert scale == 4 and "Compact" in architecture
    x = torch.rand(1, 3, 12, 10)
    with torch.no_grad():
        assert torch.allclose(loaded(x), model(x), atol=1e-6)


def test_sr_tiled_equals_whole(tmp_path):
    torch.manual_seed(1)
    model = CompactSR(scale=2, convs=2).eval()
    lr = np.random.default_rng(0).random((40, 36, 3), dtype=np.float32)
    whole = SRBaseline(model, scale=2, name="t", device="cpu", tile_lr=256).upscale(lr)
    tiled = SRBaseline(model, scale=2, name="t", device="cpu", tile_lr=16, overlap=8).upscale(lr)
    assert np.abs(whole - tiled).max() <= 1 / 255 + 1e-6


def test_sr_errors(tmp_path):
    model = CompactSR(scale=2)
    path = save_sr(model, tmp_path / "x2.safetensors")
    with pytest.raises(ValueError, match="x2 .* but the comparison is at x4"):
        load_sr_model(path, scale=4)
    junk = tmp_path / "junk.pth"
    torch.save({"foo.weight": torch.zeros(2, 2)}, junk)
    with pytest.raises(ValueError, match="not an SR model spandrel supports"):
        load_sr_model(junk)
    with pytest.raises(WeightsError, match="not found"):
        load_sr_model(tmp_path / "missing.pth")
    with pytest.raises(ValueError, match="unknown method"):
        make_baseline("nearest", scale=2)
