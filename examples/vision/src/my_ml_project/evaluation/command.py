"""`predict` and `evals` sub-commands: write the predictions, then gate on them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The metric kits import numpy (~0.2 s): only `predict` and `evals` pay for it, not every
# command the CLI has.


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    predict = subparsers.add_parser(
        "predict",
        help="run the model on the golden sets and write the predictions the gate reads",
    )
    predict.add_argument("--root", type=Path, default=Path(), help="project root (default: .)")
    predict.set_defaults(handler=_predict)
    evals = subparsers.add_parser(
        "evals", help="eval gate: metrics with bootstrap CIs against floors and the baseline"
    )
    evals.add_argument("--root", type=Path, default=Path(), help="project root (default: .)")
    evals.add_argument(
        "--update-baseline",
        action="store_true",
        help="rewrite evals/baseline.json from this run (deliberate; commit it with the reason)",
    )
    evals.set_defaults(handler=_evals)


def _predict(args: argparse.Namespace) -> int:
    from .core import EvalError
    from .gate import load_config
    from .kits import KITS

    try:
        config = load_config(args.root)
        predictors = {kit.name: predictor for kit, predictor in KITS}
        for kit_config in config.kits:
            count = predictors[kit_config.kit.name](kit_config.settings)
            print(f"predict: {kit_config.kit.name}: {count} rows")
    except EvalError as error:
        print(f"predict: error: {error}", file=sys.stderr)
        return 2
    return 0


def _evals(args: argparse.Namespace) -> int:
    from .core import EvalError
    from .gate import run

    try:
        return run(args.root, update_baseline=args.update_baseline)
    except EvalError as error:
        print(f"evals: error: {error}", file=sys.stderr)
        return 2
