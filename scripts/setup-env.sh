#!/usr/bin/env bash
# Create (or reuse) .venv beside the project and install swtlb with the extras named in $1.
# Everything comes from PyPI; nothing else is downloaded.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${1:-course,test}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "swtlb needs Python 3.11 or newer (found: $("$python" --version 2>&1))" >&2
    exit 1
fi
if [ ! -x "$here/.venv/bin/python" ]; then
    "$python" -m venv "$here/.venv"
fi
stamp="$here/.venv/.installed-$extras"
if [ ! -f "$stamp" ] || [ "$here/pyproject.toml" -nt "$stamp" ]; then
    "$here/.venv/bin/python" -m pip install --quiet --upgrade pip
    # editable_mode=compat: a plain path in a .pth file. The default mode installs an import
    # finder that every Python process then loads (pathlib and more): 16 ms per process, paid
    # by each test of the kernel's scripts run through swtlb-herd7.
    "$here/.venv/bin/python" -m pip install --quiet -e "$here[$extras]" \
        --config-settings editable_mode=compat
    touch "$stamp"
fi
