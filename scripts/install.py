"""Install IRN Studio into the current Python environment, the right size for this machine.

    python3 scripts/install.py            # the app and the library
    python3 scripts/install.py --test     # also what the tests and the contract checks need
    python3 scripts/install.py --cuda     # a CUDA build of torch even without a GPU in sight

Standard library only, so it runs on a fresh machine. What it does:
1. On Debian/Ubuntu, the system libraries Qt's window plugin needs (apt-get, when run as root; else it
   prints the command to run).
2. torch: with an NVIDIA GPU (nvidia-smi) or --cuda, the default build from PyPI (CUDA, ~5 GB); otherwise a
   CPU-only build (~0.7 GB): PyTorch's CPU wheels, or a CPU wheel pip finds locally (find-links); the CUDA
   build only when neither is there, with a note.
3. IRN Studio itself (pip install -e .), and spandrel with torchvision for third-party SR models where a
   torchvision matching that torch can be had.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
sys.path.insert(0, str(ROOT / "app"))
from platform_check import XCB_PACKAGES  # noqa: E402  (the one list of Qt's system libraries)


def pip(*args: str, quiet: bool = True) -> bool:
    command = [sys.executable, "-m", "pip", "install", *(["--quiet"] if quiet else []), *args]
    print("+ " + " ".join(command), flush=True)
    return subprocess.call(command) == 0


def system_libraries() -> None:
    if not Path("/etc/debian_version").exists() or not shutil.which("apt-get"):
        return
    missing = [p for p in XCB_PACKAGES if subprocess.call(["dpkg", "-s", p], stdout=subprocess.DEVNULL,
                                                          stderr=subprocess.DEVNULL) != 0]  # fmt: skip
    if not missing:
        return
    if os.geteuid() != 0:
        print(f"note: the app's window needs: sudo apt-get install -y {' '.join(missing)}", flush=True)
        return
    subprocess.call(["apt-get", "update", "-qq"])
    subprocess.call(["apt-get", "install", "-y", "-qq", *missing])


def has_cuda() -> bool:
    return shutil.which("nvidia-smi") is not None and subprocess.call(["nvidia-smi", "-L"], stdout=subprocess.DEVNULL,
                                                                      stderr=subprocess.DEVNULL) == 0  # fmt: skip


def torch_installed() -> str | None:
    # From its metadata, not by importing it: a wheel installed --no-deps cannot import yet.
    probe = "import importlib.metadata as m; print(m.version('torch'))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def install_torch(cuda: bool) -> tuple[str, bool]:
    """(how torch was installed, whether a matching torchvision came with it)."""
    present = torch_installed()
    if present:
        return f"torch {present} (already installed)", _torchvision_works()
    if cuda:
        pip("torch", "torchvision")
        return "torch with CUDA (PyPI)", _torchvision_works()
    if reachable(CPU_INDEX) and pip("torch", "torchvision", "--index-url", CPU_INDEX):
        return "torch, CPU-only (PyTorch's CPU wheels)", True
    # No route to PyTorch's index: a CPU wheel that pip finds locally (find-links), without torchvision.
    if pip("--no-index", "--no-deps", "--only-binary", ":all:", "torch") and "+cpu" in (torch_installed() or ""):
        pip("torch")  # its dependencies, from the index; the CPU build already satisfies "torch"
        return f"torch {torch_installed()}, CPU-only (a local wheel)", _torchvision_works()
    print("note: no CPU-only torch could be found; installing the default build (with CUDA, ~5 GB)", flush=True)
    pip("torch", "torchvision")
    return "torch with CUDA (PyPI; no CPU-only build reachable)", _torchvision_works()


def reachable(url: str, timeout: float = 5.0) -> bool:
    """Whether the host of ``url`` answers at all (pip would otherwise retry every package for minutes)."""
    import socket
    from urllib.parse import urlparse

    try:
        socket.create_connection((urlparse(url).hostname, 443), timeout=timeout).close()
    except OSError:
        return False
    return True


def _torchvision_works() -> bool:
    result = subprocess.run([sys.executable, "-c", "import torchvision"], capture_output=True)
    return result.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Install IRN Studio for this machine (see the module doc).")
    parser.add_argument("--test", action="store_true", help="also the test and contract tools")
    parser.add_argument("--cuda", action="store_true", help="a CUDA build of torch even without nvidia-smi")
    args = parser.parse_args()
    started = time.perf_counter()
    system_libraries()
    how, torchvision = install_torch(args.cuda or has_cuda())
    extras = [e for e, wanted in (("test", args.test), ("sr-models", torchvision)) if wanted]
    target = f"{ROOT}[{','.join(extras)}]" if extras else str(ROOT)
    if not pip("-e", target):
        return 1
    print(f"IRN Studio installed in {time.perf_counter() - started:.0f} s: {how}", flush=True)
    if not torchvision:
        print("note: no torchvision matches this torch, so third-party SR models (spandrel) are off; our own SR "
              "network and everything else work", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
