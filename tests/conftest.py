"""Shared fixtures: render the template in-process from the working tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from copier import run_copy

ROOT = Path(__file__).resolve().parents[1]
# A real production Sigstore bundle and trust config, kept beside the checkout (never copied in).
SIGSTORE_FIXTURES_ENV = "MLGP_SIGSTORE_FIXTURES"
SIGSTORE_FIXTURES_DEFAULT = ROOT.parent / "shared" / "fixtures" / "sigstore"
SIGSTORE_FIXTURE_FILES = (
    "bundle_v3_github.whl",
    "bundle_v3_github.whl.sigstore",
    "trust-config.production.json",
)

Answers = Mapping[str, Any]
Render = Callable[..., Path]


def render_project(dst: Path, answers: Answers | None = None) -> Path:
    """Render the template's working tree (uncommitted changes included) into `dst`."""
    run_copy(
        str(ROOT),
        dst,
        data=dict(answers or {}),
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
        unsafe=False,
    )
    return dst


def clean_env() -> dict[str, str]:
    """The caller's environment minus anything that would point uv/nox at our own venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NOX_", "UV_PROJECT", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    # The test environment's own tools (uv, pre-commit) come first on PATH.
    tools = Path(sys.executable).parent
    assert (tools / "uv").exists(), "the test environment must have uv installed"
    env["PATH"] = os.pathsep.join([str(tools), env.get("PATH", "")])
    return env


def git_commit_all(project: Path) -> None:
    env = clean_env()
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=Newcomer", "-c", "user.email=new@example.com",
         "commit", "-q", "-m", "Render from ml-golden-path"],
    ):  # fmt: skip
        subprocess.run(command, cwd=project, check=True, env=env)


@pytest.fixture(scope="session")
def render(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """Render once per distinct set of answers and share the result (treat it as read-only)."""
    cache: dict[str, Path] = {}

    def _render(**answers: Any) -> Path:
        key = json.dumps(answers, sort_keys=True)
        if key not in cache:
            cache[key] = render_project(tmp_path_factory.mktemp("render"), answers)
        return cache[key]

    return _render


@pytest.fixture(scope="session")
def sigstore_fixtures() -> Path:
    """The real Sigstore fixture directory; skips (one line, naming the variable) when absent.

    `.ci/run` refuses to start without it, so CI never skips these tests.
    """
    configured = os.environ.get(SIGSTORE_FIXTURES_ENV)
    path = Path(configured) if configured else SIGSTORE_FIXTURES_DEFAULT
    if not all((path / name).is_file() for name in SIGSTORE_FIXTURE_FILES):
        pytest.skip(
            f"no Sigstore fixtures at {path}: set {SIGSTORE_FIXTURES_ENV} to the fixtures/sigstore "
            "directory"
        )
    return path
