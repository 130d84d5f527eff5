"""The dtolab Jupyter server extension: REST handlers under ``/dtolab/api``."""
