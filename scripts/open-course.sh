#!/usr/bin/env bash
# Install what the course needs into .venv, copy the notebooks into your own workspace
# ($SWTLB_WORKSPACE, default ~/swtlb-course; see 'swtlb start'), then open it in JupyterLab.
# Your edits stay in the workspace and are never overwritten; the repository's copies are left
# as they are. Extra arguments go to JupyterLab, e.g. bash scripts/open-course.sh --port 8890
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup-env.sh" course
workspace="${SWTLB_WORKSPACE:-$HOME/swtlb-course}"
exec "$here/.venv/bin/python" -m swtlb.workspace --open "$workspace" -- "$@"
