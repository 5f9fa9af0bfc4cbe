"""``irn downscale``, ``upscale`` and ``roundtrip``: one image or whole folders.

One input file and an output file name: that file is written (an existing one is an error unless
--overwrite). Otherwise the output is a folder (created), every image gets its outputs there, outputs that
exist are skipped and counted, so running the same command again resumes an interrupted batch; a bad file
is reported and the batch goes on. Exit code 0 when every file succeeded, 1 otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ..io.batch import BatchItem, BatchSummary, collect_images, plan_batch, run_batch
from ..io.images import READABLE_SUFFIXES, LoadedImage, read_image, write_png
from ..io.metadata import PhotoMetadata
from .commands import EXIT_ERROR, EXIT_OK, CliError, _load_model, _lr_metadata, _rescaler

OUTPUT_NAMES: dict[str, Callable[[str, int], list[str]]] = {
    "downscale": lambda stem, s: [f"{stem}_x{s}_lr.png"],
    "upscale": lambda stem, s: [f"{stem}_restored.png"],
    "roundtrip": lambda stem, s: [f"{stem}_x{s}_lr.png", f"{stem}_x{s}_restored.png"],
}


class _Models:
    """Rescalers by scale, loaded on first use (a folder of LR files may hold several scales)."""

    def __init__(self, args):
        self.args, self._by_scale = args, {}

    def get(self, scale: int | None):
        key = scale or 0
        if key not in self._by_scale:
            net, path = _load_model(self.args, scale)
            self._by_scale[key] = (_rescaler(self.args, net), path)
        return self._by_scale[key]


def _write(path: Path, pixels, args, **options) -> None:
    """Write one output PNG. In a batch, an output left by an interrupted earlier run is kept, not
    replaced (unless --overwrite); in the one-image form an existing file is an error."""
    if path.exists() and not args.overwrite and not args.single:
        return
    write_png(path, pixels, overwrite=args.overwrite, **options)


def _photo(image: LoadedImage, args) -> PhotoMetadata:
    if args.strip_metadata:
        return PhotoMetadata()
    return image.photo.without_gps() if args.strip_gps else image.photo


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

    def tiles(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.current}: tile {done}/{total}")

    def finished(self, index: int, item: BatchItem, outcome: str, message: str) -> None:
        if outcome == "failed":
            self.say(f"error: {item.source}: {message}")
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _weights_scale(weights: str) -> int:
    from ..io.checkpoints import checkpoint_scale

    return checkpoint_scale(weights)


def _single_output(args, images: Sequence[tuple[Path, Path]]) -> Path | None:
    """The output file when one file goes to an image-file name (the one-image form), else None."""
    out = Path(args.output)
    one_file = len(args.inputs) == 1 and Path(args.inputs[0]).is_file()
    if one_file and out.suffix.lower() in READABLE_SUFFIXES and not out.is_dir():
        if args.command == "roundtrip":
            raise CliError(f"roundtrip writes two files (LR and restored); -o must be a folder, got {out}")
        return out
    return None


def _downscale(item: BatchItem, args, models: _Models, report: _Reporter) -> None:
    image = read_image(item.source)
    for note in image.notes:
        report.say(f"note: {item.source.name}: {note}")
    rescaler, path = models.get(args.scale or (None if args.weights else 4))
    lr = rescaler.downscale(image.pixels, progress=report.tiles)
    meta = _lr_metadata(rescaler.net, path, image.pixels.shape[:2], image.bit_depth)
    _write(item.outputs[0], lr, args, metadata=meta, photo=_photo(image, args))
    if len(item.outputs) > 1:  # roundtrip: restore the LR just made, at the original's depth
        restored = rescaler.upscale(
            lr, temperature=args.temperature, seed=args.seed, output_size=image.pixels.shape[:2], progress=report.tiles
        )
        depth = args.bit_depth or (16 if image.bit_depth == 16 else 8)
        _write(item.outputs[1], restored, args, bit_depth=depth, photo=_photo(image, args))
        _print_scores(item, restored, image.pixels, rescaler.scale, report)


def _print_scores(item: BatchItem, restored, original, scale: int, report: _Reporter) -> None:
    from ..ops.metrics import psnr, ssim

    report.say(
        f"{item.source.name}: PSNR-Y {psnr(restored, original, crop_border=scale, y_channel=True):.2f} dB, "
        f"SSIM-Y {ssim(restored, original, crop_border=scale, y_channel=True):.4f}, "
        f"PSNR-RGB {psnr(restored, original):.2f} dB",
        result=True,
    )


def _upscale(item: BatchItem, args, models: _Models, report: _Reporter) -> None:
    from ..io.checkpoints import weights_fingerprint
    from ..io.lrfile import lr_warnings, read_lr_info

    image = read_image(item.source)
    info = read_lr_info(image)
    scale = args.scale or (info.scale if info else None)
    if scale is None:
        raise CliError(
            f"{image.path.name} records no scale (it was not written by `irn downscale`); give --scale to restore "
            "it anyway, knowing the result is a poor super-resolution"
        )
    rescaler, _ = models.get(scale)
    for warning in lr_warnings(image, info, scale=rescaler.scale, fingerprint=weights_fingerprint(rescaler.net)):
        report.say(f"warning: {warning}")
    output_size = None
    if info and info.original_size and info.scale == rescaler.scale:
        h, w = image.pixels.shape[:2]
        oh, ow = info.original_size
        if oh <= h * rescaler.scale and ow <= w * rescaler.scale:
            output_size = info.original_size
    hr = rescaler.upscale(
        image.pixels, temperature=args.temperature, seed=args.seed, output_size=output_size, progress=report.tiles
    )
    depth = args.bit_depth or (info.original_bit_depth if info else 8)
    _write(item.outputs[0], hr, args, bit_depth=depth, photo=_photo(image, args))


def cmd_rescale(args) -> int:
    """downscale, upscale or roundtrip over the inputs (args.command says which)."""
    images, ignored = collect_images(args.inputs, recursive=args.recursive)
    if not images:
        raise CliError(f"no images in {', '.join(args.inputs)} (readable: {', '.join(READABLE_SUFFIXES)})")
    scale_for_names = args.scale or (_weights_scale(args.weights) if args.weights else 4)
    single = _single_output(args, images)
    args.single = single is not None
    if single is not None:
        items = [BatchItem(images[0][0], (single,))]
    else:
        out_dir = Path(args.output)
        names = OUTPUT_NAMES[args.command]
        items = plan_batch(images, out_dir, names=lambda stem: names(stem, scale_for_names))
    models = _Models(args)
    report = _Reporter(len(items), quiet=args.quiet or single is not None, command=args.command)
    work = _upscale if args.command == "upscale" else _downscale

    def process(item: BatchItem) -> None:
        report.start(item)
        work(item, args, models, report)

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
