"""``irn downscale``, ``upscale`` and ``roundtrip``: one image or whole folders.

One input file and an output file name: that file is written (an existing one is an error unless
--overwrite). Otherwise the output is a folder (created) and every image gets its outputs there, named
for the whole batch before any work (two inputs never share an output; an output is never an input).
An output that records the same request (weights, seed, temperature, bit depth, metadata, input) is
kept, so running the same command again resumes an interrupted batch; one made with other options is
redone. Every check that needs no network (outputs writable, not the input, options in range) runs
before the first network pass. A bad file is reported and the batch goes on; a full disk stops it.
Exit code 0 when every file succeeded, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .commands import EXIT_ERROR, EXIT_OK, CliError, load_rescaler


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

            rescaler, path = load_rescaler(self.args, scale, weights)
            self._by_scale[key] = (rescaler, path)
            if self.say is not None:
                self.say(
                    f"note: IRN x{rescaler.scale} ({Path(path).name}) on {device_description(rescaler.device)}, "
                    f"{rescaler.precision}" + (" (auto)" if self.args.precision == "auto" else "")
                )
        return self._by_scale[key]


class _Reporter:
    """Files done of all (when there are several) and, below, the current file's phase ("downscale",
    "upscale") in tiles, each with a time estimate; notes and warnings go to stderr whatever -q says
    (-q removes only the bars)."""

    def __init__(self, total: int, *, quiet: bool, command: str):
        self.quiet, self.bar, self.phase_bar, self.phase = quiet, None, None, ""
        if not quiet and total > 1:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=command, unit="image", dynamic_ncols=True, file=sys.stderr)
        self.current = ""

    def say(self, text: str, *, result: bool = False) -> None:
        """A note or warning (stderr), or with ``result`` a figure the user asked for (stdout)."""
        stream = sys.stdout if result else sys.stderr
        if self.bar is not None or self.phase_bar is not None:
            from tqdm import tqdm

            tqdm.write(text, file=stream)
        else:
            print(text, file=stream)

    def start(self, item) -> None:
        self.current = item.source.name
        if self.bar is not None:
            self.bar.set_postfix_str(self.current)

    def tiles(self, phase: str, done: float, total: int) -> None:
        if self.quiet:
            return
        from tqdm import tqdm

        if self.phase_bar is None or phase != self.phase or self.phase_bar.total != total:
            if self.phase_bar is not None:
                self.phase_bar.close()
            self.phase = phase
            self.phase_bar = tqdm(
                total=total,
                desc=f"{self.current}: {phase}",
                unit="tile",
                leave=False,
                dynamic_ncols=True,
                file=sys.stderr,
                bar_format="{desc} {n:.0f}/{total} tiles |{bar}| {percentage:3.0f}% [{elapsed}<{remaining}]",
            )
        bar = self.phase_bar
        assert bar is not None
        bar.update(min(done, total) - bar.n)  # redrawn at most every 0.1 s

    def finished(self, index: int, item, outcome: str, message: str) -> None:
        self._close_phase()
        if outcome == "failed":
            self.say(f"error: {item.source}: {message}")
        elif outcome == "skipped" and self.bar is None:
            self.say(f"note: {item.source.name}: {message}")
        if self.bar is not None:
            self.bar.update(1)

    def _close_phase(self) -> None:
        if self.phase_bar is not None:
            self.phase_bar.close()
            self.phase_bar = None

    def close(self) -> None:
        self._close_phase()
        if self.bar is not None:
            self.bar.close()


def _single_output(args) -> Path | None:
    """The output file when one file goes to an image-file name (the one-image form), else None."""
    from ..io.images import READABLE_SUFFIXES

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
        if args.command != "downscale" and out.suffix.lower() != ".png":
            raise CliError(f"{out.name}: the restored image is written as PNG (lossless); use a .png name")
        return out
    return None


def _options(args):
    from ..analysis.files import FileOptions

    return FileOptions(
        metadata="strip" if args.strip_metadata else ("strip-gps" if args.strip_gps else "keep"),
        bit_depth=getattr(args, "bit_depth", None),
        seed=getattr(args, "seed", 0),
        temperature=getattr(args, "temperature", 1.0),
        overwrite=args.overwrite,
        keep_existing=not args.single,
        gray_lr=args.gray_lr,
        lr_jpeg_quality=args.quality if getattr(args, "lr_format", "png") == "jpeg" else None,
    )


def _work(args, models: _Models, report: _Reporter):
    from ..analysis.files import OPERATIONS

    options = _options(args)
    operation = OPERATIONS[args.command]
    default_scale = args.scale or (None if args.weights else (None if args.command == "upscale" else 4))

    def process(item) -> None:
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


def _scale_for_names(args) -> int:
    if args.scale:
        return args.scale
    if not args.weights:
        return 4
    from ..io.checkpoints import checkpoint_scale, resolve_weights

    return checkpoint_scale(resolve_weights(args.weights, None))


def _check_output_folder(out_dir: Path) -> None:
    from ..io.writing import check_output

    check_output(out_dir / ".irn-studio-probe", overwrite=True)


def cmd_rescale(args) -> int:
    """downscale, upscale or roundtrip over the inputs (args.command says which)."""
    from ..analysis.file_plan import plan_files
    from ..io.batch import BatchItem, run_batch
    from ..io.writing import check_output

    for raw in args.inputs:
        if not Path(raw).exists():
            raise CliError(f"{raw} does not exist; expected an image file or a folder of images")
    single = _single_output(args)
    args.single = single is not None
    if single is not None:  # the one-image form: an existing output is an error, not a skip
        source = Path(args.inputs[0])
        check_output(single, overwrite=args.overwrite, inputs=(source,))
        items, ignored, earlier = [BatchItem(source, (single,))], [], []
    else:
        out_dir = Path(args.output)
        plan = plan_files(
            args.inputs,
            out_dir,
            command=args.command,
            scale=_scale_for_names(args),
            recursive=args.recursive,
            lr_format=getattr(args, "lr_format", "png"),
        )
        items, ignored, earlier = plan.items, plan.ignored, plan.earlier_outputs
        _check_output_folder(out_dir)
    report = _Reporter(len(items), quiet=args.quiet, command=args.command)
    models = _Models(args, say=report.say)
    process = _work(args, models, report)
    if single is not None:
        single.parent.mkdir(parents=True, exist_ok=True)
        try:
            process(items[0])
        finally:
            report.close()
        print(f"wrote {single}")
        return EXIT_OK
    try:
        summary = run_batch(items, process, on_item=report.finished)
    finally:
        report.close()
    summary.ignored, summary.earlier_outputs = ignored, earlier
    print(f"irn {args.command}: {summary.describe()}; outputs in {args.output}")
    for path, message in summary.failed:
        print(f"  failed: {path}: {message}", file=sys.stderr)
    if summary.not_attempted:
        print(f"  not attempted (disk full): {', '.join(p.name for p in summary.not_attempted)}", file=sys.stderr)
    if summary.skipped:
        print("  (skipped files have outputs made with these options; --overwrite redoes them)", file=sys.stderr)
    return EXIT_OK if summary.ok else EXIT_ERROR
