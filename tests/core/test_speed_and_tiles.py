"""The tile planner, the FLOP count speed figures are held against, and ``irn speed``'s report."""

import pytest

from irn_core import build_irn
from irn_core.analysis.speed import irn_flops_per_megapixel, load_official_network, speed_report
from irn_core.errors import InvalidInputError
from irn_core.ops.tiling import plan_tiles


def covers_exactly(tiles, height, width):
    painted = [[0] * width for _ in range(height)]
    for t in tiles:
        for r in range(t.row0, t.row1):
            for c in range(t.col0, t.col1):
                painted[r][c] += 1
    return all(v == 1 for row in painted for v in row)


@pytest.mark.parametrize("shape", [(37, 53), (64, 64), (1, 90), (90, 1)])
def test_tiles_cover_the_grid_once_and_are_balanced(shape):
    tiles = plan_tiles(*shape, 16)
    assert covers_exactly(tiles, *shape)
    heights = {t.row1 - t.row0 for t in tiles}
    widths = {t.col1 - t.col0 for t in tiles}
    assert max(heights) <= 16 and max(widths) <= 16
    assert max(heights) - min(heights) <= 1 and max(widths) - min(widths) <= 1
    if shape == (37, 53):  # four columns of 13-14, not three of 16 and a sliver of 5
        assert widths == {13, 14} and heights == {12, 13}


def test_an_area_budget_gives_the_fewest_patches_that_fit_it():
    # A 4000x3000 photo at x4 (LR 1000x750) with the CPU's 1 GiB budget: 134,217 LR pixels a patch.
    tiles = plan_tiles(750, 1000, 2**20, overlap=16, max_patch_pixels=134_217)
    assert covers_exactly(tiles, 750, 1000)
    for t in tiles:
        rows = t.row1 - t.row0 + 32 * (len({x.row0 for x in tiles}) > 1)
        cols = t.col1 - t.col0 + 32 * (len({x.col0 for x in tiles}) > 1)
        assert rows * cols <= 134_217
    assert len(tiles) == 7  # 750 x 1000 = 750k pixels cannot fit in 6 patches of 134k with context
    assert len(plan_tiles(100, 100, 2**20, overlap=16, max_patch_pixels=10_000)) == 1  # fits whole: no context


def test_flop_count_matches_the_published_cost():
    # 1.17 TFLOP per HR megapixel each way at x4 and 0.83 at x2 (the speed issue's reference figures).
    assert irn_flops_per_megapixel(build_irn(4)) / 1e12 == pytest.approx(1.1678, abs=1e-4)
    assert irn_flops_per_megapixel(build_irn(2)) / 1e12 == pytest.approx(0.8324, abs=1e-4)


def test_speed_report_names_device_precision_and_rate():
    lines = speed_report(scales=[2], size=64, device="cpu", precision="fp32", repeats=1)
    assert lines[0].startswith("device: CPU (") and "precision fp32 (asked: fp32)" in lines[0]
    assert lines[1].startswith("x2 fp32: downscale") and "GFLOP/s" in lines[1] and "peak RSS" in lines[1]


def test_official_code_folder_is_checked(tmp_path):
    with pytest.raises(InvalidInputError, match="codes/ folder"):
        load_official_network(tmp_path, build_irn(2))


def test_peak_is_measured_in_the_rescalers_precision_and_irn_is_given_as_a_share_of_it():
    from irn_core.analysis.peak import CONV_SHAPES, GEMM_SIZES, measure_peak

    figures = measure_peak(device="cpu", precision="fp32", repeats=1)
    assert figures.precision == "fp32"
    assert len(figures.rates) == len(GEMM_SIZES) + len(CONV_SHAPES)
    assert all(rate > 0 for rate in figures.rates.values()) and figures.peak == max(figures.rates.values())
    lines = speed_report(scales=[2], size=64, device="cpu", precision="fp32", repeats=1, peak=True)
    assert lines[1].startswith("measured peak (fp32): ")
    share = float(lines[2].rsplit("; ", 1)[1].split("%")[0])
    assert 0 < share < 200  # a 64x64 image runs far below the peak; the share is a ratio of two rates


def test_the_memory_policy_keeps_freed_blocks_and_gives_numpy_no_huge_page_advice():
    import subprocess
    import sys

    probe = (
        "import sys, numpy as np\n"
        "from irn_core.device import keep_freed_memory\n"
        "took = keep_freed_memory()\n"
        "advice_was_on = np._core.multiarray._set_madvise_hugepage(False)\n"  # returns the previous setting
        "print(took, advice_was_on)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    if sys.platform.startswith("linux"):
        assert out == ["True", "False"]
