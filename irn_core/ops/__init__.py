"""Image operations without a network: MATLAB resize, metrics, the tile engine, storage codecs."""
