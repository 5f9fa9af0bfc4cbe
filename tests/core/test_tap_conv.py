"""The few-output 3x3 convolution of the reduced-precision F subnet equals the convolution it replaces."""

import pytest
import torch
import torch.nn.functional as F

from irn_core.nn.tap_conv import conv3x3_few_outputs


def _parts(n: int, h: int, w: int, *, seed: int = 0) -> list[torch.Tensor]:
    """A float32 channels_last part (the exact image channels) and bf16 parts in both layouts (the features)."""
    g = torch.Generator().manual_seed(seed)
    image = torch.rand(n, 9, h, w, generator=g).contiguous(memory_format=torch.channels_last)
    features = [torch.randn(n, 32, h, w, generator=g).to(torch.bfloat16) for _ in range(3)]
    features[0] = features[0].contiguous(memory_format=torch.channels_last)
    return [image, *features]


@pytest.mark.parametrize("shape", [(2, 5, 7), (1, 1, 1), (1, 1, 6), (1, 13, 2), (1, 64, 48)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_equals_the_convolution_of_the_concatenation(shape, with_bias):
    n, h, w = shape
    parts = _parts(n, h, w)
    g = torch.Generator().manual_seed(1)
    weight = torch.randn(3, sum(p.shape[1] for p in parts), 3, 3, generator=g) * 0.05
    bias = torch.randn(3, generator=g) if with_bias else None
    expected = F.conv2d(torch.cat([p.float() for p in parts], 1), weight, bias, padding=1)
    got = conv3x3_few_outputs(parts, weight, bias)
    assert got.shape == expected.shape and got.dtype == torch.float32
    # float32 sums of ~900 products in another order: a few units in the last place of the largest terms
    assert torch.allclose(got, expected, rtol=0, atol=1e-5 * float(expected.abs().max()) + 1e-6)


def test_refuses_parts_and_weights_that_do_not_fit():
    parts = _parts(1, 4, 4)
    with pytest.raises(ValueError, match=r"weights \(3, 105, 3, 3\), got parts"):
        conv3x3_few_outputs(parts, torch.zeros(3, 100, 3, 3), None)
    with pytest.raises(ValueError, match="expected parts of one"):
        conv3x3_few_outputs([parts[0], torch.zeros(1, 32, 4, 5)], torch.zeros(3, 41, 3, 3), None)


def test_the_reduced_precision_f_subnet_uses_it_with_the_same_result(monkeypatch):
    """F of a bf16 inference copy (its output is added to the image channels, so it stays float32) gives what
    the float32 convolution over its promoted features gave."""
    from conftest import randomize

    from irn_core.nn import reduced_precision
    from irn_core.nn.irn import build_irn
    from irn_core.nn.reduced_precision import ReducedPrecisionDenseBlock

    calls = []
    monkeypatch.setattr(reduced_precision, "conv3x3_few_outputs", lambda *a: calls.append(1) or conv3x3_few_outputs(*a))

    net = randomize(build_irn(2), std=0.05)
    block = ReducedPrecisionDenseBlock(net.operations[1].F, torch.bfloat16, exact_input=False, exact_output=True)
    x = torch.rand(1, 9, 24, 20).contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        got = block(x)
        features = [x.to(torch.bfloat16)]
        for index in range(4):
            weight, bias = block.get_buffer(f"weight{index}"), block.get_buffer(f"bias{index}")
            conv = F.conv2d(torch.cat(features, 1), weight, bias, 1, 1)
            features.append(F.leaky_relu(conv, 0.2))
        expected = F.conv2d(torch.cat([x, *features[1:]], 1), block.weight_out, block.bias_out, 1, 1)
    assert block.weight_out.dtype == torch.float32 and calls == [1]
    assert torch.allclose(got, expected, rtol=0, atol=1e-5 * float(expected.abs().max()) + 1e-7)
