"""The shipped ``.pre-commit-hooks.yaml`` run by the real ``pre-commit`` on a temporary git repository.

``pre-commit try-repo CHECKOUT pii-scanner-system`` reads the hook manifest from this checkout (its
working tree, uncommitted changes included) exactly as a user's ``.pre-commit-config.yaml`` would,
and runs the hook's ``pii-scanner check`` with the pii-scanner installed from the wheel on PATH.
The ``language: python`` hook would pip-install the package and torch into a hook virtualenv,
which needs a package index; its manifest entry is validated by ``pre-commit validate-manifest``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import outside_env

REPO = Path(__file__).resolve().parent.parent
EMAIL = "margaret.hamilton@example.com"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def project(tmp_path) -> Path:
    """A git repository with a clean file and one holding a contact email, both staged."""
    proj = tmp_path / "project"
    proj.mkdir()
    git(proj, "init", "-q")
    (proj / "app.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (proj / "contacts.md").write_text(f"# Team\n\nAsk Margaret at {EMAIL}.\n", encoding="utf-8")
    git(proj, "add", ".")
    return proj


def try_repo(project: Path, venv: Path, tmp_path: Path, *files: str) -> subprocess.CompletedProcess:
    env = outside_env(venv) | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    cmd = [*PRE_COMMIT, "try-repo", str(REPO), "pii-scanner-system", "--color", "never", "--verbose"]
    cmd += ["--files", *files] if files else ["--all-files"]
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=300)


def test_hook_manifest_is_valid_and_both_hooks_run_check():
    res = subprocess.run([*PRE_COMMIT, "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"pii-scanner", "pii-scanner-system"}
    assert {h["language"] for h in hooks.values()} == {"python", "system"}
    assert all(h["entry"] == "pii-scanner check" and h["require_serial"] for h in hooks.values())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_fails_on_a_staged_file_with_pii_and_passes_on_a_clean_one(project, wheel_venv, tmp_path):
    res = try_repo(project, wheel_venv, tmp_path)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out  # pre-commit's own code for a failed hook
    assert "contacts.md:3:" in out and "EMAIL (1.00, email)" in out and "Failed" in out
    assert "app.py:" not in out and EMAIL not in out

    res = try_repo(project, wheel_venv, tmp_path, "app.py")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Passed" in res.stdout
