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
    "$here/.venv/bin/python" -m pip install --quiet -e "$here[$extras]"
    touch "$stamp"
fi
