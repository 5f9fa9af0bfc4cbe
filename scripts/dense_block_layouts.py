"""Would another arrangement of IRN's dense blocks run faster than the one the rescaler uses (channels_last
with the official concatenations)? Measured side by side in one process, alternating, so that machine load
affects every variant alike.

Variants, all inference-only (autograd cannot take the in-place writes):
- ``channels_last cat``: what IRNRescaler runs (the official arithmetic, NHWC tensors).
- ``NCHW buffer``: each feature written once into one NCHW buffer, every convolution reading its leading
  channels (contiguous in NCHW), where concatenating copies all earlier features again for each convolution.
- ``channels_last per feature``: the concatenations removed algebraically: each feature is convolved once
  with the stacked input-channel slices of every later convolution, and the partial sums are added.

    python scripts/dense_block_layouts.py --size 512 --rounds 3
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

from irn_core.device import keep_freed_memory
from irn_core.io.checkpoints import bundled_weights_path, load_irn
from irn_core.nn.irn import DenseBlock

CONVS = ("conv1", "conv2", "conv3", "conv4", "conv5")


def concatenating(block: DenseBlock, x: torch.Tensor) -> torch.Tensor:
    features = [x]
    for name in CONVS[:4]:
        features.append(F.leaky_relu(getattr(block, name)(torch.cat(features, 1)), 0.2))
    return block.conv5(torch.cat(features, 1))


def nchw_buffer(block: DenseBlock, x: torch.Tensor) -> torch.Tensor:
    n, width, h, w = x.shape
    growth = block.conv1.out_channels
    buffer = torch.empty((n, width + 4 * growth, h, w), dtype=x.dtype)
    buffer[:, :width].copy_(x)
    for name in CONVS[:4]:
        feature = F.leaky_relu(getattr(block, name)(buffer[:, :width]), 0.2, inplace=True)
        buffer[:, width : width + growth].copy_(feature)
        width += growth
    return block.conv5(buffer)


_STACKED: dict[int, tuple[list[torch.Tensor], list[int], torch.Tensor]] = {}


def per_feature(block: DenseBlock, x: torch.Tensor) -> torch.Tensor:
    if id(block) not in _STACKED:
        convs = [getattr(block, name) for name in CONVS]
        widths = [x.shape[1]] + [block.conv1.out_channels] * 4
        starts = [sum(widths[:j]) for j in range(5)]
        stacked = [
            torch.cat([c.weight[:, starts[j] : starts[j] + widths[j]] for c in convs[j:]], 0).contiguous(
                memory_format=torch.channels_last
            )
            for j in range(5)
        ]
        _STACKED[id(block)] = (stacked, [c.out_channels for c in convs], torch.cat([c.bias for c in convs]))
    stacked, outs, biases = _STACKED[id(block)]
    sums = list(torch.split(F.conv2d(x, stacked[0], biases, padding=1), outs, 1))
    for j in range(1, 5):
        parts = torch.split(F.conv2d(F.leaky_relu(sums[j - 1], 0.2), stacked[j], padding=1), outs[j:], 1)
        for k, part in zip(range(j, 5), parts, strict=True):
            sums[k] = sums[k] + part
    return sums[4]


VARIANTS: dict[str, tuple[Callable[[DenseBlock, torch.Tensor], torch.Tensor], torch.memory_format]] = {
    "channels_last cat": (concatenating, torch.channels_last),
    "NCHW buffer": (nchw_buffer, torch.contiguous_format),
    "channels_last per feature": (per_feature, torch.channels_last),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="HR edge of the test image")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per variant")
    args = parser.parse_args()
    keep_freed_memory()
    x = torch.rand(1, 3, args.size, args.size, generator=torch.Generator().manual_seed(0))
    official = DenseBlock.forward
    print(f"{torch.get_num_threads()} threads, fp32, {args.size}x{args.size} round trip, best of {args.rounds}")
    for scale in (2, 4):
        net = load_irn(bundled_weights_path(scale), scale=scale)

        def round_trip(name: str) -> torch.Tensor:
            forward, layout = VARIANTS[name]
            DenseBlock.forward = forward  # type: ignore[method-assign, assignment]
            y = net(x.contiguous(memory_format=layout))
            return net(y.contiguous(memory_format=layout), rev=True)

        best = dict.fromkeys(VARIANTS, float("inf"))
        with torch.inference_mode():
            lr = {}
            for name, (forward, layout) in VARIANTS.items():
                DenseBlock.forward = forward  # type: ignore[method-assign, assignment]
                lr[name] = net(x.contiguous(memory_format=layout))
                round_trip(name)  # warm-up
            for _ in range(args.rounds):
                for name in VARIANTS:
                    start = time.perf_counter()
                    round_trip(name)
                    best[name] = min(best[name], time.perf_counter() - start)
        DenseBlock.forward = official  # type: ignore[method-assign]
        base = best["channels_last cat"]
        for name, seconds in best.items():
            change = float((lr[name] - lr["channels_last cat"]).abs().max())
            print(f"x{scale} {name:26s} {seconds:6.2f} s  {base / seconds:.2f}x  LR max change {change:.1e}")


if __name__ == "__main__":
    main()
