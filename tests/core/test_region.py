"""Region first: every method on the region in view equals the whole-image result there (the tile engine's
bound), with the whole image's latent, so what is shown first is what stays."""

import numpy as np
import pytest
from conftest import randomize
from skimage import data

from irn_core import ComparisonSettings, IRNRescaler, build_irn
from irn_core.analysis import compare, region
from irn_core.baselines import BicubicBaseline, LanczosBaseline
from irn_core.errors import Cancelled, InvalidInputError

LEVEL = 1 / 255


@pytest.fixture(scope="module")
def setup():
    rescaler = IRNRescaler(randomize(build_irn(2), std=0.01, seed=3), device="cpu", precision="fp32", tile_hr=96)
    hr = data.astronaut()[:150, :206].astype(np.float32) / 255  # odd-ish sizes: not multiples of tiles
    return rescaler, hr, [BicubicBaseline(scale=2), LanczosBaseline(scale=2)]


def test_every_method_of_the_region_equals_the_whole_image_inside_it(setup):
    rescaler, hr, baselines = setup
    settings = ComparisonSettings(scale=2, seed=5)
    events = []
    first = region.compare_region(hr, ((41, 97), (133, 206)), rescaler=rescaler, settings=settings,
                                  baselines=baselines, on_event=events.append)  # fmt: skip
    (r0, r1), (c0, c1) = first.region
    assert (r0, c0) == (40, 132) and (r1, c1) == (98, 206)  # aligned to the LR grid, clipped to the image
    whole = compare.run_comparison(hr, rescaler=rescaler, settings=settings, baselines=baselines)
    for kind in ("irn_hr", "bicubic", "lanczos"):
        inside = whole.results[kind].pixels[r0:r1, c0:c1]
        bound = LEVEL if kind == "irn_hr" else 1e-6
        assert np.abs(first.pixels[kind] - inside).max() < bound, kind
    assert isinstance(events[0], compare.Progress) and "IRN down and up" in events[0].text  # said before it starts
    tiles = [e for e in events if isinstance(e, compare.TileReady)]
    kinds = ["irn_hr", "bicubic", "lanczos"]
    maps = [f"{p}:{k}" for k in kinds for p in ("error", "signed")] + [f"flip:{k}" for k in kinds]
    assert [t.kind for t in tiles] == kinds + maps and all((t.row, t.col) == (r0, c0) for t in tiles)
    by_kind = {t.kind: t.pixels for t in tiles}
    for kind in kinds:  # the region's maps are the whole maps' pixels there (FLIP: computed with context)
        assert by_kind[f"error:{kind}"].shape == (r1 - r0, c1 - c0)
        whole_error = compare.error_map(whole.results[kind].pixels, hr)[r0:r1, c0:c1]
        assert np.abs(by_kind[f"error:{kind}"] - whole_error).max() < LEVEL
        whole_flip = compare.flip_map(whole.results[kind].pixels, hr)[0][r0:r1, c0:c1]
        assert np.abs(by_kind[f"flip:{kind}"] - whole_flip).mean() < 0.01, kind
    measured = [e for e in events if isinstance(e, compare.RegionMeasured)]
    assert len(measured) == 1 and measured[0].region == first.region and measured[0].metrics == first.metrics
    assert first.metrics["irn_hr"]["psnr_y"] == pytest.approx(
        compare.metrics_of(whole.results["irn_hr"].pixels[r0:r1, c0:c1], hr[r0:r1, c0:c1], 2)["psnr_y"], abs=0.05
    )


def test_without_context_the_region_would_differ(setup, monkeypatch):
    """The context is what makes the region final: with none, the region's border is wrong."""
    rescaler, hr, baselines = setup
    settings = ComparisonSettings(scale=2, seed=5)
    monkeypatch.setattr(rescaler, "overlap", 0)  # the region's context is the rescaler's tile context
    first = region.compare_region(hr, ((40, 98), (60, 120)), rescaler=rescaler, settings=settings, baselines=baselines)
    whole = compare.run_comparison(hr, rescaler=rescaler, settings=settings, baselines=baselines)
    assert np.abs(first.pixels["bicubic"] - whole.results["bicubic"].pixels[40:98, 60:120]).max() > 1e-3


def test_region_first_runs_the_region_then_the_whole_image_with_its_latent(setup, monkeypatch):
    rescaler, hr, baselines = setup
    monkeypatch.setattr(region, "REGION_FIRST_MIN_PIXELS", 1000)
    events = []
    settings = ComparisonSettings(scale=2, seed=2)
    first, whole = region.run_region_first(hr, rescaler=rescaler, settings=settings, baselines=baselines,
                                           region=((0, 40), (0, 40)), on_event=events.append)  # fmt: skip
    kinds = [e.result.kind if isinstance(e, compare.ResultReady) else f"tile:{e.kind}"
             for e in events if isinstance(e, (compare.ResultReady, compare.TileReady))]  # fmt: skip
    assert kinds[:3] == ["tile:irn_hr", "tile:bicubic", "tile:lanczos"]  # the region, before any whole result
    fractions = [e.fraction for e in events if isinstance(e, compare.Progress)]
    share = (40 + 32) ** 2 / ((40 + 32) ** 2 + 150 * 206)  # the region with its context, of all the pixels
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)  # one progress, never back
    assert max(f for f in fractions if f <= share + 1e-9) == pytest.approx(share)  # the estimate's basis
    restored = whole.results["irn_hr"].pixels
    assert np.abs(first.pixels["irn_hr"] - restored[:40, :40]).max() < LEVEL  # the same latent
    with pytest.raises(Cancelled):
        import threading

        stop = threading.Event()
        stop.set()
        region.run_region_first(hr, rescaler=rescaler, settings=settings, baselines=baselines, cancel=stop)


def test_each_progress_names_the_step_that_follows_it(setup, monkeypatch):
    """A status line shows the last progress text until the next one: it must name the work going on then,
    not the step just finished (the whole pass's first tile can take seconds)."""
    rescaler, hr, baselines = setup
    monkeypatch.setattr(region, "REGION_FIRST_MIN_PIXELS", 1000)
    events = []
    region.run_region_first(hr, rescaler=rescaler, settings=ComparisonSettings(scale=2, seed=2), baselines=baselines,
                            region=((0, 40), (0, 40)), on_event=events.append)  # fmt: skip
    said = []  # (what had arrived before, the progress text then)
    arrived = []
    for e in events:
        if isinstance(e, compare.TileReady):
            arrived.append(e.kind)
        elif isinstance(e, compare.ResultReady):
            arrived.append(e.result.kind)
        elif isinstance(e, compare.Progress):
            said.append((tuple(arrived), e.text))
    texts = dict(said)
    assert texts[("irn_hr",)] == "the region in view: bicubic"
    assert texts[("irn_hr", "bicubic")] == "the region in view: lanczos"
    assert texts[("irn_hr", "bicubic", "lanczos")] == "the region in view: metrics and maps"
    region_done = next(i for i, (before, _) in enumerate(said) if before and before[-1] == "flip:lanczos")
    assert said[region_done][1] == "whole image: IRN downscale"  # before the whole pass's first tile
    assert all(text.startswith("whole image: ") for _, text in said[region_done:])


def test_a_region_outside_the_image_is_refused(setup):
    rescaler, hr, baselines = setup
    with pytest.raises(InvalidInputError, match="expected a region inside"):
        region.compare_region(hr, ((500, 600), (0, 10)), rescaler=rescaler, settings=ComparisonSettings(scale=2),
                              baselines=baselines)  # fmt: skip
    with pytest.raises(InvalidInputError, match="x4, but the rescaler's IRN is x2"):
        region.compare_region(hr, ((0, 40), (0, 40)), rescaler=rescaler, settings=ComparisonSettings(scale=4),
                              baselines=baselines)  # fmt: skip


def test_the_first_region_is_the_view_when_zoomed_in_and_the_centre_at_fit():
    shape = (3000, 4000, 3)
    assert region.region_for_view(shape, ((1350, 1650), (1730, 2270))) == ((1350, 1650), (1730, 2270))
    assert region.region_for_view(shape, ((-50, 3050), (-10, 4010))) == ((1116, 1884), (1616, 2384))  # Fit: centre
    assert region.region_for_view(shape, None) == ((1116, 1884), (1616, 2384))
    assert region.region_for_view(shape, ((10, 20), (30, 40))) == ((0, 64), (3, 67))  # never under 64 px a side


def test_a_view_that_moves_reorders_the_tiles_left_and_finished_tiles_stay_finished():
    import torch

    from irn_core.ops.tiling import run_tiled

    looked_at = [(0.0, 0.0)]
    order, calls = [], []

    def identity(patch, step):
        calls.append(tuple(patch.shape))
        return patch

    def on_tile(tile, _pixels):
        order.append((tile.row0, tile.col0))
        if len(order) == 1:
            looked_at[0] = (63.0, 63.0)  # the user pans to the far corner after the first tile

    source = torch.rand(1, 3, 64, 64)
    out = run_tiled(identity, source, lr_shape=(64, 64), in_factor=1, out_factor=1, out_channels=3, tile_lr=16,
                    overlap=0, device=torch.device("cpu"), on_tile=on_tile, priority=lambda: looked_at[0])  # fmt: skip
    assert order[0] == (0, 0) and order[1] == (48, 48)  # the far corner next, before tiles queued near the start
    assert len(order) == len(set(order)) == 16 == len(calls)  # each tile once: none recomputed
    assert torch.equal(out, source)


def test_a_known_tile_is_copied_in_and_the_rest_planned_around_it():
    import torch

    from irn_core.ops.tiling import KnownTile, Tile, run_tiled

    computed = []

    def identity(patch, step):
        computed.append(patch.shape[2] * patch.shape[3])
        return patch

    source = torch.rand(1, 3, 64, 64)
    known = KnownTile(Tile(20, 40, 8, 30), torch.full((1, 3, 20, 22), -1.0))
    sent = []
    grid = dict(lr_shape=(64, 64), in_factor=1, out_factor=1, out_channels=3, tile_lr=16, overlap=0,
                device=torch.device("cpu"))  # fmt: skip
    out = run_tiled(identity, source, **grid, known=known, on_tile=lambda t, _p: sent.append(t))
    assert torch.equal(out[:, :, 20:40, 8:30], known.pixels)  # copied, not computed
    outside = torch.ones(64, 64, dtype=torch.bool)
    outside[20:40, 8:30] = False
    assert torch.equal(out[0][:, outside], source[0][:, outside])
    assert sum(computed) == 64 * 64 - 20 * 22  # every pixel outside it once, none inside it
    assert sent[0] == known.tile  # shown first: it is where the person looks
    with pytest.raises(InvalidInputError, match="known tile's output"):
        run_tiled(identity, source, **grid, known=KnownTile(Tile(0, 8, 0, 8), torch.zeros(1, 3, 4, 4)))


def test_the_whole_pass_reuses_the_first_regions_irn_work(setup, monkeypatch):
    """No work twice: the whole pass computes IRN everywhere except the region already computed, both ways."""
    rescaler, hr, baselines = setup
    monkeypatch.setattr(region, "REGION_FIRST_MIN_PIXELS", 1000)
    settings = ComparisonSettings(scale=2, seed=2)
    lr_pixels = {False: 0, True: 0}
    forward = rescaler.net.forward

    def counting(x, rev=False, **options):
        lr_pixels[rev] += x.shape[2] * x.shape[3] // (1 if rev else 4)
        return forward(x, rev=rev, **options)

    monkeypatch.setattr(rescaler.net, "forward", counting)

    def whole_pass_pixels(reuse):
        if not reuse:
            monkeypatch.setattr(region, "compare_region", _without_reuse(region.compare_region))
        lr_pixels.update({False: 0, True: 0})
        first, whole = region.run_region_first(hr, rescaler=rescaler, settings=settings, baselines=baselines,
                                               region=((0, 96), (16, 112)))  # fmt: skip
        return dict(lr_pixels), whole.results["irn_hr"].pixels

    reused, with_reuse = whole_pass_pixels(True)
    recomputed, without_reuse = whole_pass_pixels(False)
    # Tiles of 48 LR pixels: planned around the region's 48x48 LR pixels, the whole pass computes fewer
    # pixels (with context) than its plain plan, whose tiles would cover the region again.
    for rev in (False, True):
        assert recomputed[rev] - reused[rev] >= 48 * 48, rev
    assert np.abs(with_reuse - without_reuse).max() < LEVEL  # and the result is the same within the bound


def _without_reuse(compare_region):
    def run(*args, **kwargs):
        first = compare_region(*args, **kwargs)
        first.known_lr = first.known_hr = None
        return first

    return run


def test_a_quarter_megapixel_image_gets_a_first_look_at_its_centre_and_smaller_ones_none():
    settings = ComparisonSettings(scale=4)
    assert region.region_for_view((512, 512, 3), ((0, 512), (0, 512))) == ((128, 384), (128, 384))  # at Fit
    assert region.wants_region_first((512, 512, 3), settings, first_look=True)
    assert not region.wants_region_first((512, 512, 3), settings)  # not a large photo: no region pass on a pan
    assert not region.wants_region_first((300, 400, 3), settings, first_look=True)  # 0.12 MP: whole at once
    assert not region.wants_region_first((512, 512, 3), settings.replace(jpeg_quality=90), first_look=True)
