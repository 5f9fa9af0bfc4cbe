"""LDR-FLIP (Andersson et al., "FLIP: A Difference Evaluator for Alternating Images", HPG 2020) in torch.

The same error map as NVIDIA's ``flip-evaluator`` (its reference implementation, which the tests hold this one
to), computed with separable filters: every FLIP filter is a Gaussian, a sum of two, or a Gaussian's first or
second derivative, each a product of a row and a column filter. On two AVX2 cores it takes about a fifth of
flip-evaluator's time (scripts/flip_speed.py), and torch and OpenCV release the GIL inside each operation, so
a worker thread computing it never holds up a GUI thread for long (flip-evaluator holds it for a whole call).

Pipeline (sRGB in [0, 1], viewed at ``pixels_per_degree``): both images to the opponent space YCxCz, each channel
filtered by its contrast sensitivity filter, back to linear RGB clamped to [0, 1], to Hunt-adjusted L*a*b*;
the HyAB colour difference, raised to 0.7 and redistributed to [0, 1]; edges and points of the luminance
(first and second Gaussian derivatives), whose largest difference raises the colour error to a lower power.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np
import torch

from ..errors import InvalidInputError

# 0.7 m from a 0.7 m wide 3840-pixel monitor: FLIP's default observer (flip-evaluator's too)
DEFAULT_PIXELS_PER_DEGREE = 0.7 * 3840 / 0.7 * math.pi / 180
QC, QF, PC, PT = 0.7, 0.5, 0.4, 0.95  # the paper's exponents and the redistribution's knee

# Contrast sensitivity: a1 * sqrt(pi / b1) * exp(-pi^2 r^2 / b1) + a2 * (the same with b2), r in degrees
CSF = {"A": (1.0, 0.0047, 0.0, 1e-5), "RG": (1.0, 0.0053, 0.0, 1e-5), "BY": (34.1, 0.04, 13.5, 0.025)}
FEATURE_WIDTH_DEGREES = 0.082  # peak to trough of the human edge detector: two standard deviations

# Linear sRGB (D65) -> XYZ and back, and the D65 white that normalises XYZ (FLIP's constants)
RGB_TO_XYZ = np.array(
    [
        [10135552 / 24577794, 8788810 / 24577794, 4435075 / 24577794],
        [2613072 / 12288897, 8788810 / 12288897, 887015 / 12288897],
        [1425312 / 73733382, 8788810 / 73733382, 70074185 / 73733382],
    ]
)
WHITE = np.array([0.950428545, 1.0, 1.088900371])
_TO_WHITE_XYZ = RGB_TO_XYZ / WHITE[:, None]  # linear RGB -> XYZ divided by the white
_FROM_WHITE_XYZ = np.linalg.inv(RGB_TO_XYZ) * WHITE[None, :]


def filter_reach(pixels_per_degree: float = DEFAULT_PIXELS_PER_DEGREE) -> int:
    """Pixels that FLIP's widest filter reaches from its centre: a tile needs this much context."""
    return max(_spatial_radius(pixels_per_degree), _feature_radius(pixels_per_degree))


def _spatial_radius(ppd: float) -> int:
    widest = max(b for a1, b1, a2, b2 in CSF.values() for b in (b1, b2))
    return int(math.ceil(3 * math.sqrt(widest / (2 * math.pi**2)) * ppd))


def _feature_radius(ppd: float) -> int:
    return int(math.ceil(3 * 0.5 * FEATURE_WIDTH_DEGREES * ppd))


@functools.lru_cache(maxsize=4)
def _filters(ppd: float) -> dict[str, list[tuple[float, np.ndarray]]]:
    """Each channel's contrast sensitivity filter as (weight, 1-D taps) terms: the 2-D filter is the sum of
    weight * (taps ⊗ taps), and sums to one."""
    r = _spatial_radius(ppd)
    x = np.arange(-r, r + 1) / ppd
    filters: dict[str, list[tuple[float, np.ndarray]]] = {}
    for channel, (a1, b1, a2, b2) in CSF.items():
        terms = []
        for a, b in ((a1, b1), (a2, b2)):
            if a == 0:
                continue
            g = np.exp(-(math.pi**2) * x**2 / b)
            terms.append((a * math.sqrt(math.pi / b) * g.sum() ** 2, g / g.sum()))
        total = sum(w for w, _ in terms)  # the 2-D filter sums to one, as FLIP normalises it
        filters[channel] = [(w / total, taps) for w, taps in terms]
    return filters


@functools.lru_cache(maxsize=4)
def _feature_filters(ppd: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(taps along the derivative, taps across it) of the edge and point detectors: positive taps sum to one,
    negative to minus one, as FLIP normalises its 2-D filters (the Gaussian across is positive)."""
    sd = 0.5 * FEATURE_WIDTH_DEGREES * ppd
    r = _feature_radius(ppd)
    x = np.arange(-r, r + 1, dtype=np.float64)
    g = np.exp(-(x**2) / (2 * sd * sd))
    across = g / g.sum()
    out = {}
    for name, along in (("edge", -x * g), ("point", (x**2 / (sd * sd) - 1) * g)):
        positive, negative = along[along > 0].sum(), -along[along < 0].sum()
        out[name] = (np.where(along < 0, along / negative, along / positive), across)
    return out


def _separable(x: torch.Tensor, rows: np.ndarray, cols: np.ndarray) -> torch.Tensor:
    """(N, C, H, W) float32 -> the same shape: each plane filtered by ``cols`` along its rows and ``rows`` along
    its columns (cross-correlation), its border extended by its edge pixels. OpenCV's separable filter: with
    torch's depthwise convolutions instead (taps this long) the whole map took 0.93 s per megapixel pair on two
    AVX2 cores, with OpenCV 0.50 s; it releases the GIL too."""
    kx, ky = cols.astype(np.float32), rows.astype(np.float32)
    planes = x.detach().cpu().contiguous().numpy()
    out = np.empty_like(planes)
    for index in np.ndindex(*planes.shape[:2]):
        cv2.sepFilter2D(planes[index], -1, kx, ky, dst=out[index], borderType=cv2.BORDER_REPLICATE)
    return torch.from_numpy(out).to(x.device)


def _srgb_to_linear(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x > 0.04045, ((x.clamp(min=0.04045) + 0.055) / 1.055) ** 2.4, x / 12.92)


def _mix(matrix: np.ndarray, x: torch.Tensor) -> torch.Tensor:
    """Each pixel's three channels of (N, 3, H, W) ``x`` through a 3x3 ``matrix``."""
    return torch.einsum("ij,njhw->nihw", torch.as_tensor(matrix, dtype=x.dtype), x)


def _to_opponent(linear: torch.Tensor) -> torch.Tensor:
    """Linear RGB (N, 3, H, W) -> YCxCz without its constant offset (the filters preserve constants)."""
    x, y, z = _mix(_TO_WHITE_XYZ, linear).unbind(1)
    return torch.stack((116 * y, 500 * (x - y), 200 * (y - z)), 1)


def _opponent_to_linear(opponent: torch.Tensor) -> torch.Tensor:
    y116, cx, cz = opponent.unbind(1)
    y = y116 / 116
    return _mix(_FROM_WHITE_XYZ, torch.stack((y + cx / 500, y, y - cz / 200), 1))


def _hunt_lab(linear: torch.Tensor) -> torch.Tensor:
    """Linear RGB -> Hunt-adjusted L*a*b* (a and b scaled by L / 100)."""
    xyz = _mix(_TO_WHITE_XYZ, linear)
    delta = 6 / 29
    f = torch.where(xyz > delta**3, xyz.clamp(min=delta**3) ** (1 / 3), xyz / (3 * delta**2) + 4 / 29)
    fx, fy, fz = f.unbind(1)
    lightness = 116 * fy - 16
    return torch.stack((lightness, 0.01 * lightness * 500 * (fx - fy), 0.01 * lightness * 200 * (fy - fz)), 1)


def _hyab(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    d = a - b
    return d[:, 0].abs() + torch.sqrt(d[:, 1] ** 2 + d[:, 2] ** 2)


@functools.lru_cache(maxsize=1)
def _colour_max() -> float:
    """The HyAB distance of green and blue (Hunt-adjusted), raised to QC: the error that FLIP calls total."""
    green, blue = torch.tensor([0.0, 1.0, 0.0]).view(1, 3, 1, 1), torch.tensor([0.0, 0.0, 1.0]).view(1, 3, 1, 1)
    return float(_hyab(_hunt_lab(green.double()), _hunt_lab(blue.double())).item() ** QC)


def flip_error_map(
    test: torch.Tensor, reference: torch.Tensor, *, pixels_per_degree: float = DEFAULT_PIXELS_PER_DEGREE
) -> torch.Tensor:
    """LDR-FLIP map (N, H, W) in [0, 1] of ``test`` against ``reference``, both (N, 3, H, W) sRGB float32 in
    [0, 1] (clamped there). Image borders are extended by their edge pixels, as FLIP does."""
    if test.shape != reference.shape or test.dim() != 4 or test.shape[1] != 3:
        raise InvalidInputError(
            f"expected two (N, 3, H, W) images of one size, got {tuple(test.shape)} and {tuple(reference.shape)}"
        )
    ppd = float(pixels_per_degree)
    both = torch.cat((test, reference), 0).clamp(0, 1)
    n = test.shape[0]
    linear = _srgb_to_linear(both)
    opponent = _to_opponent(linear)
    # Colour: each opponent channel through its contrast sensitivity filter
    filtered = []
    for index, channel in enumerate(("A", "RG", "BY")):
        plane = opponent[:, index : index + 1]
        terms = [w * _separable(plane, taps, taps) for w, taps in _filters(ppd)[channel]]
        filtered.append(sum(terms[1:], start=terms[0]))
    lab = _hunt_lab(_opponent_to_linear(torch.cat(filtered, 1)).clamp(0, 1))
    colour = _hyab(lab[:n], lab[n:]) ** QC
    cmax = _colour_max()
    knee = PC * cmax
    colour = torch.where(colour < knee, (PT / knee) * colour, PT + (colour - knee) / (cmax - knee) * (1 - PT))
    # Features: edges and points of the luminance (Y of XYZ), in x and y
    luminance = opponent[:, :1] / 116
    strengths = []
    for name in ("edge", "point"):
        along, across = _feature_filters(ppd)[name]
        fx = _separable(luminance, across, along)
        fy = _separable(luminance, along, across)
        strengths.append(torch.sqrt(fx**2 + fy**2)[:, 0])
    edges, points = strengths
    feature = torch.maximum((edges[:n] - edges[n:]).abs(), (points[:n] - points[n:]).abs())
    feature = (feature.clamp(min=1e-15) / math.sqrt(2)) ** QF
    return colour ** (1 - feature)
