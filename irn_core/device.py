"""The one device and precision policy: which device runs the networks and in which precision."""

from __future__ import annotations

import logging

import torch

log = logging.getLogger(__name__)

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
NO_FAST_BF16_MESSAGE = (
    "this CPU has no fast bf16 (it needs AVX-512): bf16 would run about 10x slower than fp32, so fp32 is used"
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


def bf16_is_fast(device: torch.device) -> bool:
    """Whether bf16 autocast speeds ``device`` up rather than slowing it down.

    GPUs have bf16 kernels. On CPUs oneDNN needs AVX-512 (or Arm bf16): without it, bf16
    convolutions fall back to reference code, measured ~10x slower than fp32 for an IRN training
    step on an AVX2-only AMD EPYC (docs/RESULTS.md).
    """
    if device.type != "cpu":
        return True
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_precision(precision: str, device: torch.device) -> tuple[str, str | None]:
    """(precision to run, note for the user or None) for a requested precision on ``device``.

    "auto" keeps fp32 (the accuracy the published figures use) until the speed work measures the
    cost of reduced precision; "bf16" falls back to fp32 where it would be slow; "fp16" needs CUDA.
    """
    from .errors import InvalidInputError

    if precision not in PRECISIONS:
        raise InvalidInputError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "auto":
        return "fp32", None
    if precision == "fp16" and device.type != "cuda":
        raise InvalidInputError(f"fp16 needs a CUDA device, got {device.type}; use bf16 or fp32")
    if precision == "bf16" and not bf16_is_fast(device):
        return "fp32", NO_FAST_BF16_MESSAGE
    return precision, None


def device_description(device: torch.device) -> str:
    """A human name for a device: the GPU's name, or the CPU's thread count."""
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "GPU: Apple MPS"
    return f"CPU ({torch.get_num_threads()} threads)"
