"""The products of the demo catalogue: where each comes from, its licence and its time span."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import xarray as xr

from . import sources

PUBLIC_DOMAIN = "public domain (US Government work)"


@dataclass(frozen=True)
class Product:
    """One dataset of the catalogue; each of its variables becomes a STAC item."""

    id: str
    title: str
    description: str
    reader: Callable[[], xr.Dataset]
    kind: str  # "gridded" or "insitu"
    provenance: dict[str, str]
    licence: str
    #: start, end of the data (for climatologies: of the period they describe).
    interval: tuple[str, str] | None = None
    keywords: tuple[str, ...] = ()
    links: tuple[dict[str, str], ...] = field(default_factory=tuple)


def _ferret(file: str, original: str) -> dict[str, str]:
    return {
        "package": "ferret-datasets (Debian)",
        "file": f"/usr/share/ferret-vis/data/{file}",
        "original": original,
    }


def _xoa(file: str, original: str) -> dict[str, str]:
    return {
        "package": "xoa (PyPI, Apache-2.0)",
        "file": f"xoa/data_samples/{file}",
        "original": original,
    }


PRODUCTS: list[Product] = [
    Product(
        "woa94-monthly",
        "World Ocean Atlas 1994: monthly temperature climatology",
        "Monthly climatology of in-situ sea water temperature, 19 levels 0-1000 m, 2 degrees.",
        sources.woa_monthly_temperature,
        "gridded",
        _ferret("ocean_atlas_subset.nc", "NOAA NODC World Ocean Atlas 1994 (monthly)"),
        PUBLIC_DOMAIN,
        ("1994-01-01T00:00:00Z", "1994-12-31T23:59:59Z"),
        ("climatology", "temperature", "WOA"),
    ),
    Product(
        "levitus-annual",
        "Levitus: annual temperature and salinity climatology",
        "Annual climatology of sea water temperature and salinity, 20 levels 0-5000 m, 1 degree.",
        sources.levitus_annual,
        "gridded",
        _ferret(
            "levitus_climatology.cdf", "Levitus (1982) Climatological Atlas of the World Ocean"
        ),
        PUBLIC_DOMAIN,
        ("1982-01-01T00:00:00Z", "1982-12-31T23:59:59Z"),
        ("climatology", "temperature", "salinity", "Levitus"),
    ),
    Product(
        "coads-monthly",
        "COADS: monthly surface marine climatology",
        "Monthly climatology 1946-1989 of sea surface temperature, air temperature, winds and "
        "sea level pressure from ship observations, 2 degrees.",
        sources.coads_monthly,
        "gridded",
        _ferret("coads_climatology.cdf", "Comprehensive Ocean-Atmosphere Data Set (COADS)"),
        PUBLIC_DOMAIN,
        ("1946-01-01T00:00:00Z", "1989-12-31T23:59:59Z"),
        ("climatology", "temperature", "wind", "pressure", "COADS"),
    ),
    Product(
        "fnoc-winds",
        "US Navy FNOC monthly surface winds 1982-1992",
        "Monthly mean eastward and northward surface winds, 2.5 degrees, January 1982 to "
        "December 1992.",
        sources.fnoc_monthly_winds,
        "gridded",
        _ferret("monthly_navy_winds.cdf", "US Navy Fleet Numerical Oceanography Center (FNOC)"),
        PUBLIC_DOMAIN,
        None,
        ("wind", "FNOC"),
    ),
    Product(
        "hycom-biscay",
        "HYCOM currents around drifter 6203641",
        "HYCOM model eastward and northward currents and layer thickness, 6 hybrid layers, "
        "every 12 h from 2021-03-01, a 13 x 11 point box in the Bay of Biscay.",
        sources.hycom_currents,
        "gridded",
        _xoa("hycom.gdp.{u,v,h}.nc", "HYCOM consortium global model output"),
        "other (HYCOM output, freely available)",
        None,
        ("currents", "model", "HYCOM"),
    ),
    Product(
        "argo-7900573",
        "Argo float 7900573 profiles",
        "Temperature, salinity and pressure profiles of Argo float 7900573, Bay of Biscay, "
        "November 2021 to February 2022.",
        sources.argo_profiles,
        "insitu",
        _xoa("argo-7900573.nc", "Argo GDAC (doi:10.17882/42182)"),
        "CC-BY-4.0 (Argo data)",
        None,
        ("in-situ", "profile", "Argo"),
    ),
    Product(
        "gdp-6203641",
        "Drifter 6203641 track (Global Drifter Program)",
        "Surface drifter track with sea surface temperature and sea level pressure, "
        "2021-03-03 to 2021-03-24, Bay of Biscay.",
        sources.drifter_track,
        "insitu",
        _xoa("gdp-6203641.csv", "NOAA Global Drifter Program"),
        PUBLIC_DOMAIN,
        None,
        ("in-situ", "trajectory", "drifter"),
    ),
    Product(
        "neracoos-b01-sst",
        "NERACOOS buoy B01 sea surface temperature",
        "Sea surface temperature every 30 minutes at buoy B01 (Gulf of Maine), 2016-02-15 to "
        "2017-03-22.",
        sources.buoy_b01_sst,
        "insitu",
        {
            "package": "bokeh_sampledata (PyPI)",
            "file": "_data/sea_surface_temperature.csv.gz",
            "original": "NERACOOS buoy B01",
        },
        "other (NERACOOS: free to use and redistribute)",
        None,
        ("in-situ", "buoy", "time series"),
    ),
]
