#!/usr/bin/env bash
# Install what the course needs into .venv, then serve the classroom dashboard with Voila
# (widgets only, no code) and open it in the browser. Extra arguments go to voila, e.g.
#   bash scripts/open-dashboard.sh --no-browser --port 8866 --Voila.ip=0.0.0.0
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup-env.sh" course
exec "$here/.venv/bin/swtlb" dashboard "$@"
