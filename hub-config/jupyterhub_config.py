# dtolab's JupyterHub configuration.
#
# The settings live in config.d/*.py, loaded in name order (as Zero-to-JupyterHub does): each
# file holds one concern and reads its values from the environment, so that the same files
# serve the embedded hub (`dtolab hub` sets the variables) and a production hub (a Kubernetes
# Secret or the service's environment). hub-config/README.md lists every variable. To change a
# setting without editing these files, add your own file to config.d (e.g. 90-site.py) or set
# $DTOLAB_HUB_EXTRA_CONFIG to a file loaded last.
import os
from pathlib import Path

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

_here = Path(__file__).resolve().parent
_files = sorted((_here / "config.d").glob("*.py"))
if os.environ.get("DTOLAB_HUB_EXTRA_CONFIG"):
    _files.append(Path(os.environ["DTOLAB_HUB_EXTRA_CONFIG"]))
for _path in _files:
    load_subconfig(str(_path))  # noqa: F821 (traitlets' loader provides it)
