#!/usr/bin/env bash
# Build the course as a static website into build/site (open build/site/index.html, or serve it:
#   python3 -m http.server --directory build/site 8000). Installs swtlb[site] (Sphinx, myst-nb,
# furo; PyPI only) into .venv first. Nothing is executed: the pages show the notebooks' committed
# outputs. Extra arguments go to site/build.py: --fresh starts over, --out DIR builds elsewhere.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup-env.sh" site
cd "$here"
exec .venv/bin/python site/build.py "$@"
