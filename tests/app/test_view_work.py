"""What the view asks for: while a large photo's comparison runs, moving the view computes every method on the
new region (a replace job), unless its pixels are already there; the workers read where the view is."""

import numpy as np
import pytest
from stub_session import make_session, open_stub_image

from irn_core.analysis import region
from irn_studio.model import messages as m


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(region, "REGION_FIRST_MIN_PIXELS", 10)  # the 8x8 stub image counts as a large photo


def running_comparison():
    """A session whose whole comparison of the 8x8 stub image is running (queued), and that job."""
    session, executor = make_session()
    open_stub_image(session)
    session.run()
    return session, executor, session.store.jobs.running("comparison")[0]


def irn_tile_arrives(session, job, row: int, size: int) -> None:
    tile = m.TileArrived("irn_hr", row, 0, np.zeros((size, size, 3), np.uint8))
    session.store.apply(m.FromJob("comparison", job.generation, tile))


def move_to_the_far_quarter(session, executor) -> list[str]:
    """The view moves to the image's bottom-right 4x4 at 4:1; the kinds of the jobs queued once it settles."""
    session.set_view(zoom=4.0, centre=(6.0, 6.0), region=((4, 8), (4, 8)))
    executor.fire_timers()
    return [ctx.kind for ctx, _ in executor.queue]


def test_moving_the_view_while_the_whole_image_computes_computes_the_new_region_first(large):
    session, executor = make_session()
    open_stub_image(session)
    store = session.store
    session.run()  # queued: the whole comparison is running
    first = store.jobs.running("comparison")[0]  # and has shown its first region
    store.apply(m.FromJob("comparison", first.generation, m.TileArrived("irn_hr", 0, 0, np.zeros((4, 4, 3), np.uint8))))
    session.set_view(zoom=4.0, centre=(6.0, 6.0), region=((4, 8), (4, 8)))
    assert session.view_work.looking_at() == (3.0, 3.0)  # LR pixels, read by the comparison's worker per tile
    executor.fire_timers()
    region_jobs = [ctx for ctx, _ in executor.queue if ctx.kind == "region"]
    assert len(region_jobs) == 1
    executor.run_next([ctx.kind for ctx, _ in executor.queue].index("region"))
    assert {k for k, tiles in store.tiles.items() if tiles} == {"irn_hr", "bicubic", "lanczos", "sr"}
    session.set_view(zoom=4.0, centre=(6.5, 6.5), region=((4, 8), (4, 8)))  # the same region again: nothing to do
    executor.fire_timers()
    assert [ctx.kind for ctx, _ in executor.queue].count("region") == 0


def test_moving_the_view_before_the_first_region_arrives_starts_the_comparison_again_there(large):
    session, executor = make_session()
    open_stub_image(session)
    store = session.store
    session.run()  # queued: its first region is the view at the time, the centre
    started = store.jobs.running("comparison")[0].generation
    session.set_view(zoom=4.0, centre=(6.0, 6.0), region=((4, 8), (4, 8)))
    executor.fire_timers()
    kinds = [ctx.kind for ctx, _ in executor.queue]
    assert "region" not in kinds  # no second region computed beside the first on the same cores
    live = store.jobs.running("comparison")
    assert len(live) == 1 and live[0].generation != started  # replaced by a comparison of the region moved to
    comparison = next(job for ctx, job in reversed(executor.queue) if ctx.kind == "comparison")
    assert comparison.keywords["view_region"] == ((4, 8), (4, 8))


def test_no_region_pass_for_the_region_the_comparison_is_computing_first(large):
    session, executor, first = running_comparison()
    # Its first region's IRN pixels are in; bicubic, Lanczos and SR of the same region follow within a second.
    irn_tile_arrives(session, first, 0, 8)
    assert move_to_the_far_quarter(session, executor).count("region") == 0  # not computed twice
    assert session.store.jobs.running("comparison")[0].generation == first.generation  # nor started again


def test_a_region_the_whole_pass_restored_still_gets_its_baselines_first(large):
    session, executor, first = running_comparison()
    irn_tile_arrives(session, first, 0, 4)  # the first region's tile
    irn_tile_arrives(session, first, 0, 8)  # then a whole-pass tile holding the view
    assert move_to_the_far_quarter(session, executor).count("region") == 1  # bicubic, Lanczos and SR there, now


def test_no_region_pass_on_a_small_photo(monkeypatch):
    session, executor = make_session()
    open_stub_image(session)
    session.run()
    session.set_view(zoom=4.0, centre=(6.0, 6.0), region=((4, 8), (4, 8)))
    executor.fire_timers()  # 8x8 is not a large photo: the comparison is seconds
    assert "region" not in [ctx.kind for ctx, _ in executor.queue]


def test_no_region_pass_once_the_whole_comparison_is_done(large):
    session, executor = make_session()
    open_stub_image(session)
    session.run()
    executor.settle()  # the whole image is computed: a new view has its pixels already
    session.set_view(zoom=4.0, centre=(2.0, 2.0), region=((0, 4), (0, 4)))
    executor.fire_timers()
    assert "region" not in [ctx.kind for ctx, _ in executor.queue]


def test_a_view_is_computed_when_one_tile_or_several_together_cover_it():
    import numpy as np

    from irn_studio.model import messages as m
    from irn_studio.model.readouts import visible_computed

    session, _ = make_session()
    open_stub_image(session)
    store = session.store
    tile = lambda r, c, h, w: m.TileArrived("bicubic", r, c, np.zeros((h, w, 3), np.uint8))  # noqa: E731
    store.tiles["bicubic"] = [tile(0, 0, 8, 4)]
    assert not visible_computed(store, "bicubic", ((0, 8), (0, 8)))  # half of it
    store.tiles["bicubic"].append(tile(0, 4, 8, 4))
    assert visible_computed(store, "bicubic", ((0, 8), (0, 8)))  # two halves together
    store.tiles["bicubic"] = [tile(0, 0, 8, 8)]
    assert visible_computed(store, "bicubic", ((2, 6), (2, 6)))  # one tile holding the view
