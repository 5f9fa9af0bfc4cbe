"""The one device and precision policy: which device runs the networks, in which precision, and how
the CPU's memory allocator is set up for large images."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import sys

import torch

log = logging.getLogger(__name__)

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
NATIVE_BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
NO_NATIVE_BF16_MESSAGE = (
    "this CPU has no native bf16 (avx512_bf16 or AMX): bf16 would run slower than fp32, so fp32 is used"
)


def pick_device(requested: str | torch.device | None = None) -> torch.device:
    """CUDA when available, then Apple MPS, then CPU; or the device asked for ("cpu", "cuda:1", ...)."""
    if requested not in (None, "auto"):
        return torch.device(requested)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@functools.cache
def _cpu_flags() -> frozenset[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def cpu_has_native_bf16() -> bool:
    """Whether the CPU computes bf16 dot products in hardware (avx512_bf16, AMX, or Arm's bf16).

    Without them oneDNN emulates bf16 convolutions: ~10x slower than fp32 on AVX2-only CPUs, and no
    faster than fp32 with plain AVX-512 (docs/RESULTS.md).
    """
    flags = _cpu_flags()
    if flags:
        return any(flag in flags for flag in NATIVE_BF16_CPU_FLAGS) or "bf16" in flags
    if sys.platform == "darwin":  # no /proc: Apple silicon from M2 on has bf16, but oneDNN does not use it
        return False
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def bf16_is_fast(device: torch.device) -> bool:
    """Whether bf16 speeds ``device`` up rather than slowing it down (GPUs: yes; CPUs: native bf16 only)."""
    if device.type == "cpu":
        return cpu_has_native_bf16()
    return device.type == "cuda"


def resolve_precision(precision: str, device: torch.device) -> tuple[str, str | None]:
    """(precision to run, note for the user or None) for a requested precision on ``device``.

    "auto" is bf16 on CPUs with native bf16, fp16 on CUDA (10 mantissa bits against bf16's 7, and IRN's
    activations are bounded: the coupling scale is clamped to exp(±1)), and fp32 elsewhere. Its cost on
    Set5 is measured in docs/RESULTS.md. "bf16" falls back to fp32 where it would be slow; "fp16" needs CUDA.
    """
    from .errors import InvalidInputError

    if precision not in PRECISIONS:
        raise InvalidInputError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "auto":
        if device.type == "cuda":
            return "fp16", None
        return ("bf16" if bf16_is_fast(device) else "fp32"), None
    if precision == "fp16" and device.type != "cuda":
        raise InvalidInputError(f"fp16 needs a CUDA device, got {device.type}; use bf16 or fp32")
    if precision == "bf16" and not bf16_is_fast(device):
        return "fp32", NO_NATIVE_BF16_MESSAGE
    return precision, None


def precision_dtype(precision: str) -> torch.dtype:
    """The torch dtype the convolutions run in for a resolved precision."""
    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_KEEP_BYTES = 1 << 30


@functools.cache
def keep_freed_memory() -> bool:
    """Make glibc keep freed blocks for reuse instead of returning each one to the system (process-wide:
    the CLI and the app call it at start; the library itself never does).

    By default every block over 32 MiB is a fresh mmap, so each tile's activations are page-faulted
    in again: a 3 MP x4 round trip spent 38 of its 82 s in the kernel with 20 M page faults, and
    57% less time with this (docs/RESULTS.md). Freed memory stays with the process for the next tile
    or image (peak RSS is unchanged); all threads share the main arena, so workers (the app's jobs) keep
    theirs too. Does nothing off glibc. Returns whether it took effect.

    Also stops numpy advising its large arrays as transparent huge pages: where the kernel compacts memory
    for them on first touch, a fresh process decoded a 24 MP JPEG in 0.81-0.98 s with the advice and
    0.62-0.67 s without, and 12 MP metrics and error maps took the same time either way.
    """
    if not sys.platform.startswith("linux") or os.environ.get("IRN_KEEP_MALLOC_DEFAULTS"):
        return False
    _no_huge_page_advice()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, _KEEP_BYTES) == 1 and mallopt(_M_TRIM_THRESHOLD, 2 * _KEEP_BYTES) == 1
    # One arena for every thread: a worker thread's own arena cannot hold a block over 64 MiB, so it mmaps
    # each anew whatever the threshold (an IRN pass in a worker thread ran 1.27x slower than in the main
    # thread; 1.04x with this). Large tensors dominate, so the shared arena's lock costs nothing measurable.
    ok = mallopt(_M_ARENA_MAX, 1) == 1 and ok
    log.debug("glibc keeps freed memory: %s", ok)
    return ok


def available_memory_bytes() -> int | None:
    """Memory the system can still give this process (Linux MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def device_description(device: torch.device) -> str:
    """A human name for a device: the GPU's name, or the CPU's thread count."""
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "GPU: Apple MPS"
    return f"CPU ({torch.get_num_threads()} threads)"


def _no_huge_page_advice() -> None:
    import numpy as np

    multiarray = getattr(getattr(np, "_core", None), "multiarray", None)
    advise = getattr(multiarray, "_set_madvise_hugepage", None)  # numpy's switch, absent in some builds
    if callable(advise):
        advise(False)
