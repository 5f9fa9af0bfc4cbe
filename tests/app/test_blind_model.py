"""The blind A/B test model, without Qt."""

import csv
import io

import pytest

from irn_studio.model.blind import BlindTest


def test_pairs_are_balanced_sides_random_and_the_tally_counts_each_pick():
    test = BlindTest(["irn_hr", "sr"], trials=10, seed=3)
    lefts = [t.left for t in test.trials]
    assert 0 < lefts.count("irn_hr") < 10  # the order is not fixed
    assert all({t.left, t.right} == {"irn_hr", "sr"} for t in test.trials)
    picked_irn = 0
    while not test.done:
        trial = test.current()
        side = "left" if trial.left == "irn_hr" else "right"  # a viewer who always prefers IRN...
        if picked_irn == 7:
            side = "right" if side == "left" else "left"  # ...until the last three trials
        picked_irn += side == ("left" if trial.left == "irn_hr" else "right")
        test.pick(side)
    assert test.tallies() == {"irn_hr": 7, "sr": 3} and test.shown() == {"irn_hr": 10, "sr": 10}
    assert test.summary() == "IRN restored 7 of 10 · Bicubic↓ + SR net↑ 3 of 10"
    rows = list(csv.reader(io.StringIO(test.csv())))
    assert rows[0] == ["trial", "left", "right", "picked", "winner"] and len(rows) == 1 + 10 + 1 + 1 + 2
    assert rows[-2:] == [["IRN restored", "7", "10"], ["Bicubic↓ + SR net↑", "3", "10"]]
    with pytest.raises(RuntimeError, match="over"):
        test.pick("left")


def test_three_methods_meet_in_every_pair_and_a_pick_can_be_undone():
    test = BlindTest(["irn_hr", "sr", "bicubic"], trials=6, seed=0)
    pairs = sorted(tuple(sorted((t.left, t.right))) for t in test.trials)
    assert pairs == sorted([("irn_hr", "sr"), ("bicubic", "irn_hr"), ("bicubic", "sr")] * 2)
    test.pick("left")
    first = test.trials[0].left
    test.undo()
    assert test.index == 0 and test.trials[0].picked is None and test.tallies()[first] == 0
    with pytest.raises(ValueError, match="two different"):
        BlindTest(["sr", "sr"])
    with pytest.raises(ValueError, match="side"):
        test.pick("up")
