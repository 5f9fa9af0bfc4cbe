"""What each ``irn`` subcommand does: read the arguments, call the library, print the outcome."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..errors import IRNError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CliError(IRNError):
    """A problem with the command line itself; printed as one line without a traceback."""


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


def load_rescaler(args, scale: int | None, weights: str | None = None):
    """(rescaler, weights path) for ``--weights`` (or a bundled model an LR file names) at ``scale``, through
    the one model cache; a JPEG-robust file brings its restoration module."""
    from ..analysis.models import ModelCache
    from ..io.checkpoints import bundled_weights_path, resolve_weights

    weights = args.weights or weights
    if not weights and scale is not None and bundled_weights_path(scale) is None:
        raise CliError(
            f"IRN Studio ships no x{scale} weights; pass --weights FILE (an official .pth or our "
            ".safetensors) or choose --scale 2 or 4"
        )
    cache = getattr(args, "model_cache", None)
    if cache is None:
        cache = args.model_cache = ModelCache(device=args.device, precision=args.precision)
    path = resolve_weights(weights, scale)
    return cache.rescaler_for(str(path), scale=scale), path


def cmd_speed(args) -> int:
    from ..analysis.speed import speed_report

    for line in speed_report(
        scales=args.scales,
        size=args.size,
        device=args.device,
        precision=args.precision,
        repeats=args.repeats,
        official_codes=args.compare_official,
        peak=args.peak,
    ):
        print(line, flush=True)
    return EXIT_OK


def _launch_torchrun(args) -> int:
    """``irn train --nproc N ...`` = ``torchrun --standalone --nproc_per_node N -m irn_core train ...``."""
    if args.nproc < 1:
        raise CliError(f"--nproc must be at least 1, got {args.nproc}")
    if "WORLD_SIZE" in os.environ:
        raise CliError("--nproc starts torchrun itself; under torchrun, leave it out")
    rest, skip = [], False
    for arg in args.argv:
        if skip:
            skip = False
        elif arg == "--nproc":
            skip = True
        elif not arg.startswith("--nproc="):
            rest.append(arg)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={args.nproc}",
        "-m",
        "irn_core",
        *rest,
    ]
    print("running: " + " ".join(command), file=sys.stderr, flush=True)
    return subprocess.call(command)


def cmd_train(args) -> int:
    from ..training import TrainConfig, train
    from ..training.plot import plot_run

    if args.plot:
        out = plot_run(args.plot)
        print(f"wrote {out}")
        return EXIT_OK
    if args.nproc is not None:
        return _launch_torchrun(args)
    values = {}
    if args.config:
        values.update(TrainConfig.from_file(args.config).to_dict())
    for key in (
        "model",
        "scale",
        "data",
        "val",
        "out",
        "iters",
        "batch",
        "patch",
        "device",
        "seed",
        "lr",
        "lr_schedule",
        "lr_warmup_iters",
        "z_warmup_iters",
        "threads",
        "init_from",
        "val_every",
        "noise_augment",
    ):
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
    if not args.config:
        _recipe_for_the_machine(values)
    config = TrainConfig.from_dict(values)
    _check_training_memory(config)
    if args.time_limit is not None and args.time_limit <= 0:
        raise CliError(f"--time-limit must be a positive number of minutes, got {args.time_limit}")
    result = train(
        config, progress=not args.quiet, stop_after_seconds=None if args.time_limit is None else 60 * args.time_limit
    )
    if os.environ.get("RANK", "0") != "0":
        return EXIT_OK  # rank 0 reports for all
    print(
        f"{result.run_dir}: {result.iterations} of {config.iters} iterations, last loss {result.last_loss:.4g}"
        + (f", val PSNR-Y {result.val_psnr_y:.2f} dB" if result.val_psnr_y else "")
        + ("; run the same command again to resume" if result.iterations < config.iters else "")
    )
    return EXIT_OK


def _recipe_for_the_machine(values: dict) -> None:
    """Without --config: on CPU the CPU recipe (the one that trained the bundled weights) under the options
    given; on CUDA the paper's (the TrainConfig defaults). Says which."""
    from ..device import pick_device
    from ..training.config import cpu_recipe

    device = pick_device(values.get("device", "auto"))
    scale = int(values.get("scale", 4))
    if device.type != "cpu":
        print(f"note: {device.type} training with the paper's recipe (batch 16, patch 144)", file=sys.stderr)
        return
    recipe = {k: v for k, v in cpu_recipe(scale).items() if k not in values}
    values.update(recipe)
    shown = ", ".join(f"{k} {values[k]}" for k in ("iters", "batch", "patch", "lr"))
    print(f"note: CPU training with the CPU recipe ({shown}); the paper's GPU recipe needs --config", file=sys.stderr)


def _check_training_memory(config) -> None:
    from ..device import available_memory_bytes
    from ..training.config import training_memory_bytes

    processes = int(os.environ.get("WORLD_SIZE", "1"))
    if processes > 1 and os.environ.get("RANK", "0") != "0":
        return
    need, free = training_memory_bytes(config, processes), available_memory_bytes()
    if free is not None and need > 0.9 * free and _device_type(config.device) == "cpu":
        raise CliError(
            f"this run needs about {need / 2**30:.1f} GiB (batch {config.batch} of {config.patch}^2 patches in "
            f"{processes} process(es)), but {free / 2**30:.1f} GiB is free; use a smaller --batch or --patch"
        )


def _device_type(device: str) -> str:
    from ..device import pick_device

    return pick_device(device).type


def cmd_export(args) -> int:
    from ..io.writing import check_output
    from ..training import export_run

    check_output(args.output, overwrite=args.overwrite)
    started = time.perf_counter()

    def on_stage(text: str) -> None:
        print(f"export: {text} ({time.perf_counter() - started:.0f} s so far)", file=sys.stderr, flush=True)

    meta = export_run(args.run_dir, args.output, val=args.val, draws=args.draws, on_stage=on_stage)
    print(f"wrote {args.output}: {meta}")
    return EXIT_OK


def cmd_train_jpeg(args) -> int:
    from ..training.crm_loop import train_restorer

    path = train_restorer(
        data=args.data,
        out=args.out,
        weights=args.weights,
        scale=args.scale,
        iters=args.iters,
        batch=args.batch,
        crop=args.crop,
        limit=args.limit,
        progress=not args.quiet,
    )
    print(f"wrote {path}")
    return EXIT_OK


def cmd_bench(args) -> int:
    from ..analysis.bench import format_table, run_bench
    from ..io.writing import write_bytes_atomic

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    report = run_bench(
        dataset=args.dataset,
        scale=args.scale,
        methods=methods,
        draws=args.draws,
        weights=args.weights,
        sr_models=args.sr_model,
        device=args.device,
        precision=args.precision,
        jpeg=args.jpeg,
        round_y=args.round_y,
        progress=not args.quiet,
    )
    print(format_table(report))
    if args.json:
        write_bytes_atomic(args.json, json.dumps(report, indent=2).encode(), overwrite=True)
        print(f"wrote {args.json}")
    return EXIT_OK


def cmd_sample(args) -> int:
    from ..analysis.figure import colorize
    from ..analysis.studies import DrawResult, draws_csv, sample_draws
    from ..io.images import read_image
    from ..io.lrfile import read_lr_info, recorded_output_size
    from ..io.writing import write_bytes_atomic, write_png

    image = read_image(args.input)
    info = read_lr_info(image)
    scale = args.scale or (info.scale if info else None) or (None if args.weights else 4)
    rescaler, _ = load_rescaler(args, scale)
    if info is not None:
        size = recorded_output_size(image.pixels.shape[:2], info, scale=rescaler.scale)
        lr, reference = image.pixels, None
    else:
        lr, reference, size = rescaler.downscale(image.pixels), image.pixels, image.pixels.shape[:2]
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    names = [f"draw_{i:03d}.png" for i in range(args.draws)] + ["mean.png", "std.png", "metrics.csv"]
    clashes = [n for n in names if (out / n).exists()]
    if clashes and not args.overwrite:
        raise CliError(f"{out} already holds {', '.join(clashes[:3])}…; use --overwrite or another folder")

    def on_draw(draw: DrawResult) -> None:
        write_png(out / f"draw_{draw.index:03d}.png", draw.image, overwrite=args.overwrite)
        if not args.quiet:
            score = f", PSNR-Y {draw.psnr_y:.2f} dB" if draw.psnr_y is not None else ""
            print(f"draw {draw.index} (seed {draw.seed}){score}", file=sys.stderr)

    sample = sample_draws(
        rescaler,
        lr,
        draws=args.draws,
        seed=args.seed,
        temperature=args.temperature,
        reference=reference,
        output_size=size,
        on_draw=on_draw,
    )
    assert sample.mean is not None and sample.std is not None  # set by sample_draws
    write_png(out / "mean.png", sample.mean, overwrite=args.overwrite)
    write_png(out / "std.png", colorize(sample.std.mean(axis=2)), overwrite=args.overwrite)
    write_bytes_atomic(out / "metrics.csv", draws_csv(sample).encode(), overwrite=args.overwrite)
    print(
        f"wrote {args.draws} draws, mean.png, std.png and metrics.csv to {out} "
        f"(mean per-pixel std {sample.std.mean() * 255:.2f} levels)"
    )
    return EXIT_OK
