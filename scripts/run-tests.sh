#!/usr/bin/env bash
# Install what the tests need into .venv, then run lint, the unit and conformance tests and
# every notebook (through nbval). Extra arguments go to pytest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup-env.sh" course,test
cd "$here"
export MPLBACKEND=Agg
.venv/bin/ruff check swtlb tests benchmarks scripts fuzz
.venv/bin/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider "$@"
