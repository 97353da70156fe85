#!/usr/bin/env bash
# Install what the course needs into .venv, then serve the classroom dashboard with Voila
# (widgets only, no code) and open it in the browser. Once Voila listens it prints the address
# to open, and warns if the port asked for was taken and Voila moved to another one.
#   bash scripts/open-dashboard.sh                  this machine only, opens the browser
#   bash scripts/open-dashboard.sh --room           serve the room's network on port 8866 and
#                                                   print the URL to give students
#   bash scripts/open-dashboard.sh --room --port 9000
# Other arguments go to Voila (see scripts/serve-dashboard.py).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup-env.sh" course
exec "$here/.venv/bin/python" "$here/scripts/serve-dashboard.py" "$@"
