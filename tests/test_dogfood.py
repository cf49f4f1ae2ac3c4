"""The template uses the configs it ships: ruff, mypy and pre-commit settings stay identical."""

from __future__ import annotations

import tomllib
from typing import Any

from tests.conftest import ROOT, Render


def load_toml(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


def test_ruff_settings_are_the_shipped_ones(render: Render) -> None:
    ours = load_toml((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    shipped = load_toml((render() / "pyproject.toml").read_text())["tool"]["ruff"]
    assert ours == shipped


def test_mypy_strictness_is_the_shipped_one(render: Render) -> None:
    ours = load_toml((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    shipped = load_toml((render() / "pyproject.toml").read_text())["tool"]["mypy"]
    # Only what is checked differs: which files, per-library overrides for untyped imports,
    # and the project's cache outside its checkout.
    for settings in (ours, shipped):
        settings.pop("files")
        settings.pop("overrides", None)
        settings.pop("cache_dir", None)
    assert ours == shipped


def test_pre_commit_config_is_the_shipped_one(render: Render) -> None:
    shipped = (render(ci_provider="none") / ".pre-commit-config.yaml").read_text()
    assert (ROOT / ".pre-commit-config.yaml").read_text() == shipped
