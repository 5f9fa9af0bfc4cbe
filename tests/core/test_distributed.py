"""Training under torchrun: two CPU processes (gloo) take the same steps as one with the whole batch."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from skimage import data

from irn_core import write_png
from irn_core.training import ConfigError, TrainConfig, train
from irn_core.training.checkpoints import list_checkpoints
from irn_core.training.distributed import ProcessGroup, RankSampler


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ddp_train")
    for name, img in (("astronaut", data.astronaut()), ("coffee", data.coffee())):
        write_png(folder / f"{name}.png", img[:64, :64].astype(np.float32) / 255)
    return folder


def _config(folder, out, **overrides) -> dict:
    values = dict(
        scale=2, data=str(folder), out=str(out), iters=4, batch=4, patch=16, workers=0, threads=1,
        checkpoint_every=2, log_every=1, lr=1e-3, z_warmup_iters=2,
        adam_eps=1e-2,  # see TrainConfig.adam_eps: without it, float noise in near-zero gradients moves weights by lr
    )  # fmt: skip
    return values | overrides


def _torchrun(config: dict, tmp_path, nproc: int = 2) -> subprocess.CompletedProcess:
    path = tmp_path / f"config_{config['iters']}.json"
    path.write_text(json.dumps(config))
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    return subprocess.run(
        [sys.executable, "-m", "irn_core", "train", "--config", str(path), "--nproc", str(nproc), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env | {"OMP_NUM_THREADS": "1"},
    )


def _weights(run) -> dict:
    return torch.load(list_checkpoints(run)[-1], weights_only=True)["model"]


def test_rank_sampler_splits_each_global_batch_in_order():
    one = list(RankSampler(2, 4, batch=4, group=ProcessGroup()))
    halves = [list(RankSampler(2, 4, batch=4, group=ProcessGroup(rank=r, world_size=2))) for r in (0, 1)]
    assert one == [8, 9, 10, 11, 12, 13, 14, 15]
    assert halves == [[8, 9, 12, 13], [10, 11, 14, 15]]
    with pytest.raises(ConfigError, match="batch 4 must split evenly across 3 processes"):
        RankSampler(0, 1, batch=4, group=ProcessGroup(rank=0, world_size=3))


@pytest.mark.slow
def test_two_processes_resume_and_match_one_process(image_folder, tmp_path):
    train(TrainConfig(**_config(image_folder, tmp_path / "one")), progress=False)
    # Two processes: first two iterations, then a second launch resumes to four.
    first = _torchrun(_config(image_folder, tmp_path / "two", iters=2), tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    second = _torchrun(_config(image_folder, tmp_path / "two"), tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "4 of 4 iterations" in second.stdout and second.stdout.count("iterations") == 1  # rank 0 alone reports

    recorded = json.loads((tmp_path / "two" / "config.json").read_text())
    assert recorded["world_size"] == 2
    log = (tmp_path / "two" / "log.csv").read_text()
    assert "2 processes, 2 patches each" in log
    assert sum(1 for line in log.splitlines() if line.startswith("3,")) == 1  # one writer, one row per iteration
    one, two = _weights(tmp_path / "one"), _weights(tmp_path / "two")
    moved = max(float(one[k].abs().max()) for k in one if "conv5" in k)
    assert moved > 1e-4  # the runs trained (a fresh coupling block's last convolution is zero)
    for key in one:
        assert torch.allclose(one[key], two[key], atol=2e-6), key
