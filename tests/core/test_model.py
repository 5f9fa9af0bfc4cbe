from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import randomize

from irn_core import build_irn, count_parameters, load_irn
from irn_core.io.checkpoints import WeightsError
from irn_core.io.weights_record import describe_weights
from irn_core.nn.irn import HaarDownsampling, InvBlockExp, official_haar_weights

REFERENCE = Path(__file__).parent / "data" / "official_reference.npz"


@pytest.mark.parametrize("scale,expected", [(2, 1_667_952), (4, 4_355_136)])
def test_parameter_counts_match_the_paper(scale, expected):
    assert count_parameters(build_irn(scale)) == expected


@pytest.mark.parametrize("scale", [2, 4, 8])
def test_round_trip_with_the_true_z_is_exact(scale):
    net = randomize(build_irn(scale), seed=scale).eval()
    x = torch.rand(2, 3, 2 * scale * 4, 3 * scale * 2)
    with torch.no_grad():
        y = net(x)
        assert y.shape == (2, 3 * scale**2, x.shape[2] // scale, x.shape[3] // scale)
        back = net(y, rev=True)
    assert (back - x).abs().max().item() < 1e-5


def test_forward_log_det_is_minus_reverse_log_det():
    net = randomize(build_irn(4)).eval()
    x = torch.rand(3, 3, 16, 16)
    with torch.no_grad():
        y, forward_log_det = net(x, jac=True)
        _, reverse_log_det = net(y, rev=True, jac=True)
    assert forward_log_det.shape == (3,)
    assert torch.allclose(forward_log_det, -reverse_log_det, rtol=1e-4, atol=1e-3)
    # The Haar stages alone contribute -log(16)/4 per element each.
    assert not torch.allclose(forward_log_det, torch.zeros(3))


def test_coupling_block_log_det_matches_autograd_jacobian():
    block = randomize(InvBlockExp(12), std=0.05)
    x = torch.rand(1, 12, 2, 2, dtype=torch.float64)
    block = block.double()
    jacobian = torch.autograd.functional.jacobian(lambda t: block(t), x).reshape(48, 48)
    _, log_det = block(x, jac=True)
    assert torch.allclose(log_det.double(), torch.linalg.slogdet(jacobian).logabsdet, atol=1e-5)


def test_haar_matches_the_official_grouped_convolution():
    haar = HaarDownsampling(3)
    x = torch.rand(2, 3, 6, 8)
    reference = torch.nn.functional.conv2d(x, official_haar_weights(3), stride=2, groups=3) / 4
    reference = reference.reshape(2, 3, 4, 3, 4).transpose(1, 2).reshape(2, 12, 3, 4)
    assert torch.allclose(haar(x), reference, atol=1e-6)


def test_modules_keep_no_state_between_calls():
    net = randomize(build_irn(2)).eval()
    before = set(vars(net.operations[1]))
    with torch.no_grad():
        net(torch.rand(1, 3, 8, 8), jac=True)
    assert set(vars(net.operations[1])) == before


@pytest.mark.parametrize("scale", [2, 4])
def test_official_checkpoint_gives_the_official_outputs(tmp_path, scale):
    """Reference outputs were produced by the official Inv_arch.py with these random weights."""
    reference = np.load(REFERENCE)
    generator = torch.Generator().manual_seed(1234 + scale)
    state = build_irn(scale).state_dict()
    for key, value in state.items():
        if not key.endswith("haar_weights"):
            state[key] = torch.randn(value.shape, generator=generator) * 0.01
    # Saved as the official code saves it when wrapped in DataParallel: a "module." prefix.
    path = tmp_path / "official.pth"
    torch.save({f"module.{k}": v for k, v in state.items()}, path)
    net = load_irn(path)
    assert net.scale == scale
    with torch.no_grad():
        forward = net(torch.from_numpy(reference[f"x{scale}_input"]))
        reverse = net(torch.from_numpy(reference[f"x{scale}_forward"]), rev=True)
    np.testing.assert_allclose(forward.numpy(), reference[f"x{scale}_forward"], atol=1e-5)
    np.testing.assert_allclose(reverse.numpy(), reference[f"x{scale}_reverse"], atol=1e-5)


def test_load_rejects_wrong_scale_and_foreign_files(tmp_path):
    path = tmp_path / "x2.pth"
    torch.save(build_irn(2).state_dict(), path)
    with pytest.raises(WeightsError, match="x2 checkpoint, but x4"):
        load_irn(path, scale=4)
    other = tmp_path / "resnet.pth"
    torch.save({"conv.weight": torch.zeros(3, 3, 3, 3)}, other)
    with pytest.raises(WeightsError, match="not an IRN checkpoint"):
        load_irn(other)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(WeightsError, match="cannot read"):
        load_irn(junk)
    with pytest.raises(WeightsError, match="not found"):
        load_irn(tmp_path / "missing.safetensors")
    partial = build_irn(2).state_dict()
    partial.pop("operations.1.F.conv1.weight")
    torch.save(partial, tmp_path / "partial.pth")
    with pytest.raises(WeightsError, match="does not match"):
        load_irn(tmp_path / "partial.pth")
    assert "records no training details" in dict(describe_weights(path))["Format"]
    (tmp_path / "junk.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(WeightsError, match="cannot read the header"):
        describe_weights(tmp_path / "junk.safetensors")
    with pytest.raises(WeightsError, match="not found"):
        describe_weights(tmp_path / "missing.safetensors")


def test_safetensors_round_trip_keeps_outputs_and_metadata(tmp_path):
    from irn_core import save_irn

    net = randomize(build_irn(2)).eval()
    path = save_irn(net, tmp_path / "w.safetensors", half=False, metadata={"iterations": 7})
    loaded = load_irn(path)
    assert loaded.metadata["scale"] == "2" and loaded.metadata["iterations"] == "7"
    x = torch.rand(1, 3, 8, 8)
    with torch.no_grad():
        assert torch.equal(net(x), loaded(x))


def test_build_irn_rejects_bad_scales():
    with pytest.raises(ValueError, match="scale must be one of"):
        build_irn(3)
    with pytest.raises(TypeError):
        build_irn("4")
