"""Command-line entry point: `my-ml-project <command>` (or `python -m my_ml_project`).

Each feature module contributes its sub-commands through a `register(subparsers)`
function, so this file only wires them together.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from types import ModuleType

from my_ml_project import __version__, readiness
from my_ml_project.evaluation import command as evaluation
from my_ml_project.supply_chain import registry, sbom, signing

# Feature modules, each with `register(subparsers)`; keep this tuple sorted.
COMMAND_MODULES: tuple[ModuleType, ...] = (evaluation, readiness, registry, sbom, signing)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="my-ml-project",
        description="An ML service built on the organisation's golden path.",
    )
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
