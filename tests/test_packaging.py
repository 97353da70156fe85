"""environment.yml and pyproject.toml pin the same packages, and the README keeps its promises."""

import re
import tomllib

from conftest import ROOT


def _pins(lines):
    pins = {}
    for line in lines:
        m = re.match(r"\s*-?\s*([A-Za-z0-9_.-]+)\s*(>=\s*[0-9.]+)", line)
        if m:
            pins[m.group(1).lower()] = m.group(2).replace(" ", "")
    return pins


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project["optional-dependencies"].values()
                                      for d in extra]
    ours = _pins(deps)
    conda = _pins((ROOT / "environment.yml").read_text().splitlines())
    conda.pop("python")
    assert conda == ours


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Quick start.*?```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    test_command = next(c for c in commands if "test" in c)
    assert test_command.split("#")[0].strip() in (ROOT / ".ci" / "run").read_text()
