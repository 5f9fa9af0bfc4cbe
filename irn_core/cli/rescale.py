"""``irn downscale``, ``upscale`` and ``roundtrip``: one image or whole folders.

One input file and an output file name: that file is written (an existing one is an error unless
--overwrite). Otherwise the output is a folder (created), every image gets its outputs there, outputs that
exist are skipped and counted, so running the same command again resumes an interrupted batch; a bad file
is reported and the batch goes on. Exit code 0 when every file succeeded, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..analysis.files import OPERATIONS, OUTPUT_NAMES, FileOptions
from ..io.batch import BatchItem, BatchSummary, collect_images, plan_batch, run_batch
from ..io.images import READABLE_SUFFIXES
from .commands import EXIT_ERROR, EXIT_OK, CliError, _load_model, _rescaler


class _Models:
    """Rescalers by scale, loaded on first use (a folder of LR files may hold several scales)."""

    def __init__(self, args, say=None):
        self.args, self._by_scale, self.say = args, {}, say

    def get(self, scale: int | None, weights: str | None = None):
        """(rescaler, path) for a scale, and a bundled model an LR file names (unless --weights says otherwise)."""
        weights = None if self.args.weights else weights
        key = (scale or 0, weights)
        if key not in self._by_scale:
            from ..device import device_description

            net, path = _load_model(self.args, scale, weights)
            rescaler = _rescaler(self.args, net, path)
            self._by_scale[key] = (rescaler, path)
            if self.say is not None:
                self.say(
                    f"note: IRN x{rescaler.scale} ({Path(path).name}) on {device_description(rescaler.device)}, "
                    f"{rescaler.precision}" + (" (auto)" if self.args.precision == "auto" else "")
                )
        return self._by_scale[key]


class _Reporter:
    """One overall progress bar (files done of all, ETA) with the current file and its tiles; notes and
    warnings go to stderr whatever -q says (-q removes only the progress bar)."""

    def __init__(self, total: int, *, quiet: bool, command: str):
        self.bar = None
        if not quiet and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=command, unit="image", dynamic_ncols=True, file=sys.stderr)
        self.current = ""

    def say(self, text: str, *, result: bool = False) -> None:
        """A note or warning (stderr), or with ``result`` a figure the user asked for (stdout)."""
        stream = sys.stdout if result else sys.stderr
        if self.bar is not None:
            self.bar.write(text, file=stream)
        else:
            print(text, file=stream)

    def start(self, item: BatchItem) -> None:
        self.current = item.source.name
        if self.bar is not None:
            self.bar.set_postfix_str(self.current)

    def tiles(self, done: float, total: int) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.current}: {done / total:.0%} of {total} tile{'s' * (total > 1)}")

    def finished(self, index: int, item: BatchItem, outcome: str, message: str) -> None:
        if outcome == "failed":
            self.say(f"error: {item.source}: {message}")
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _weights_scale(weights: str) -> int:
    from ..io.checkpoints import checkpoint_scale, resolve_weights

    return checkpoint_scale(resolve_weights(weights, None))


def _jpeg_lr_names(names):
    return lambda stem, s: [
        n.removesuffix("_lr.png") + "_lr.jpg" if n.endswith("_lr.png") else n for n in names(stem, s)
    ]


def _single_output(args) -> Path | None:
    """The output file when one file goes to an image-file name (the one-image form), else None."""
    out = Path(args.output)
    one_file = len(args.inputs) == 1 and Path(args.inputs[0]).is_file()
    if one_file and out.suffix.lower() in READABLE_SUFFIXES and not out.is_dir():
        jpeg_name = out.suffix.lower() in (".jpg", ".jpeg")
        if args.command == "downscale" and jpeg_name != (args.lr_format == "jpeg"):
            raise CliError(
                f"{out.name}: an LR stored as {args.lr_format} needs a "
                + (".jpg name" if args.lr_format == "jpeg" else ".png name (or --format jpeg for a JPEG LR)")
            )
        if args.command == "roundtrip":
            raise CliError(f"roundtrip writes two files (LR and restored); -o must be a folder, got {out}")
        return out
    return None


def _work(args, models: _Models, report: _Reporter):
    options = FileOptions(
        metadata="strip" if args.strip_metadata else ("strip-gps" if args.strip_gps else "keep"),
        bit_depth=getattr(args, "bit_depth", None),
        seed=getattr(args, "seed", 0),
        temperature=getattr(args, "temperature", 1.0),
        overwrite=args.overwrite,
        keep_existing=not args.single,
        lr_jpeg_quality=args.quality if getattr(args, "lr_format", "png") == "jpeg" else None,
    )
    operation = OPERATIONS[args.command]
    default_scale = args.scale or (None if args.weights else (None if args.command == "upscale" else 4))

    def process(item: BatchItem) -> None:
        report.start(item)
        result = operation(item, rescalers=models.get, scale=default_scale, options=options, progress=report.tiles)
        for note in result.notes:
            report.say(note if note.startswith("warning:") else f"note: {note}")
        if result.scores is not None:
            s = result.scores
            report.say(
                f"{item.source.name}: PSNR-Y {s['psnr_y']:.2f} dB, SSIM-Y {s['ssim_y']:.4f}, "
                f"PSNR-RGB {s['psnr_rgb']:.2f} dB",
                result=True,
            )

    return process


def cmd_rescale(args) -> int:
    """downscale, upscale or roundtrip over the inputs (args.command says which)."""
    images, ignored = collect_images(args.inputs, recursive=args.recursive)
    if not images:
        raise CliError(f"no images in {', '.join(args.inputs)} (readable: {', '.join(READABLE_SUFFIXES)})")
    scale_for_names = args.scale or (_weights_scale(args.weights) if args.weights else 4)
    single = _single_output(args)
    args.single = single is not None
    if single is not None:
        items = [BatchItem(images[0][0], (single,))]
    else:
        out_dir = Path(args.output)
        names = OUTPUT_NAMES[args.command]
        if getattr(args, "lr_format", "png") == "jpeg":
            names = _jpeg_lr_names(names)
        items = plan_batch(images, out_dir, names=lambda stem: names(stem, scale_for_names))
    report = _Reporter(len(items), quiet=args.quiet or single is not None, command=args.command)
    models = _Models(args, say=report.say)
    process = _work(args, models, report)

    if single is not None:  # the one-image form: an existing output is an error, not a skip
        single.parent.mkdir(parents=True, exist_ok=True)
        process(items[0])
        print(f"wrote {single}")
        return EXIT_OK
    try:
        summary = run_batch(items, process, overwrite=args.overwrite, on_item=report.finished)
    finally:
        report.close()
    return _summarise(summary, ignored, args)


def _summarise(summary: BatchSummary, ignored: list[Path], args) -> int:
    summary.ignored = ignored
    print(f"irn {args.command}: {summary.describe()}; outputs in {args.output}")
    for path, message in summary.failed:
        print(f"  failed: {path}: {message}", file=sys.stderr)
    if summary.skipped and not args.overwrite:
        print("  (skipped files already have their outputs; --overwrite redoes them)", file=sys.stderr)
    return EXIT_OK if summary.ok else EXIT_ERROR
