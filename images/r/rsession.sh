#!/bin/bash
# rsession wrapper: gives RStudio's R sessions the lab's dtolab and JupyterHub variables.
#
# jupyter-rsession-proxy starts rserver with the notebook server's whole environment, but rserver
# starts each R session with a fresh one (PATH, LANG, USER, LOGNAME, HOME, SHELL and its own
# RS_*/RSTUDIO_* variables: rstudio's launchChildProcess), so $DTOLAB_ENDPOINTS and the hub's
# variables never reach R. rserver runs this script instead of rsession (rserver.conf:
# rsession-path); it copies the variables named below from the environment of the nearest ancestor
# (rserver) that has them, then becomes the real rsession. Nothing is written to disk.
# No `set -e`: whatever goes wrong while copying, R must still start.
set -u

# What R needs to reach the platform's endpoints and to ask the hub for the user's token, and
# the proxy settings of clusters that reach the internet through one.
FORWARDED=(
  DTOLAB_ENDPOINTS
  JUPYTERHUB_API_URL JUPYTERHUB_API_TOKEN JUPYTERHUB_USER JUPYTERHUB_SERVICE_PREFIX
  HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy
)
# DTOLAB_RSESSION names another rsession: the tests, where no RStudio is installed, set it.
RSESSION="${DTOLAB_RSESSION:-/usr/lib/rstudio-server/bin/rsession}"

forwarded() {
  local name
  for name in "${FORWARDED[@]}"; do
    [[ "$1" == "$name="* ]] && return 0
  done
  return 1
}

# Walk up from the parent: a launcher between rserver and this script must not hide it.
pid=$PPID
for _ in 1 2 3 4 5; do
  [[ "$pid" -gt 1 && -r "/proc/$pid/environ" ]] || break
  found=0
  while IFS= read -r -d '' entry; do
    forwarded "$entry" || continue
    found=1
    # A variable the session was given already (by rserver) wins.
    [[ -v "${entry%%=*}" ]] || export "${entry?}"
  done <"/proc/$pid/environ"
  [[ "$found" == 1 ]] && break
  pid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || break
done

exec "$RSESSION" "$@"
