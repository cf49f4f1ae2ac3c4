"""The command line: the `my-ml-project` script
(also `python -m my_ml_project`).

Each feature module contributes its sub-commands through a `register(subparsers)`
function, so this file only wires them together.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from my_ml_project import __version__, readiness
from my_ml_project.evaluation import command as evaluation
from my_ml_project.supply_chain import registry, sbom, signing

DISTRIBUTION = "my-ml-project"
# Feature modules, each with `register(subparsers)`; keep this tuple sorted.
COMMAND_MODULES: tuple[ModuleType, ...] = (evaluation, readiness, registry, sbom, signing)


def summary() -> str | None:
    """The one-line description in pyproject.toml, or None outside an installed package."""
    from importlib import metadata  # ~40 ms: paid by --help only, not by every command

    try:
        return metadata.metadata(DISTRIBUTION)["Summary"]
    except metadata.PackageNotFoundError:
        return None


class Help(argparse.Action):
    """`-h`/`--help` with the project's description, read when help is asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        parser.description = summary()
        parser.print_help()
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=DISTRIBUTION, add_help=False)
    parser.add_argument("-h", "--help", action=Help, nargs=0, help="show this help and exit")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = args.handler
    result: int = handler(args)
    return result
