"""Latent sampling: many z draws of one LR, their mean and per-pixel spread (``irn sample``)."""
from __future__ import annotations


def add_sample_parser(sub) -> None:
    """Placeholder until the sampling command lands."""
