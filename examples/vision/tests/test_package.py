"""The package imports, reports its version and exposes its CLI."""

from __future__ import annotations

import re

import pytest

from my_ml_project import __version__
from my_ml_project.cli import build_parser, main, summary


def test_version_is_pep440() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_cli_requires_a_command() -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([])
    assert exit_info.value.code == 2


def test_cli_help_shows_the_description_from_the_metadata(
    capsys: pytest.CaptureFixture[str],
) -> None:
    description = summary()
    assert description, "the package is installed, so its metadata has a Summary"
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    # argparse re-wraps the text, breaking lines at spaces and after hyphens.
    shown = "".join(capsys.readouterr().out.split())
    assert "".join(description.split()) in shown
    assert "COMMAND" in shown
