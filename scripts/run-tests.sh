#!/usr/bin/env bash
# Install what the tests need into .venv, then run lint, the unit and conformance tests, every
# notebook (through nbval) and the browser tests of the course and of its website (which the
# site extra lets tests/test_site.py build). The run ends with one line saying what was skipped
# and how to get it (tests/conftest.py). Extra arguments go to pytest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup-env.sh" course,test,site
cd "$here"
export MPLBACKEND=Agg
.venv/bin/ruff check swtlb tests benchmarks scripts fuzz site
.venv/bin/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider "$@"
