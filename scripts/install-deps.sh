#!/usr/bin/env bash
# Installs what building and testing gridgis needs on a fresh Debian 12 machine, and nothing
# that is already there. Runs as root (apt-get) or with sudo.
#   scripts/install-deps.sh          build dependencies (cmake and SQLite for the bundled PROJ, and
#                                    MapLibre GL JS from npm, which the command-centre page builds in)
#   scripts/install-deps.sh --test   plus the test oracles (shapely/GEOS and pyproj from PyPI, GDAL's ogr2ogr)
#                                    and what the geocoding evaluation set is made with (OpenCC, pypinyin),
#                                    and mapbox-vector-tile to decode the tiles, and chromium with a CJK font
#                                    and playwright-core (npm) for the page's browser test
set -euo pipefail

need_apt=()
for pkg in cmake libsqlite3-dev sqlite3 pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [[ ${#need_apt[@]} -gt 0 ]]; then
  echo "install-deps: apt-get install ${need_apt[*]}" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

cd "$(dirname "$0")/.."
if [[ ! -f web/node_modules/maplibre-gl/dist/maplibre-gl.js ]]; then
  echo "install-deps: npm ci --prefix web (MapLibre GL JS, built into the binary for the command-centre page)" >&2
  npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
fi

if [[ "${1:-}" == "--test" ]]; then
  if ! command -v ogr2ogr >/dev/null; then
    echo "install-deps: apt-get install gdal-bin (to read what gridgis writes)" >&2
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gdal-bin >/dev/null
  fi
  if ! python3 -c 'import shapely, numpy, pyproj; assert shapely.__version__ >= "2"' 2>/dev/null; then
    echo "install-deps: pip install shapely numpy pyproj" >&2
    python3 -m pip install --quiet --disable-pip-version-check 'shapely>=2,<3' 'numpy<3' 'pyproj>=3,<4'
  fi
  if ! python3 -c 'import mapbox_vector_tile' 2>/dev/null; then
    echo "install-deps: pip install mapbox-vector-tile (a second decoder for the vector tiles)" >&2
    python3 -m pip install --quiet --disable-pip-version-check 'mapbox-vector-tile==2.2.0'
  fi
  if ! python3 -c 'import opencc, pypinyin' 2>/dev/null; then
    echo "install-deps: pip install opencc-python-reimplemented pypinyin (the geocoding evaluation set)" >&2
    python3 -m pip install --quiet --disable-pip-version-check 'opencc-python-reimplemented==0.1.7' 'pypinyin==0.55.0'
  fi
  need_apt=()
  [[ -x /usr/bin/chromium ]] || need_apt+=(chromium)
  # A CJK font, for the page's Chinese labels and text (the smallest: 1.6 MB).
  dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need_apt+=(fonts-wqy-microhei)
  if [[ ${#need_apt[@]} -gt 0 ]]; then
    echo "install-deps: apt-get install ${need_apt[*]} (the command-centre page's browser test)" >&2
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  fi
  if [[ ! -d tests/web/node_modules/playwright-core ]]; then
    echo "install-deps: npm ci --prefix tests/web (playwright-core, to drive chromium)" >&2
    npm ci --prefix tests/web --no-audit --no-fund --loglevel=error >/dev/null
  fi
fi
