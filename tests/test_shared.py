"""swtlb.shared finds the reference folder from anywhere, and says clearly what it skips."""

from __future__ import annotations

import pytest

from swtlb import shared


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(shared.ENV, raising=False)


def _fake_shared(root):
    (root / "shared" / "litmus").mkdir(parents=True)
    (root / "shared" / "course" / "litmus").mkdir(parents=True)
    (root / "shared" / "course" / "litmus" / "t.litmus").write_text("C t\n")
    return (root / "shared").resolve()


def test_environment_variable_comes_first(tmp_path, monkeypatch):
    monkeypatch.setenv(shared.ENV, str(tmp_path))
    assert shared.find_shared() == tmp_path.resolve()  # trusted even without litmus/


def test_a_wrong_environment_variable_is_reported_not_silently_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv(shared.ENV, str(tmp_path / "nowhere"))
    assert shared.find_shared() is None
    message = shared.skip_message("the herd7 comparison", "course", "litmus")
    assert message.startswith("skipped the herd7 comparison")
    assert f"{shared.ENV}={tmp_path / 'nowhere'} is not a folder" in message


def test_found_from_a_copied_notebook_folder(tmp_path, monkeypatch, no_env):
    # the package's own parents hold no shared/ (a wheel install, say): only cwd can find it
    monkeypatch.setattr(shared, "__file__", str(tmp_path / "site" / "swtlb" / "shared.py"))
    expected = _fake_shared(tmp_path / "course-copy")
    deep = tmp_path / "course-copy" / "work" / "notebooks"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert shared.find_shared() == expected
    assert shared.shared_path("course", "litmus", "t.litmus") == expected / "course/litmus/t.litmus"
    assert shared.shared_path("course", "litmus", "missing.litmus") is None
    assert "nothing is skipped" in shared.skip_message("x", "course", "litmus")
    assert f"{expected} has no course/litmus/missing.litmus" in shared.skip_message(
        "x", "course", "litmus", "missing.litmus")


def test_found_beside_the_package_whatever_the_working_directory(tmp_path, monkeypatch, no_env):
    expected = _fake_shared(tmp_path)
    monkeypatch.setattr(shared, "__file__", str(tmp_path / "main" / "swtlb" / "shared.py"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert shared.find_shared(cwd=elsewhere) == expected


def test_a_folder_called_shared_without_litmus_is_not_it(tmp_path, monkeypatch, no_env):
    (tmp_path / "shared").mkdir()
    monkeypatch.setattr(shared, "__file__", str(tmp_path / "pkg" / "swtlb" / "shared.py"))
    monkeypatch.chdir(tmp_path)
    assert shared.find_shared() is None
    message = shared.skip_message("the comparison with herd7")
    assert message.startswith("skipped the comparison with herd7: it needs the shared/ "
                              "reference folder")
    assert f"{shared.ENV} is not set" in message and str(tmp_path.resolve()) in message


def test_this_checkout_finds_the_real_folder(no_env):
    found = shared.find_shared()
    if found is None:
        pytest.skip(shared.skip_message("this check"))
    assert (found / "litmus").is_dir()
