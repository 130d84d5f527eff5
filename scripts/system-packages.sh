#!/usr/bin/env bash
# Install the Debian packages dtolab needs, only those missing (so a second run is instant).
#   postgresql-15, postgresql-15-postgis-3  the embedded catalogue database (pgstac needs PostGIS)
#   ferret-datasets                        real ocean data for the demo catalogue (ETOPO5, WOA...)
#   chromium, fonts-liberation             the browser the UI tests drive (never downloaded)
#   r-base-core                            Rscript runs the r image's R files in the tests
#   r-cran-httr, r-cran-jsonlite           the R helpers' hub and STAC requests, JSON parsing
#   r-cran-ncdf4                           the R example reads the catalogue's NetCDF assets
#   nodejs, npm                            builds the JupyterLab extension (skipped if node exists)
set -euo pipefail

packages=(postgresql-15 postgresql-15-postgis-3 ferret-datasets chromium fonts-liberation
  r-base-core r-cran-httr r-cran-jsonlite r-cran-ncdf4)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "Missing Debian packages: ${missing[*]}. Run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts a system-wide cluster on install; dtolab runs its own private one instead.
if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | grep -q online; then
  $sudo pg_ctlcluster 15 main stop 2>/dev/null || true
fi
