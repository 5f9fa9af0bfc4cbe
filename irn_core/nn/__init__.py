"""The networks: IRN (official parameter names) and our compact SR baseline."""

from .irn import ARCHITECTURE, IRN, SUPPORTED_SCALES, build_irn, count_parameters
from .sr import COMPACT_ARCHITECTURE, CompactSR

__all__ = [
    "ARCHITECTURE",
    "IRN",
    "SUPPORTED_SCALES",
    "build_irn",
    "count_parameters",
    "COMPACT_ARCHITECTURE",
    "CompactSR",
]
