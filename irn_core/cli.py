"""The ``irn`` command line: downscale, upscale, roundtrip, speed, train, export, bench, sample."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CliError(Exception):
    """A problem the user can fix; printed as one line without a traceback."""


def _progress_bar(desc: str, quiet: bool):
    if quiet:
        return None, lambda: None
    from tqdm import tqdm
    bar = tqdm(total=0, desc=desc, unit="tile", leave=False, dynamic_ncols=True, file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()
    return update, bar.close


def _load_model(args, scale: int | None):
    from .weights import load_irn, resolve_weights
    path = resolve_weights(args.weights, scale)
    return load_irn(path, scale=scale), path


def _rescaler(args, net):
    from .rescaler import IRNRescaler
    return IRNRescaler(net, device=args.device, precision=args.precision)


def _add_common(p: argparse.ArgumentParser, *, scale_required: bool = False) -> None:
    p.add_argument("--scale", type=int, choices=(2, 4, 8), required=scale_required, help="rescaling factor")
    p.add_argument("--weights", help="IRN weights: our .safetensors or an official .pth (default: bundled)")
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, cuda:N, mps")
    p.add_argument("--precision", default="fp32", choices=("fp32", "bf16", "fp16"))
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def cmd_downscale(args) -> int:
    from .io import read_image, write_png
    from .lrfile import lr_metadata
    from .weights import model_name, weights_fingerprint
    image = read_image(args.input)
    for note in image.notes:
        print(f"note: {note}", file=sys.stderr)
    net, path = _load_model(args, args.scale or (None if args.weights else 4))
    update, close = _progress_bar("downscale", args.quiet)
    try:
        lr = _rescaler(args, net).downscale(image.pixels, progress=update)
    finally:
        close()
    meta = lr_metadata(scale=net.scale, model=model_name(net, path), fingerprint=weights_fingerprint(net),
                       original_size=image.pixels.shape[:2])
    out = write_png(args.output, lr, metadata=meta, overwrite=args.overwrite)
    print(f"wrote {out} ({lr.shape[1]}x{lr.shape[0]}, x{net.scale} LR)")
    return EXIT_OK


def cmd_upscale(args) -> int:
    from .io import read_image, write_png
    from .lrfile import lr_warnings, read_lr_info
    from .weights import weights_fingerprint
    image = read_image(args.input)
    info = read_lr_info(image)
    scale = args.scale or (info.scale if info else None)
    if scale is None:
        raise CliError(f"{image.path.name} records no scale (it was not written by `irn downscale`); give --scale")
    net, _ = _load_model(args, scale)
    for warning in lr_warnings(image, info, scale=net.scale, fingerprint=weights_fingerprint(net)):
        print(f"warning: {warning}", file=sys.stderr)
    output_size = None
    if info and info.original_size and info.scale == net.scale:
        h, w = image.pixels.shape[:2]
        oh, ow = info.original_size
        if oh <= h * net.scale and ow <= w * net.scale:
            output_size = info.original_size
    update, close = _progress_bar("upscale", args.quiet)
    try:
        hr = _rescaler(args, net).upscale(image.pixels, temperature=args.temperature, seed=args.seed,
                                          output_size=output_size, progress=update)
    finally:
        close()
    out = write_png(args.output, hr, bit_depth=args.bit_depth, overwrite=args.overwrite)
    print(f"wrote {out} ({hr.shape[1]}x{hr.shape[0]})")
    return EXIT_OK


def cmd_roundtrip(args) -> int:
    from .io import read_image, write_png
    from .lrfile import lr_metadata
    from .metrics import psnr, ssim
    from .weights import model_name, weights_fingerprint
    image = read_image(args.input)
    net, path = _load_model(args, args.scale or (None if args.weights else 4))
    out_dir = Path(args.output)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = image.path.stem
    lr_path, hr_path = out_dir / f"{stem}_x{net.scale}_lr.png", out_dir / f"{stem}_x{net.scale}_restored.png"
    for p in (lr_path, hr_path):
        if p.exists() and not args.overwrite:
            raise CliError(f"{p} already exists; use --overwrite or another folder")
    update, close = _progress_bar("roundtrip", args.quiet)
    try:
        lr, restored = _rescaler(args, net).roundtrip(image.pixels, temperature=args.temperature,
                                                      seed=args.seed, progress=update)
    finally:
        close()
    meta = lr_metadata(scale=net.scale, model=model_name(net, path), fingerprint=weights_fingerprint(net),
                       original_size=image.pixels.shape[:2])
    write_png(lr_path, lr, metadata=meta, overwrite=args.overwrite)
    write_png(hr_path, restored, overwrite=args.overwrite)
    crop = net.scale
    print(f"wrote {lr_path} and {hr_path}")
    print(f"PSNR-Y {psnr(restored, image.pixels, crop_border=crop, y_channel=True):.2f} dB, "
          f"SSIM-Y {ssim(restored, image.pixels, crop_border=crop, y_channel=True):.4f}, "
          f"PSNR-RGB {psnr(restored, image.pixels):.2f} dB")
    return EXIT_OK


def cmd_speed(args) -> int:
    from .bench import speed_report
    for line in speed_report(scales=args.scales, size=args.size, device=args.device,
                             precision=args.precision, repeats=args.repeats):
        print(line, flush=True)
    return EXIT_OK


def cmd_train(args) -> int:
    from .training import TrainConfig, train
    from .training.plot import plot_run
    if args.plot:
        out = plot_run(args.plot)
        print(f"wrote {out}")
        return EXIT_OK
    values = {}
    if args.config:
        values.update(TrainConfig.from_file(args.config).to_dict())
    for key in ("model", "scale", "data", "val", "out", "iters", "batch", "patch", "device", "seed", "lr",
                "lr_schedule", "lr_warmup_iters", "z_warmup_iters", "threads", "init_from", "val_every",
                "noise_augment"):
        value = getattr(args, key)
        if value is not None:
            values[key] = value
    if args.bf16:
        values["autocast_bf16"] = True
    if args.channels_last:
        values["channels_last"] = True
    if args.color_augment:
        values["color_augment"] = True
    values.pop("extra", None)
    config = TrainConfig.from_dict(values)
    if args.time_limit is not None and args.time_limit <= 0:
        raise CliError(f"--time-limit must be a positive number of minutes, got {args.time_limit}")
    result = train(config, progress=not args.quiet,
                   stop_after_seconds=None if args.time_limit is None else 60 * args.time_limit)
    print(f"{result.run_dir}: {result.iterations} of {config.iters} iterations, last loss {result.last_loss:.4g}"
          + (f", val PSNR-Y {result.val_psnr_y:.2f} dB" if result.val_psnr_y else "")
          + ("; run the same command again to resume" if result.iterations < config.iters else ""))
    return EXIT_OK


def cmd_export(args) -> int:
    from .training import export_run
    if Path(args.output).exists() and not args.overwrite:
        raise CliError(f"{args.output} already exists; use --overwrite")
    meta = export_run(args.run_dir, args.output, val=args.val, draws=args.draws)
    print(f"wrote {args.output}: {meta}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="irn", description="Invertible Rescaling Net: downscale images so "
                                     "they can be upscaled again with far more detail than bicubic.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("downscale", help="HR image -> IRN LR PNG (records scale and model)")
    p.add_argument("input"), p.add_argument("-o", "--output", required=True, help="LR .png to write")
    _add_common(p)
    p.set_defaults(func=cmd_downscale)

    p = sub.add_parser("upscale", help="IRN LR PNG -> restored HR PNG with a drawn latent")
    p.add_argument("input"), p.add_argument("-o", "--output", required=True, help="HR .png to write")
    _add_common(p)
    p.add_argument("--seed", type=int, default=0, help="latent draw seed (default 0)")
    p.add_argument("--temperature", type=float, default=1.0, help="z ~ N(0, T^2 I); 0 gives z = 0")
    p.add_argument("--bit-depth", type=int, choices=(8, 16), default=8)
    p.set_defaults(func=cmd_upscale)

    p = sub.add_parser("roundtrip", help="downscale and upscale, write both, print PSNR/SSIM")
    p.add_argument("input"), p.add_argument("-o", "--output", required=True, help="output folder")
    _add_common(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--temperature", type=float, default=1.0)
    p.set_defaults(func=cmd_roundtrip)

    p = sub.add_parser("speed", help="ms per megapixel for downscale/upscale, and peak memory")
    p.add_argument("--scales", type=lambda s: [int(v) for v in s.split(",")], default=[2, 4])
    p.add_argument("--size", type=int, default=512, help="HR edge of the test image")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="auto")
    p.add_argument("--precision", default="fp32", choices=("fp32", "bf16", "fp16"))
    p.set_defaults(func=cmd_speed)

    p = sub.add_parser("train", help="train IRN (resumes when RUN_DIR has checkpoints)")
    p.add_argument("--model", choices=("irn", "sr"), help="irn (default) or sr (our SR baseline)")
    p.add_argument("--scale", type=int, choices=(2, 4, 8))
    p.add_argument("--data", help="folder of training images")
    p.add_argument("--val", help="folder of validation images (e.g. Set5)")
    p.add_argument("--out", help="run folder (checkpoints, log.csv)")
    p.add_argument("--config", help="JSON file of TrainConfig options")
    for name, kind in (("iters", int), ("batch", int), ("patch", int), ("seed", int), ("lr", float),
                       ("z-warmup-iters", int), ("lr-warmup-iters", int), ("threads", int), ("val-every", int)):
        p.add_argument(f"--{name}", type=kind, dest=name.replace("-", "_"))
    p.add_argument("--lr-schedule", choices=("multistep", "cosine"), dest="lr_schedule")
    p.add_argument("--init-from", dest="init_from",
                   help="weights to start from: the same scale (fine-tuning) or a lower one (its first stages)")
    p.add_argument("--device")
    p.add_argument("--bf16", action="store_true", help="bf16 autocast")
    p.add_argument("--channels-last", action="store_true", dest="channels_last", help="NHWC memory layout")
    p.add_argument("--color-augment", action="store_true", dest="color_augment",
                   help="permute channels and raise saturation of training patches")
    p.add_argument("--noise-augment", type=float, dest="noise_augment", metavar="STD",
                   help="add per-channel Gaussian noise of std up to STD to training patches")
    p.add_argument("--time-limit", type=float, dest="time_limit", metavar="MINUTES",
                   help="stop with a checkpoint after this much wall time (resume by running again)")
    p.add_argument("--plot", metavar="RUN_DIR", help="only write RUN_DIR/curve.png from its log")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("export", help="write a run's weights as safetensors (fp16 when harmless)")
    p.add_argument("run_dir"), p.add_argument("-o", "--output", required=True)
    p.add_argument("--val", help="images to measure the fp16 cost on (e.g. Set5)")
    p.add_argument("--draws", type=int, default=5)
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=cmd_export)

    from .bench import add_bench_parser
    add_bench_parser(sub)
    from .sampling import add_sample_parser
    add_sample_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .io import ImageIOError
    from .training.config import ConfigError
    from .weights import WeightsError
    try:
        return args.func(args)
    except (CliError, ImageIOError, WeightsError, ConfigError, ValueError, FileNotFoundError) as exc:
        print(f"irn {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"irn {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
