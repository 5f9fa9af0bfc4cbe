"""Analyses built on the rescaler and baselines: the comparison pipeline, latent studies, the paper's
tables and speed figures, and comparison figures. Every result carries its provenance."""
