"""Builds the demo catalogue: real data installed from packages -> ARCO Zarr + STAC documents."""
