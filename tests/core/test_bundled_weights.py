"""The weights we ship: each IRN beats a bicubic round trip at its scale on photos it never saw
(scikit-image's samples; the benchmark sets are not available on a fresh machine)."""

import numpy as np
import pytest
from skimage import data

from irn_core import IRNRescaler, load_irn
from irn_core.baselines import BicubicBaseline
from irn_core.io.checkpoints import bundled_weights_path
from irn_core.ops.metrics import psnr

PHOTOS = {
    "astronaut": lambda: data.astronaut()[:256, 128:384],
    "chelsea": lambda: data.chelsea()[:256, 100:356],
    "coffee": lambda: data.coffee()[100:356, 200:456],
}


@pytest.mark.parametrize("scale", [2, 4])
@pytest.mark.slow
def test_bundled_irn_beats_bicubic_on_sample_photos(scale):
    path = bundled_weights_path(scale)
    assert path is not None, f"resources/weights/irn_x{scale}.safetensors must be shipped"
    rescaler = IRNRescaler(load_irn(path), device="cpu")
    bicubic = BicubicBaseline(scale=scale)
    gains = {}
    for name, photo in PHOTOS.items():
        hr = photo().astype(np.float32) / 255
        _, restored = rescaler.roundtrip(hr, seed=0)
        _, interpolated = bicubic.roundtrip(hr)
        gains[name] = psnr(restored, hr, crop_border=scale, y_channel=True) - psnr(
            interpolated, hr, crop_border=scale, y_channel=True
        )
    assert min(gains.values()) > 0, gains
