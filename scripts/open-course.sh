#!/usr/bin/env bash
# Install what the course needs into .venv, then open it in JupyterLab.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup-env.sh" course
exec "$here/.venv/bin/swtlb" course "$@"
