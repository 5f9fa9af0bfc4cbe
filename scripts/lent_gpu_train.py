"""Continue both bundled IRN models, and train a JPEG-robust x2 from the bundled x2, on a lent GPU in one
device call; bring back fp16 weights, training logs and Set5/Set14 figures through $OUT.

A lent GPU gives a session about 15 minutes in calls of at most 10, and checkpoints with optimiser state
(20 MB at x2, 53 MB at x4) do not fit what travels back (16 MiB a file). So each call starts from the
bundled weights (configs/irn_x{2,4}_gpu.json: init_from), sizes a cosine schedule to the minutes it is
given from a short probe of its own speed, trains the three runs (RUNS) at once, and returns exported
weights.

Here, once per session (the data does not travel otherwise; BSD100 would exceed the 64 MiB carry limit):

    echo /gpu_data/ >> .git/info/exclude
    mkdir -p gpu_data && cp -r ../shared/datasets/{train,Set5,Set14} gpu_data/

Device call (the whole 15-minute budget: about 3 to start the machine, one call of at most 10):
command "python3 scripts/lent_gpu_train.py --minutes 4", carry ["gpu_data"], timeout_s 600. After the
training it runs scripts/lent_gpu_speed.py (about a minute; --no-speed skips it), whose gpu_speed.json
comes back with the weights.
Back here: tar xf FILES_AT/gpu_x2.tar (and gpu_x4.tar, gpu_x2_jpeg.tar); each holds irn_NAME.safetensors,
log.csv, curve.png, config.json and Set5/Set14 bench JSON (the JPEG-robust run's also at JPEG q90).
Compare, bench BSD100 here, and copy the weights into resources/weights when they are better.

The GPU configs train in fp32 (TF32 convolutions) without channels_last: on an H200 (2026-11-28, batch 16,
patch 144, one training step alone) x2 ran at 10.1 it/s so against 8.4 with bf16 autocast and channels_last,
x4 at 5.3 against 3.6. Three runs share the GPU, so each gets about a third of that.

A dry run on a CPU: python scripts/lent_gpu_train.py --minutes 0.5 --allow-cpu --set patch=32 --set batch=2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from irn_core.training.plot import read_log  # noqa: E402  (the repo, not an installed copy)

PROBE_ITERS = 30
BENCH_SETS = (("Set5", 5), ("Set14", 5))
JPEG_QUALITIES = [75, 95]
BENCH_JPEG_QUALITY = 90
# name -> (scale, config changes); the JPEG-robust x2 continues the bundled x2 with JPEG in the loop.
RUNS: dict[str, tuple[int, dict]] = {
    "x2": (2, {}),
    "x4": (4, {}),
    # continues the bundled JPEG-robust model (IRN and restorer): its Set5 q90 aim is not reached yet
    "x2_jpeg": (
        2,
        {"jpeg_in_loop": JPEG_QUALITIES, "seed": 5, "init_from": "resources/weights/irn_x2_jpeg.safetensors"},
    ),
}
WORKERS_EACH = 4  # three runs share the machine's 16 cores


def irn_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "irn_core", *args]


def run_all(commands: list[list[str]], logs: list[Path]) -> list[bool]:
    """Run the commands at once; whether each succeeded (a failure's log is printed)."""
    env = os.environ | {"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    processes = []
    for command, log in zip(commands, logs):
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as stream:  # the child keeps its own copy of the handle
            processes.append(subprocess.Popen(command, cwd=REPO, env=env, stdout=stream, stderr=subprocess.STDOUT))
    succeeded = [process.wait() == 0 for process in processes]
    for ok, command, log in zip(succeeded, commands, logs):
        if not ok:
            print(f"FAILED: {' '.join(command)}\n{log.read_text()[-3000:]}", flush=True)
    return succeeded


def write_config(name: str, path: Path, changes: dict) -> Path:
    scale, own = RUNS[name]
    config = json.loads((REPO / f"configs/irn_x{scale}_gpu.json").read_text()) | {"workers": WORKERS_EACH} | own
    config |= changes
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2))
    return path


def probe_rate(run_dir: Path) -> float:
    """Iterations per second of a probe run, leaving out its first interval (worker start-up)."""
    rates = [float(row["it_per_s"]) for row in read_log(run_dir) if row["it_per_s"]]
    return statistics.median(rates[1:] or rates)


def pack(run_dir: Path, tar_path: Path) -> None:
    """The run folder's files (not its checkpoints) as one tar: a call brings back at most 8 files."""
    tar_path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path, "w") as tar:
        for path in sorted(run_dir.iterdir()):
            if path.is_file():
                tar.add(path, arcname=path.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, required=True, help="training time for both scales (at once)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="override a config value (for dry runs), e.g. patch=32",
    )
    parser.add_argument("--allow-cpu", action="store_true", help="run even without CUDA (dry run)")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement after training")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=560,
        help="the device call's seconds: benches and the speed measurement are skipped when too few are left, "
        "so the weights always come back",
    )
    args = parser.parse_args()
    overrides = {key: json.loads(value) for key, value in (item.split("=", 1) for item in args.set)}
    out = Path(os.environ.get("OUT") or REPO / "runs/gpu_out")
    work = REPO / "runs/gpu_work"
    shutil.rmtree(work, ignore_errors=True)

    import torch

    print(
        f"torch {torch.__version__}, CUDA: {torch.cuda.get_device_name() if torch.cuda.is_available() else 'none'}",
        flush=True,
    )
    if not torch.cuda.is_available() and not args.allow_cpu:
        print("no CUDA device; pass --allow-cpu for a dry run")
        return 1

    started = time.monotonic()
    probes = [
        write_config(
            name,
            work / f"probe_{name}.json",
            overrides
            | {
                "iters": PROBE_ITERS,
                "val": "",
                "log_every": 10,
                "checkpoint_every": PROBE_ITERS,
                "out": str(work / f"probe_{name}"),
            },
        )
        for name in RUNS
    ]
    if not all(
        run_all(
            [irn_command("train", "--config", str(p), "-q") for p in probes], [work / f"probe_{n}.out" for n in RUNS]
        )
    ):
        return 1
    rates = {name: probe_rate(work / f"probe_{name}") for name in RUNS}
    iters = {name: max(PROBE_ITERS, int(rates[name] * args.minutes * 60 * 0.92)) for name in RUNS}
    print(
        f"probe ({time.monotonic() - started:.0f} s): "
        + ", ".join(f"{n} {rates[n]:.2f} it/s -> {iters[n]} iterations" for n in RUNS),
        flush=True,
    )

    runs = {name: work / name for name in RUNS}
    configs = [
        write_config(
            name,
            work / f"{name}.json",
            overrides | {"iters": iters[name], "out": str(runs[name]), "val_every": max(50, iters[name] // 6)},
        )
        for name in RUNS
    ]
    # A run that fails part-way (e.g. diverged past its rollbacks) still exports its last checkpoint.
    run_all(
        [irn_command("train", "--config", str(c), "-q", "--time-limit", str(args.minutes + 0.5)) for c in configs],
        [runs[name] / "train.out" for name in RUNS],
    )
    print(f"trained ({time.monotonic() - started:.0f} s)", flush=True)

    val = json.loads(configs[0].read_text())["val"]
    weights = {name: runs[name] / f"irn_{name}.safetensors" for name in RUNS}
    exported = run_all(
        [irn_command("export", str(runs[n]), "-o", str(weights[n]), "--val", val, "--draws", "2") for n in RUNS],
        [runs[name] / "export.out" for name in RUNS],
    )
    for name in RUNS:  # the weights first: whatever runs out of time below, they come back
        pack(runs[name], out / f"gpu_{name}.tar")
    print(f"exported ({time.monotonic() - started:.0f} s)", flush=True)
    data = Path(val).parent
    for (name, (scale, changes)), ok in zip(RUNS.items(), exported):
        ok = ok and time.monotonic() - started < args.budget_s - 150
        benches = [(set_name, draws, None) for set_name, draws in BENCH_SETS]
        if "jpeg_in_loop" in changes:
            benches += [(set_name, draws, BENCH_JPEG_QUALITY) for set_name, draws in BENCH_SETS]
        for set_name, draws, quality in benches:
            if ok and (data / set_name).is_dir():
                tag = f"{set_name}_{name}" + (f"_q{quality}" if quality else "")
                run_all(
                    [
                        irn_command(
                            "bench",
                            "--dataset",
                            str(data / set_name),
                            "--scale",
                            str(scale),
                            "--methods",
                            "irn",
                            "--draws",
                            str(draws),
                            "--weights",
                            str(weights[name]),
                            "--json",
                            str(runs[name] / f"{tag}.json"),
                            "-q",
                            *(["--jpeg", str(quality)] if quality else []),
                        )
                    ],
                    [runs[name] / f"bench_{tag}.out"],
                )
        run_all([irn_command("train", "--plot", str(runs[name]))], [runs[name] / "plot.out"])
        pack(runs[name], out / f"gpu_{name}.tar")
        print(f"{name} export: {(runs[name] / 'export.out').read_text().strip()}", flush=True)
        for result in sorted(runs[name].glob(f"*_{name}*.json")):
            irn = json.loads(result.read_text())["results"]["irn"]
            print(f"{result.stem}: PSNR-Y {irn['psnr_y']:.2f} dB, SSIM-Y {irn['ssim_y']:.4f} ({irn['draws']} draws)")
    if not args.no_speed and time.monotonic() - started < args.budget_s - 90:
        speed = [sys.executable, str(REPO / "scripts/lent_gpu_speed.py"), "--out", str(out)]
        if not torch.cuda.is_available():
            speed += ["--allow-cpu", "--size", "128", "--uhd", "256x192", "--precisions", "fp32"]
        run_all([speed], [work / "speed.out"])
        print((work / "speed.out").read_text(), flush=True)
    print(f"done ({time.monotonic() - started:.0f} s); files in {out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
