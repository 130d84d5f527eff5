"""Checks that an image, or an environment installed from an image's lock file, has what a lab
user needs: the imports, dtolab's JupyterLab and server extensions, a small xarray + Dask
computation, and what each image adds (CuPy for gpu, RStudio's proxy and R for r).

Run by each Dockerfile as its last step and by CI on a built image (the image's name in
$DTOLAB_IMAGE), and by tests/images in a fresh virtual environment:

    python images/test_image.py --image base|gpu|r [--require-gpu]

Inside an image ($DTOLAB_IMAGE set) it also checks the user (jovyan, uid 1000), a writable HOME,
tini and, for r, RStudio Server, the R kernel and images/r/test.R (which checks the image's R).
Exits 1, naming every failed check.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

IMAGES = ("base", "gpu", "r")
# The hub's version (pyproject.toml's hub extra): jupyterhub-singleuser speaks the hub's API.
HUB_VERSION = "6.1.1"
HERE = Path(__file__).resolve().parent
MODULES = (
    "dtolab",
    "dtolab.extension",
    "dtolab.science.drift",
    # What Dask workers unpickle for the what-if processes (no pygeoapi in the images).
    "dtolab.processes.tasks",
    "dtolab_widgets",
    "numpy",
    "scipy",
    "pandas",
    "xarray",
    "zarr",
    "dask.array",
    "distributed",
    "dask_gateway",
    "dask_labextension",
    "jupyterlab",
    "jupyter_server",
    "jupyter_server_proxy",
    "jupyterhub.singleuser",
    "ipykernel",
    "ipywidgets",
    "netCDF4",
    "h5netcdf",
    "h5py",
    "numba",
    "datashader",
    "cmocean",
    "matplotlib.pyplot",
    "cartopy.crs",
    "cf_xarray",
    "hvplot.xarray",
    "s3fs",
    "pystac",
    "pystac_client",
    "gsw",
    "flox",
)


class Failed(Exception):
    """A check found something wrong; the message says what."""


class Options(argparse.Namespace):
    image: str
    require_gpu: bool
    inside: bool


Check = Callable[[Options], str]


def expect(condition: object, message: str) -> None:
    if not condition:
        raise Failed(message)


def check_python(options: Options) -> str:
    expect(sys.version_info[:2] == (3, 11), f"Python {sys.version.split()[0]}, the locks are 3.11")
    return sys.version.split()[0]


def check_imports(options: Options) -> str:
    broken = []
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError as err:
            broken.append(f"{name} ({type(err).__name__}: {err})")
    expect(not broken, "cannot import " + "; ".join(broken))
    return f"{len(MODULES)} modules"


def check_hub_version(options: Options) -> str:
    from importlib.metadata import version

    found = version("jupyterhub")
    expect(found == HUB_VERSION, f"jupyterhub {found}, the hub runs {HUB_VERSION}")
    singleuser = Path(sys.executable).with_name("jupyterhub-singleuser")
    expect(singleuser.is_file(), f"{singleuser} (the image's CMD) is missing")
    return f"jupyterhub {found}, {singleuser}"


def check_labextension(options: Options) -> str:
    from jupyterlab.commands import AppOptions, get_app_info
    from jupyterlab.labapp import LabApp

    # Where the lab itself looks for prebuilt extensions (as `jupyter labextension list` does).
    lab = LabApp()
    lab.load_config_file()
    paths = lab.labextensions_path + lab.extra_labextensions_path
    info = get_app_info(AppOptions(labextensions_path=paths))
    extension = info["federated_extensions"].get("dtolab")
    expect(extension, "the dtolab JupyterLab extension is not installed")
    disabled = [name for name, off in info["disabled"].items() if off and name.startswith("dtolab")]
    expect(not disabled, f"dtolab JupyterLab plugins disabled: {disabled}")
    installer = extension.get("install", {}).get("packageName")
    expect(installer == "dtolab", f"the extension is not the dtolab package's ({installer})")
    return f"dtolab {extension['version']} in {extension['ext_path']}"


def check_server_extensions(options: Options) -> str:
    from jupyter_core.paths import jupyter_config_path
    from jupyter_server.extension.config import ExtensionConfigManager
    from jupyter_server.extension.manager import ExtensionPackage

    enabled = ExtensionConfigManager(read_config_path=jupyter_config_path())
    names = ("dtolab", "jupyter_server_proxy", "dask_labextension")
    for name in names:
        expect(enabled.enabled(name), f"server extension {name} is not enabled")
        expect(ExtensionPackage(name=name, enabled=True).validate(), f"{name} does not validate")
    return ", ".join(names) + " enabled"


def check_computation(options: Options) -> str:
    import dask.array as da
    import distributed
    import numpy as np
    import xarray as xr

    values = np.arange(4 * 6 * 8, dtype="float64").reshape(4, 6, 8)
    ds = xr.Dataset(
        {"sst": (("time", "lat", "lon"), da.from_array(values, chunks=(1, 3, 4)))},
        coords={"lat": np.linspace(-5, 5, 6), "lon": np.linspace(0, 14, 8)},
    )
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ):
        mean = ds.sst.mean("time").compute()
    expect(np.allclose(mean.values, values.mean(axis=0)), "Dask computed a wrong mean")
    # The stores users read: Zarr, and NetCDF through both libraries (binary wheels of HDF5).
    with tempfile.TemporaryDirectory() as tmp:
        ds.to_zarr(Path(tmp, "sst.zarr"), consolidated=False)
        ds.compute().to_netcdf(Path(tmp, "sst.nc"), engine="netcdf4")
        for back in (
            xr.open_zarr(Path(tmp, "sst.zarr"), consolidated=False),
            xr.open_dataset(Path(tmp, "sst.nc"), engine="h5netcdf"),
        ):
            expect(np.array_equal(back.sst.values, values), "a Zarr or NetCDF round trip differs")
    return "mean over time on a LocalCluster, Zarr and NetCDF round trips"


def check_cupy(options: Options) -> str:
    import numpy as np

    try:
        import cupy
    except ImportError as err:
        raise Failed(f"cannot import cupy ({err})") from err
    try:
        devices = cupy.cuda.runtime.getDeviceCount()
    except RuntimeError as err:  # no driver or no device: CuPy imports but cannot compute
        devices, why = 0, str(err)
    else:
        why = "no device visible"
    if devices == 0:
        expect(not options.require_gpu, f"no usable CUDA device ({why})")
        return f"CuPy {cupy.__version__} imports; no usable CUDA device, nothing computed ({why})"
    a = np.arange(12.0).reshape(3, 4)
    on_gpu = cupy.asarray(a)
    expect(np.allclose((on_gpu @ on_gpu.T).get(), a @ a.T), "CuPy's matrix product is wrong")
    lon_gpu, lon_cpu = drift_on(cupy), drift_on(np)
    expect(np.max(np.abs(lon_gpu - lon_cpu)) < 1e-9, "the drift on CuPy differs from NumPy")
    return f"CuPy {cupy.__version__} on {devices} device(s); the drift kernel agrees with NumPy"


def drift_on(xp: object) -> object:
    """End longitudes of dtolab's drift kernel in a uniform eastward current of 1 m/s."""
    import numpy as np

    from dtolab.science import drift

    lat, lon = np.arange(-10, 10.01, 0.25), np.arange(0, 10.01, 0.25)
    time = np.arange(0, 3 * 86400 + 1, 6 * 3600.0)
    shape = (time.size, lat.size, lon.size)
    forcing = drift.Forcing(time, lat, lon, np.ones(shape), np.zeros(shape))
    forcing = drift.Forcing(*(xp.asarray(a) for a in vars(forcing).values()))
    x, y = np.linspace(1, 2, 100), np.linspace(-3, 3, 100)
    out = drift.advect(forcing, x, y, start=0, steps=24, dt=3600, diffusivity=1.0, xp=xp)
    lon_end = out["lon"]
    return lon_end.get() if hasattr(lon_end, "get") else lon_end


def check_rsession_proxy(options: Options) -> str:
    from jupyter_server_proxy.config import get_entrypoint_server_processes

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        processes = {process.name: process for process in get_entrypoint_server_processes()}
    expect("rstudio" in processes, f"RStudio is not a jupyter-server-proxy entry point {caught}")
    title = processes["rstudio"].launcher_entry.title
    expect(title == "RStudio", f"the launcher shows {title!r}")
    if options.inside:
        from jupyter_rsession_proxy import get_rstudio_executable

        try:
            return f"launcher entry RStudio, {get_rstudio_executable('rserver')}"
        except FileNotFoundError as err:
            raise Failed(f"RStudio Server is not installed: {err}") from err
    return "launcher entry RStudio"


def check_r(options: Options) -> str:
    script = HERE / "r" / "test.R"
    if not options.inside:
        # test.R checks the image's own R: rstac, IRkernel, RStudio Server's configuration.
        return "skipped outside the image (tests/images/test_r.py runs the R files here)"
    from jupyter_client.kernelspec import KernelSpecManager

    rscript = shutil.which("Rscript")
    expect(rscript, "R (Rscript) is not on PATH")
    expect("ir" in KernelSpecManager().find_kernel_specs(), "the R kernel (IRkernel) is missing")
    expect(script.is_file(), f"{script} is missing")
    done = subprocess.run([rscript, str(script)], capture_output=True, text=True, timeout=600)
    output = (done.stdout + done.stderr).strip()
    expect(done.returncode == 0, f"{script.name} failed ({done.returncode}):\n{output}")
    return f"R kernel registered, {script.name} passed"


def check_user(options: Options) -> str:
    import pwd

    user = pwd.getpwuid(os.getuid()).pw_name
    expect((os.getuid(), os.getgid(), user) == (1000, 100, "jovyan"), f"runs as {user}")
    home = Path.home()
    expect(str(home) == "/home/jovyan", f"HOME is {home}")
    with tempfile.NamedTemporaryFile(dir=home):
        pass
    expect(shutil.which("tini"), "tini (the ENTRYPOINT) is not on PATH")
    return "jovyan (1000:100), HOME writable, tini present"


def checks(options: Options) -> list[tuple[str, Check]]:
    chosen: list[tuple[str, Check]] = [
        ("python", check_python),
        ("imports", check_imports),
        ("jupyterhub", check_hub_version),
        ("labextension", check_labextension),
        ("server extensions", check_server_extensions),
        ("xarray + dask", check_computation),
    ]
    if options.image == "gpu":
        chosen.append(("cupy", check_cupy))
    if options.image == "r":
        chosen += [("rstudio proxy", check_rsession_proxy), ("R", check_r)]
    if options.inside:
        chosen.append(("user", check_user))
    return chosen


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--image",
        choices=IMAGES,
        default=os.environ.get("DTOLAB_IMAGE"),
        help="the image to check (default: $DTOLAB_IMAGE, which each image sets)",
    )
    parser.add_argument(
        "--require-gpu",
        action="store_true",
        help="gpu: fail when no CUDA device is visible (CI on a GPU node)",
    )
    options = parser.parse_args(argv, namespace=Options())
    if options.image is None:
        parser.error("no image: pass --image or set DTOLAB_IMAGE")
    options.inside = "DTOLAB_IMAGE" in os.environ
    return options


def main(argv: list[str]) -> int:
    options = parse(argv)
    where = "inside the image" if options.inside else "in this environment"
    print(f"checking the {options.image} image {where} ({sys.prefix})", flush=True)
    failures = []
    for title, check in checks(options):
        start = time.monotonic()
        try:
            outcome, detail = "ok   ", check(options)
        except Failed as err:
            outcome, detail = "FAIL ", str(err)
            failures.append(title)
        print(f"{outcome} {title}: {detail} ({time.monotonic() - start:.1f} s)", flush=True)
    if failures:
        print(f"{len(failures)} check(s) failed: {', '.join(failures)}", flush=True)
        return 1
    print("all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
