"""How much faster IRN's inference runs with the dense blocks' in-place feature buffer than with the
official concatenations, measured side by side in one process (so machine load affects both alike).

Runs the bundled x2 and x4 round trip (down, then up with the forward z) of a random image, alternating
the two DenseBlock paths for several rounds, and prints the best time of each and their ratio; the
outputs are checked to be bit-identical first.

    python scripts/dense_block_speed.py --size 512 --rounds 3
"""

from __future__ import annotations

import argparse
import time

import torch

from irn_core.device import keep_freed_memory
from irn_core.io.checkpoints import bundled_weights_path, load_irn
from irn_core.nn.irn import DenseBlock


def _round_trip(net: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    return net(net(x), rev=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="HR edge of the test image")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per path")
    args = parser.parse_args()
    keep_freed_memory()
    in_place = DenseBlock.forward
    paths = {"concatenating": DenseBlock._forward_concatenating, "in-place buffer": in_place}
    x = torch.rand(1, 3, args.size, args.size, generator=torch.Generator().manual_seed(0))
    print(f"{torch.get_num_threads()} threads, fp32, {args.size}x{args.size}, best of {args.rounds} alternating rounds")
    for scale in (2, 4):
        net = load_irn(bundled_weights_path(scale), scale=scale)
        best = dict.fromkeys(paths, float("inf"))
        with torch.inference_mode():
            outputs = {}
            for name, forward in paths.items():
                DenseBlock.forward = forward  # type: ignore[method-assign]
                outputs[name] = _round_trip(net, x)  # also the warm-up
            if not torch.equal(*outputs.values()):
                raise SystemExit("the two paths differ: the in-place buffer is wrong")
            for _ in range(args.rounds):
                for name, forward in paths.items():
                    DenseBlock.forward = forward  # type: ignore[method-assign]
                    start = time.perf_counter()
                    _round_trip(net, x)
                    best[name] = min(best[name], time.perf_counter() - start)
        DenseBlock.forward = in_place  # type: ignore[method-assign]
        times = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in best.items())
        ratio = best["concatenating"] / best["in-place buffer"]
        print(f"x{scale} round trip: {times}; in-place is {ratio:.2f}x as fast (bit-identical)")


if __name__ == "__main__":
    main()
