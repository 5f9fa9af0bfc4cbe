import threading

import numpy as np
import pytest
import torch
from conftest import randomize

from irn_core import Cancelled, IRNRescaler, build_irn, load_irn


@pytest.fixture(scope="module")
def net4():
    return randomize(build_irn(4), std=0.01, seed=4)


def test_oracle_z_restores_the_input(net4, small_image):
    rescaler = IRNRescaler(net4, device="cpu")
    lr, z = rescaler.encode(small_image)
    assert lr.shape == (16, 12, 3) and z.shape == (45, 16, 12)
    assert np.array_equal(np.round(lr * 255), lr * 255)  # 8-bit levels
    restored = rescaler.upscale(lr, z=z)
    # Only the LR quantisation (at most half a level) separates this from the input.
    assert np.abs(restored - small_image).mean() < 2 / 255


@pytest.mark.parametrize("shape", [(37, 29), (5, 3), (1, 1), (64, 3)])
def test_sizes_that_are_not_multiples_of_the_scale(net4, shape):
    rescaler = IRNRescaler(net4, device="cpu")
    hr = np.random.default_rng(0).random((*shape, 3), dtype=np.float32)
    lr, restored = rescaler.roundtrip(hr, seed=0)
    assert lr.shape == (-(-shape[0] // 4), -(-shape[1] // 4), 3)
    assert restored.shape == hr.shape and restored.dtype == np.float32
    assert 0 <= restored.min() and restored.max() <= 1


def test_seed_and_temperature(net4, small_image):
    rescaler = IRNRescaler(net4, device="cpu")
    lr = rescaler.downscale(small_image)
    a, b = rescaler.upscale(lr, seed=1), rescaler.upscale(lr, seed=1)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, rescaler.upscale(lr, seed=2))
    cold = [rescaler.upscale(lr, seed=s, temperature=0) for s in (1, 2)]
    assert np.array_equal(*cold)
    with pytest.raises(ValueError, match="temperature"):
        rescaler.upscale(lr, temperature=-1)
    with pytest.raises(ValueError, match="z must have shape"):
        rescaler.upscale(lr, z=np.zeros((3, 2, 2), np.float32))


def test_a_regions_latent_is_that_region_of_the_whole_draw_whatever_the_images_size(net4):
    from irn_core.ops.latent import LATENT_BLOCK_LR

    rescaler = IRNRescaler(net4, device="cpu")
    whole = rescaler.draw_latent(150, 211, seed=7, temperature=0.8)
    assert whole.shape == (45, 150, 211)
    for top, left, h, w in ((0, 0, 150, 211), (63, 64, 2, 1), (70, 100, 80, 111), (1, 2, 3, 200)):
        part = rescaler.draw_latent(h, w, seed=7, temperature=0.8, top=top, left=left)
        assert np.array_equal(part, whole[:, top : top + h, left : left + w]), (top, left)
    larger = rescaler.draw_latent(300, 400, seed=7, temperature=0.8)
    assert np.array_equal(larger[:, :150, :211], whole)  # a seed names one field: image size does not move it
    blocks = (
        whole[:, :LATENT_BLOCK_LR, :LATENT_BLOCK_LR],
        whole[:, :LATENT_BLOCK_LR, LATENT_BLOCK_LR : 2 * LATENT_BLOCK_LR],
    )
    assert not np.array_equal(*blocks)  # each block its own draw
    assert abs(whole.std() - 0.8) < 0.01 and abs(whole.mean()) < 0.01  # N(0, T^2)
    assert not np.array_equal(rescaler.draw_latent(8, 8, seed=8), rescaler.draw_latent(8, 8, seed=7))
    with pytest.raises(ValueError, match="inside the LR plane"):
        rescaler.draw_latent(8, 8, seed=7, top=-1)


def test_upscale_draws_the_seeds_field(net4, small_image):
    rescaler = IRNRescaler(net4, device="cpu", precision="fp32")
    lr = rescaler.downscale(small_image)
    z = rescaler.draw_latent(*lr.shape[:2], seed=3, temperature=0.5)
    assert np.array_equal(rescaler.upscale(lr, seed=3, temperature=0.5), rescaler.upscale(lr, z=z))


@pytest.mark.slow
def test_tiled_and_untiled_results_differ_by_less_than_one_level(net4, astronaut):
    hr = astronaut[:192, :160]
    whole = IRNRescaler(net4, device="cpu", precision="fp32", tile_hr=1024)
    tiled = IRNRescaler(net4, device="cpu", precision="fp32", tile_hr=64, overlap=16)
    lr_whole, lr_tiled = whole.downscale(hr), tiled.downscale(hr)
    assert np.abs(lr_whole - lr_tiled).max() <= 1 / 255 + 1e-7
    up_whole, up_tiled = whole.upscale(lr_whole, seed=3), tiled.upscale(lr_whole, seed=3)
    assert np.abs(up_whole - up_tiled).max() < 1 / 255


@pytest.mark.slow
def test_progress_tiles_priority_and_cancel(net4, astronaut):
    rescaler = IRNRescaler(net4, device="cpu", tile_hr=64)
    lr = rescaler.downscale(astronaut[:128, :128])
    seen, tiles = [], []
    rescaler.upscale(
        lr,
        seed=0,
        progress=lambda d, t: seen.append((d, t)),
        on_tile=lambda tile, px: tiles.append((tile, px.shape)),
        priority=(31, 31),
    )
    assert seen[-1] == (4, 4) and len(tiles) == 4
    assert seen == sorted(seen) and any(d % 1 for d, _ in seen)  # moves within tiles, never backwards
    assert (tiles[0][0].row0, tiles[0][0].col0) == (16, 16)  # the tile holding the priority point first
    assert tiles[0][1] == (64, 64, 3)
    cancel = threading.Event()
    calls = []

    def progress(done, total):
        calls.append(done)
        cancel.set()

    with pytest.raises(Cancelled):
        rescaler.upscale(lr, seed=0, progress=progress, cancel=cancel)
    assert calls == [1 / 54]  # stopped after the first dense block (x4: 18 invertible operations of 3), in tile 1


def test_cancel_stops_inside_a_single_large_tile(net4, astronaut):
    rescaler = IRNRescaler(net4, device="cpu", tile_hr=512)
    cancel = threading.Event()
    steps = []

    def progress(done, total):
        steps.append((done, total))
        if len(steps) == 3:
            cancel.set()

    with pytest.raises(Cancelled):
        rescaler.downscale(astronaut[:256, :256], progress=progress, cancel=cancel)
    # the Haar stage (3 steps), then a coupling block's first two dense blocks: it stops inside that block
    assert steps == [(i / 54, 1) for i in (3, 4, 5)]


def test_bad_inputs(net4):
    rescaler = IRNRescaler(net4, device="cpu")
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        rescaler.downscale(np.zeros((8, 8), np.float32))
    with pytest.raises(TypeError, match="numpy"):
        rescaler.downscale([[0.0]])
    with pytest.raises(ValueError, match="precision"):
        IRNRescaler(net4, precision="int8")


def test_bf16_falls_back_to_fp32_on_a_cpu_without_native_bf16(net4, small_image, monkeypatch):
    import irn_core.device as rescaler_module

    monkeypatch.setattr(rescaler_module, "bf16_is_fast", lambda device: False)
    with pytest.warns(RuntimeWarning, match="no native bf16"):
        rescaler = IRNRescaler(net4, device="cpu", precision="bf16")
    assert rescaler.precision == "fp32"
    fp32 = IRNRescaler(net4, device="cpu")
    assert np.array_equal(rescaler.downscale(small_image), fp32.downscale(small_image))


@pytest.mark.parametrize("native", [False, True])
def test_auto_precision_is_bf16_only_where_the_cpu_has_native_bf16(net4, monkeypatch, native):
    import irn_core.device as device_module

    monkeypatch.setattr(device_module, "cpu_has_native_bf16", lambda: native)
    rescaler = IRNRescaler(net4, device="cpu")  # "auto" is the default
    assert rescaler.precision == ("bf16" if native else "fp32")
    hidden_dtype = rescaler.net.operations[1].G.state_dict()["weight0" if native else "conv1.weight"].dtype
    assert hidden_dtype == (torch.bfloat16 if native else torch.float32)
    assert net4.operations[1].F.conv1.weight.dtype == torch.float32  # the caller's network is untouched
    assert rescaler.fingerprint == IRNRescaler(net4, device="cpu", precision="fp32").fingerprint


def test_cpu_flags_decide_native_bf16(monkeypatch):
    import irn_core.device as device_module

    monkeypatch.setattr(device_module, "_cpu_flags", lambda: frozenset({"avx2", "avx512f", "avx512bw"}))
    assert not device_module.cpu_has_native_bf16()
    monkeypatch.setattr(device_module, "_cpu_flags", lambda: frozenset({"avx512f", "avx512_bf16"}))
    assert device_module.cpu_has_native_bf16()
    monkeypatch.setattr(device_module, "_cpu_flags", lambda: frozenset({"avx2", "amx_bf16", "amx_tile"}))
    assert device_module.cpu_has_native_bf16()


@pytest.mark.slow
def test_bf16_dense_blocks_cost_under_a_hundredth_of_a_db(astronaut, monkeypatch):
    """The reduced-precision path against fp32 on the bundled x2 and x4 (PSNR-Y, official convention).

    bf16 arithmetic is exact to emulate on any CPU, only slow without native support, so this runs
    everywhere. docs/RESULTS.md gives the same figure on Set5.
    """
    import irn_core.device as device_module
    from irn_core import load_irn
    from irn_core.ops.metrics import psnr

    monkeypatch.setattr(device_module, "bf16_is_fast", lambda device: True)  # emulated where not native
    hr = astronaut[:256, 128:384]
    for scale in (2, 4):
        net = load_irn(scale=scale)
        fp32 = IRNRescaler(net, device="cpu", precision="fp32")
        reduced = IRNRescaler(net, device="cpu", precision="bf16")
        assert reduced.net.operations[1].G.weight_out.dtype == torch.bfloat16
        scores = []
        for rescaler in (fp32, reduced):
            _, restored = rescaler.roundtrip(hr, seed=0)
            scores.append(psnr(restored, hr, crop_border=scale, y_channel=True))
        assert abs(scores[0] - scores[1]) < 0.01, (scale, scores)


@pytest.mark.slow
@pytest.mark.parametrize("scale", [2, 4])
def test_the_default_tile_context_keeps_the_bundled_weights_well_within_a_level(scale, astronaut):
    from irn_core.io.checkpoints import bundled_weights_path

    net = load_irn(bundled_weights_path(scale), scale=scale)
    hr = astronaut[:256, :192]
    whole = IRNRescaler(net, device="cpu", precision="fp32", tile_hr=1024)
    tiled = IRNRescaler(net, device="cpu", precision="fp32", tile_hr=64)  # every tile's border inside
    assert tiled.overlap == 8  # CONTEXT_LR (measured here: z 0.02-0.10 of a level, restored 0.02-0.03; 4 LR: 1.6)
    (lr, z), (lr_tiled, z_tiled) = whole.encode(hr), tiled.encode(hr)
    assert np.abs(z - z_tiled).max() < 0.25 / 255  # z is not rounded: the network's own difference
    assert np.abs(lr - lr_tiled).max() <= 1 / 255 + 1e-7 and (lr != lr_tiled).mean() < 1e-3  # rare rounding flips
    up, up_tiled = whole.upscale(lr, seed=3), tiled.upscale(lr, seed=3)
    assert np.abs(up - up_tiled).max() < 0.1 / 255
