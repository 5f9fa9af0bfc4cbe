"""The ``irn`` argument parsers: every subcommand, option, default and help text in one place."""

from __future__ import annotations

import argparse
import math

from . import commands, rescale

SCALE_HELP = "rescaling factor; weights ship for x2 and x4 (x8 needs --weights FILE)"
# Defaults as TrainConfig (the paper's recipe, on CUDA) and training.config.CPU_RECIPES state them
# (tests/core/test_fresh_machine.py checks that these texts agree).
TRAIN_OPTIONS = (
    (
        "iters",
        int,
        "iterations in all (the run resumes until it reaches them) (default: CPU 1500 at x2, 400 at x4; CUDA 500000)",
    ),
    ("batch", int, "patches per iteration, in all processes together (default: CPU 16 at x2, 12 at x4; CUDA 16)"),
    ("patch", int, "HR patch edge in pixels (default: CPU 64 at x2, 96 at x4; CUDA 144)"),
    ("seed", int, "seed of the patch sampler and initialisation (default: 0)"),
    ("lr", float, "peak learning rate (default: CPU 0.0004, cosine; CUDA 0.0002, multistep)"),
    (
        "z-warmup-iters",
        int,
        "iterations over which the latent temperature rises from 0 to 1 (default: CPU 400 at x2, 200 at x4; CUDA 0)",
    ),
    ("lr-warmup-iters", int, "iterations of linear learning-rate warm-up (default: CPU 50; CUDA 0)"),
    ("threads", int, "CPU threads (default: all cores)"),
    ("val-every", int, "validate every this many iterations (default: 250)"),
)


def _quality(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"JPEG quality must be 1-100, got {value}")
    return value


def _temperature(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite temperature >= 0, got {text}")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to 2**63 - 1, got {text}")
    return value


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows every option's default in --help, and keeps the descriptions' line breaks."""

    def _fill_text(self, text, width, indent):
        return "".join(indent + line for line in text.splitlines(keepends=True))


def _parser(sub, name: str, help_text: str, description: str | None = None) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_text, description=description or help_text, formatter_class=_Formatter)


PRECISION_HELP = (
    "arithmetic precision: auto = bf16 on CPUs with native bf16 (avx512_bf16, AMX), fp16 on CUDA, else fp32; "
    "the image channels stay exact either way (within 0.003 dB of fp32). bf16 falls back to fp32 where it "
    "is not native; fp16 needs CUDA"
)


def _add_precision(p: argparse.ArgumentParser, default: str) -> None:
    p.add_argument("--precision", default=default, choices=("auto", "fp32", "bf16", "fp16"), help=PRECISION_HELP)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", type=int, choices=(2, 4, 8), help=SCALE_HELP + " (default: 4, or the file's own)")
    p.add_argument("--weights", help="IRN weights: our .safetensors or an official .pth (default: bundled)")
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, cuda:N or mps")
    _add_precision(p, "auto")
    p.add_argument("--overwrite", action="store_true", help="replace output files that already exist")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar (notes and warnings still show)")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="log details, with the traceback of a file that hit a bug"
    )


def _add_rescale(sub, name: str, help_text: str, output_help: str) -> argparse.ArgumentParser:
    p = _parser(sub, name, help_text, (rescale.__doc__ or "").split("\n\n", 1)[1].strip())
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files and/or folders of images")
    p.add_argument("-o", "--output", required=True, help=output_help)
    p.add_argument("-r", "--recursive", action="store_true", help="also take images in subfolders of INPUT folders")
    p.add_argument("--strip-metadata", action="store_true", help="write no ICC profile or EXIF into the outputs")
    p.add_argument("--strip-gps", action="store_true", help="remove only the GPS location from the EXIF written")
    p.add_argument(
        "--colour-lr",
        action="store_false",
        dest="gray_lr",
        help="for a gray input, keep IRN's colour LR (restores 8 dB better at x2) instead of a gray one; the "
        "restored image is gray either way",
    )
    _add_common(p)
    p.set_defaults(func=rescale.cmd_rescale)
    return p


def _add_lr_format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=("png", "jpeg"),
        default="png",
        dest="lr_format",
        help="how the LR is stored: png (lossless, what IRN needs) or jpeg, for a JPEG-robust model (--weights "
        "irn_x2_jpeg, bundled, or a FILE trained with jpeg_in_loop); any other IRN restores a JPEG LR worse than "
        "bicubic, and says so",
    )
    p.add_argument("--quality", type=_quality, default=90, help="JPEG quality 1-100 of the LR with --format jpeg")


def _add_latent(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=_seed, default=0, help="seed of the latent draw z")
    p.add_argument("--temperature", type=_temperature, default=1.0, help="z ~ N(0, T^2 I); 0 gives z = 0")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="irn",
        description="Invertible Rescaling Net: downscale images so "
        "they can be upscaled again with far more detail than bicubic.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _add_rescale(
        sub,
        "downscale",
        "HR images -> IRN LR PNGs (8-bit by IRN's design; they record scale, model, size and bit depth)",
        "an LR .png (or .jpg with --format jpeg) to write (one input file), or a folder for NAME_xS_lr files",
    )
    _add_lr_format(p)
    p = _add_rescale(
        sub,
        "upscale",
        "IRN LR PNGs -> restored HR PNGs with a drawn latent",
        "a .png to write (one input file), or a folder for NAME_restored.png files",
    )
    _add_latent(p)
    p.add_argument(
        "--bit-depth", type=int, choices=(8, 16), help="bits per channel of the restored PNG (default: the original's)"
    )
    p = _add_rescale(
        sub,
        "roundtrip",
        "downscale and upscale, write both, print PSNR/SSIM per image",
        "a folder for NAME_xS_lr.png and NAME_xS_restored.png",
    )
    _add_lr_format(p)
    _add_latent(p)
    p.add_argument(
        "--bit-depth", type=int, choices=(8, 16), help="bits per channel of the restored PNG (default: the input's)"
    )

    p = _parser(sub, "speed", "ms per megapixel each way, GFLOP/s, peak memory; optionally against the official code")
    p.add_argument(
        "--scales", type=lambda s: [int(v) for v in s.split(",")], default=[2, 4], help="comma-separated scales"
    )
    p.add_argument("--size", type=int, default=512, help="HR edge of the test image")
    p.add_argument("--repeats", type=int, default=3, help="timed repeats (the best is reported)")
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, cuda:N or mps")
    _add_precision(p, "auto")
    p.add_argument(
        "--compare-official",
        metavar="CODES",
        help="the codes/ folder of a checkout of the official IRN code: time its network here and print the ratio",
    )
    p.add_argument(
        "--peak",
        action="store_true",
        help="first measure this machine's GEMM and 3x3-convolution peak in the same precision, and give IRN's share",
    )
    p.set_defaults(func=commands.cmd_speed)

    p = _parser(
        sub,
        "train",
        "train IRN or the SR baseline (resumes when --out holds checkpoints)",
        "Train IRN or the SR baseline; a run resumes when --out holds checkpoints. Without --config, a CPU run "
        "takes the CPU recipe that trained the bundled weights and a CUDA run the paper's; the memory a run "
        "needs is estimated first.",
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("--model", choices=("irn", "sr"), help="irn or sr (our SR baseline) (default: irn)")
    p.add_argument("--scale", type=int, choices=(2, 4, 8), help="rescaling factor (default: 4)")
    p.add_argument("--data", help="folder of training images (any PNG/JPEG photos)")
    p.add_argument("--val", help="folder of validation images (e.g. Set5)")
    p.add_argument("--out", help="run folder (checkpoints, log.csv)")
    p.add_argument("--config", help="JSON file of TrainConfig options; flags given here override it")
    for name, kind, help_text in TRAIN_OPTIONS:
        p.add_argument(f"--{name}", type=kind, dest=name.replace("-", "_"), help=help_text)
    p.add_argument("--lr-schedule", choices=("multistep", "cosine"), dest="lr_schedule", help="learning-rate schedule")
    p.add_argument(
        "--init-from",
        dest="init_from",
        help="weights to start from: the same scale (fine-tuning) or a lower one (its first stages)",
    )
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default: auto)")
    p.add_argument(
        "--nproc",
        type=int,
        help="train in N processes on this machine (torchrun --standalone; gloo on CPU, NCCL with one GPU each); "
        "the batch is split between them. Several machines: run torchrun yourself (docs/TRAINING.md)",
    )
    p.add_argument("--bf16", action="store_true", help="bf16 autocast (ignored where bf16 is slow)")
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
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=commands.cmd_train)

    p = _parser(sub, "export", "write a run's weights as safetensors (fp16 when harmless)")
    p.add_argument("run_dir", help="a run folder of irn train")
    p.add_argument("-o", "--output", required=True, help="the .safetensors file to write")
    p.add_argument("--val", help="images to measure the fp16 cost on (e.g. Set5)")
    p.add_argument("--draws", type=int, default=5, help="latent draws for that measurement")
    p.add_argument("--overwrite", action="store_true", help="replace the output file if it exists")
    p.set_defaults(func=commands.cmd_export)

    p = _parser(
        sub,
        "train-jpeg",
        "train the compression-restoration module of a JPEG-robust IRN; writes OUT/irn_xS_jpeg.safetensors",
    )
    p.add_argument("--data", required=True, help="folder of training images (their IRN LRs are computed once)")
    p.add_argument("--out", required=True, help="run folder (log.csv and the weights)")
    p.add_argument("--scale", type=int, default=2, choices=(2, 4), help=SCALE_HELP)
    p.add_argument("--weights", help="the IRN to make JPEG-robust (default: bundled); it stays unchanged")
    p.add_argument("--iters", type=int, default=3000, help="training steps")
    p.add_argument("--batch", type=int, default=32, help="LR crops per step")
    p.add_argument("--crop", type=int, default=64, help="LR crop edge (a multiple of 16)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N images (0: all)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=commands.cmd_train_jpeg)

    p = _parser(sub, "bench", "the paper's PSNR-Y/SSIM-Y table on a folder of HR images")
    p.add_argument("--dataset", required=True, help="folder of HR images (e.g. Set5; any folder of images works)")
    p.add_argument("--scale", type=int, required=True, choices=(2, 4, 8), help=SCALE_HELP)
    p.add_argument(
        "--methods",
        default="irn,bicubic,lanczos",
        help="comma-separated: irn, irn_jpeg (the bundled JPEG-robust IRN, for --jpeg), bicubic, lanczos, sr (our SR "
        "network)",
    )
    p.add_argument("--draws", type=int, default=5, help="latent draws for IRN")
    p.add_argument("--weights", help="IRN weights (default: bundled)")
    p.add_argument("--sr-model", action="append", default=[], help="an SR checkpoint spandrel can load (repeatable)")
    p.add_argument("--jpeg", type=int, help="store each LR as JPEG of this quality first")
    p.add_argument(
        "--round-y",
        action="store_true",
        help="round Y to integer levels as MATLAB rgb2ycbcr on uint8 (the SR literature's bicubic rows); "
        "otherwise unrounded Y as the official IRN test code (the paper's IRN rows)",
    )
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, cuda:N or mps")
    _add_precision(p, "fp32")
    p.add_argument("--json", help="write the results here")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=commands.cmd_bench)

    p = _parser(sub, "sample", "many latent draws of one image: each draw, mean.png, std.png, metrics.csv")
    p.add_argument("input", help="an HR image (downscaled first) or an LR PNG written by IRN Studio")
    p.add_argument("-o", "--output", required=True, help="output folder (created; existing files are kept)")
    _add_common(p)
    p.add_argument("--draws", type=int, default=8, help="number of latent draws")
    p.add_argument("--temperature", type=_temperature, default=1.0, help="z ~ N(0, T^2 I)")
    p.add_argument("--seed", type=_seed, default=0, help="seed of the first draw; draw i uses seed+i")
    p.set_defaults(func=commands.cmd_sample)
    return parser
