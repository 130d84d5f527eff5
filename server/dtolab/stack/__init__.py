"""The embedded stack: PostgreSQL + pgstac, a STAC API, pygeoapi and JupyterLab on loopback."""
