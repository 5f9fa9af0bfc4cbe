"""How much does the few-output convolution (irn_core.nn.tap_conv) save in the reduced-precision IRN? Side by
side in one process, alternating: the bundled IRN's bf16 inference copy with F's last convolution as a float32
convolution over the concatenated, promoted features (IRN Studio until 0.10.0) and as per-tap matrix
products (0.11.0). Prints each variant's best time, the ratio and the largest difference of their outputs
on the astronaut. Needs a CPU with native bf16 to mean anything (elsewhere bf16 is emulated and slow).

    python scripts/f_output_conv.py --scale 4 --size 1024 --rounds 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from skimage import data

from irn_core.device import keep_freed_memory
from irn_core.nn import reduced_precision
from irn_core.rescaler import IRNRescaler


def concatenated_float32(parts: list[torch.Tensor], weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """F's last convolution as 0.10.0 computed it: torch.cat promotes the bf16 features to float32."""
    return F.conv2d(torch.cat(parts, 1), weight, bias, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=4, choices=(2, 4))
    parser.add_argument("--size", type=int, default=1024, help="edge of the square input (HR pixels)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    keep_freed_memory()
    rescaler = IRNRescaler.from_weights(None, scale=args.scale, precision="bf16")
    tiles = -(-args.size // 512)
    image = np.tile(data.astronaut(), (tiles, tiles, 1))[: args.size, : args.size].astype(np.float32) / 255
    x = torch.from_numpy(image).permute(2, 0, 1)[None].contiguous(memory_format=torch.channels_last)
    variants = {"cat, float32 conv (0.10.0)": concatenated_float32, "per-tap products (0.11.0)": None}
    best: dict[str, float] = {}
    outputs: dict[str, torch.Tensor] = {}
    shipped = reduced_precision.conv3x3_few_outputs
    with torch.inference_mode():
        for _ in range(args.rounds):
            for name, replacement in variants.items():
                reduced_precision.conv3x3_few_outputs = replacement or shipped  # type: ignore[assignment]
                started = time.perf_counter()
                outputs[name] = rescaler.net(x)
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
    reduced_precision.conv3x3_few_outputs = shipped
    (old, old_s), (new, new_s) = best.items()
    threads = torch.get_num_threads()
    print(f"x{args.scale} bf16, {args.size}x{args.size}, forward pass, best of {args.rounds}, {threads} threads")
    print(f"  {old}: {old_s:.2f} s\n  {new}: {new_s:.2f} s\n  ratio: {old_s / new_s:.2f}x")
    lr_diff = float((outputs[old][:, :3] - outputs[new][:, :3]).abs().max()) * 255
    print(f"  largest LR difference: {lr_diff:.4f} of an 8-bit level")


if __name__ == "__main__":
    main()
