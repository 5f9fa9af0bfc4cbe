"""The built-in sample gallery: images that scikit-image ships, so it works offline."""

from __future__ import annotations

from pathlib import Path

SAMPLES = {
    "astronaut": "astronaut.png",
    "chelsea (cat)": "chelsea.png",
    "coffee": "coffee.png",
    "rocket": "rocket.jpg",
    "retina (1411²)": "retina.jpg",
    "camera (grayscale)": "camera.png",
}


def sample_dir() -> Path:
    import skimage.data

    return Path(skimage.data.__file__).parent


def sample_path(name: str) -> Path:
    """Path of a sample by its gallery name or short name (e.g. "astronaut")."""
    for label, filename in SAMPLES.items():
        if name in (label, label.split(" ")[0], Path(filename).stem):
            return sample_dir() / filename
    raise ValueError(f"unknown sample {name!r}; choose from {', '.join(s.split(' ')[0] for s in SAMPLES)}")
