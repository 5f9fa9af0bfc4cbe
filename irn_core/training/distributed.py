"""Training in several processes, started by torchrun (one machine or many: torchrun's own rendezvous).

Each process computes its share of the global batch; gradients are averaged by DistributedDataParallel
(gloo on CPU, NCCL on CUDA), so N processes take the same steps as one process with the whole batch, up
to float summation order. Rank 0 alone writes the run folder (config, log, checkpoints, validation);
the others read checkpoints from it, so on several machines it must be a shared folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch.utils.data import Sampler

from ..device import pick_device
from ..errors import ConfigError


@dataclass(frozen=True)
class ProcessGroup:
    """This process's place among the training processes (rank 0 of 1 when not under torchrun)."""

    rank: int = 0
    world_size: int = 1
    local_world_size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()

    def agree(self, values: list[float], device: torch.device) -> list[float]:
        """Every process's ``values`` summed over all processes (one all-reduce), identical everywhere.

        The loop sends its losses and its own "time is up" flag through here, so that the spike/NaN
        rollback and the time limit are decided the same way by every process.
        """
        if not self.distributed:
            return values
        tensor = torch.tensor(values, dtype=torch.float64, device=device)
        dist.all_reduce(tensor)
        return tensor.tolist()

    def local_batch(self, global_batch: int) -> int:
        if global_batch % self.world_size:
            raise ConfigError(
                f"batch {global_batch} must split evenly across {self.world_size} processes "
                f"(a multiple of {self.world_size})"
            )
        return global_batch // self.world_size


def join(requested_device: str | None) -> tuple[ProcessGroup, torch.device]:
    """(this process's group, its device). Under torchrun (WORLD_SIZE > 1) joins the process group:
    NCCL with one GPU per local rank when CUDA is used, else gloo."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    device = pick_device(requested_device)
    if world_size == 1:
        return ProcessGroup(), device
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device.type == "cuda":
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    group = ProcessGroup(
        rank=dist.get_rank(),
        world_size=dist.get_world_size(),
        local_world_size=int(os.environ.get("LOCAL_WORLD_SIZE", "1")),
    )
    return group, device


def leave(group: ProcessGroup) -> None:
    if group.distributed and dist.is_initialized():
        dist.destroy_process_group()


class RankSampler(Sampler):
    """Sample numbers of iterations [start, stop) for one rank: iteration i of a global batch B uses
    numbers i*B ... i*B+B-1 (as one process would), and rank r takes its contiguous share of them.
    Each patch depends only on (seed, number), so resuming and changing the process count keep the data."""

    def __init__(self, start: int, stop: int, *, batch: int, group: ProcessGroup):
        self.start, self.stop, self.batch, self.group = start, stop, batch, group
        self.local = group.local_batch(batch)

    def __iter__(self):
        offset = self.group.rank * self.local
        for iteration in range(self.start, self.stop):
            first = iteration * self.batch + offset
            yield from range(first, first + self.local)

    def __len__(self) -> int:
        return (self.stop - self.start) * self.local
