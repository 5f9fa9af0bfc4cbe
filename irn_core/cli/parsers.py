"""The ``irn`` argument parsers: every subcommand, option, default and help text in one place."""

from __future__ import annotations

import argparse

from . import commands


def _add_common(p: argparse.ArgumentParser, *, scale_required: bool = False) -> None:
    p.add_argument("--scale", type=int, choices=(2, 4, 8), required=scale_required, help="rescaling factor")
    p.add_argument("--weights", help="IRN weights: our .safetensors or an official .pth (default: bundled)")
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, cuda:N, mps")
    p.add_argument("--precision", default="fp32", choices=("auto", "fp32", "bf16", "fp16"))
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="irn",
        description="Invertible Rescaling Net: downscale images so "
        "they can be upscaled again with far more detail than bicubic.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("downscale", help="HR image -> IRN LR PNG (records scale and model)")
    p.add_argument("input"), p.add_argument("-o", "--output", required=True, help="LR .png to write")
    _add_common(p)
    p.set_defaults(func=commands.cmd_downscale)

    p = sub.add_parser("upscale", help="IRN LR PNG -> restored HR PNG with a drawn latent")
    p.add_argument("input"), p.add_argument("-o", "--output", required=True, help="HR .png to write")
    _add_common(p)
    p.add_argument("--seed", type=int, default=0, help="latent draw seed (default 0)")
    p.add_argument("--temperature", type=float, default=1.0, help="z ~ N(0, T^2 I); 0 gives z = 0")
    p.add_argument("--bit-depth", type=int, choices=(8, 16), default=8)
    p.set_defaults(func=commands.cmd_upscale)

    p = sub.add_parser("roundtrip", help="downscale and upscale, write both, print PSNR/SSIM")
    p.add_argument("input"), p.add_argument("-o", "--output", required=True, help="output folder")
    _add_common(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--temperature", type=float, default=1.0)
    p.set_defaults(func=commands.cmd_roundtrip)

    p = sub.add_parser("speed", help="ms per megapixel for downscale/upscale, and peak memory")
    p.add_argument("--scales", type=lambda s: [int(v) for v in s.split(",")], default=[2, 4])
    p.add_argument("--size", type=int, default=512, help="HR edge of the test image")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="auto")
    p.add_argument("--precision", default="fp32", choices=("fp32", "bf16", "fp16"))
    p.set_defaults(func=commands.cmd_speed)

    p = sub.add_parser("train", help="train IRN (resumes when RUN_DIR has checkpoints)")
    p.add_argument("--model", choices=("irn", "sr"), help="irn (default) or sr (our SR baseline)")
    p.add_argument("--scale", type=int, choices=(2, 4, 8))
    p.add_argument("--data", help="folder of training images")
    p.add_argument("--val", help="folder of validation images (e.g. Set5)")
    p.add_argument("--out", help="run folder (checkpoints, log.csv)")
    p.add_argument("--config", help="JSON file of TrainConfig options")
    for name, kind in (
        ("iters", int),
        ("batch", int),
        ("patch", int),
        ("seed", int),
        ("lr", float),
        ("z-warmup-iters", int),
        ("lr-warmup-iters", int),
        ("threads", int),
        ("val-every", int),
    ):
        p.add_argument(f"--{name}", type=kind, dest=name.replace("-", "_"))
    p.add_argument("--lr-schedule", choices=("multistep", "cosine"), dest="lr_schedule")
    p.add_argument(
        "--init-from",
        dest="init_from",
        help="weights to start from: the same scale (fine-tuning) or a lower one (its first stages)",
    )
    p.add_argument("--device")
    p.add_argument("--bf16", action="store_true", help="bf16 autocast")
    p.add_argument("--channels-last", action="store_true", dest="channels_last", help="NHWC memory layout")
    p.add_argument(
        "--color-augment",
        action="store_true",
        dest="color_augment",
        help="permute channels and raise saturation of training patches",
    )
    p.add_argument(
        "--noise-augment",
        type=float,
        dest="noise_augment",
        metavar="STD",
        help="add per-channel Gaussian noise of std up to STD to training patches",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        dest="time_limit",
        metavar="MINUTES",
        help="stop with a checkpoint after this much wall time (resume by running again)",
    )
    p.add_argument("--plot", metavar="RUN_DIR", help="only write RUN_DIR/curve.png from its log")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=commands.cmd_train)

    p = sub.add_parser("export", help="write a run's weights as safetensors (fp16 when harmless)")
    p.add_argument("run_dir"), p.add_argument("-o", "--output", required=True)
    p.add_argument("--val", help="images to measure the fp16 cost on (e.g. Set5)")
    p.add_argument("--draws", type=int, default=5)
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=commands.cmd_export)

    p = sub.add_parser("bench", help="the paper's PSNR-Y/SSIM-Y table on a folder of HR images")
    p.add_argument("--dataset", required=True, help="folder of HR images (e.g. Set5)")
    p.add_argument("--scale", type=int, required=True, choices=(2, 4, 8))
    p.add_argument(
        "--methods", default="irn,bicubic,lanczos", help="comma-separated: irn, bicubic, lanczos, sr (our SR network)"
    )
    p.add_argument("--draws", type=int, default=5, help="latent draws for IRN")
    p.add_argument("--weights", help="IRN weights (default: bundled)")
    p.add_argument("--sr-model", action="append", default=[], help="an SR checkpoint spandrel can load")
    p.add_argument("--jpeg", type=int, help="store each LR as JPEG of this quality first")
    p.add_argument(
        "--round-y",
        action="store_true",
        help="round Y to integer levels as MATLAB rgb2ycbcr on uint8 (the SR literature's bicubic rows); "
        "default: unrounded Y as the official IRN test code (the paper's IRN rows)",
    )
    p.add_argument("--device", default="auto")
    p.add_argument("--json", help="write the results here")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=commands.cmd_bench)

    p = sub.add_parser("sample", help="many latent draws of one image: each draw, mean.png, std.png, metrics.csv")
    p.add_argument("input", help="an HR image (downscaled first) or an LR PNG written by IRN Studio")
    p.add_argument("-o", "--output", required=True, help="output folder (created; existing files are kept)")
    _add_common(p)
    p.add_argument("--draws", type=int, default=8, help="number of latent draws (default 8)")
    p.add_argument("--temperature", type=float, default=1.0, help="z ~ N(0, T^2 I) (default 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first draw; draw i uses seed+i (default 0)")
    p.set_defaults(func=commands.cmd_sample)
    return parser
