"""Render the committed examples: `nox -s examples` writes them, tests/test_examples.py checks them.

Each `examples/<name>/.copier-answers.yml` is the committed answers file the example is
rendered from, so reviewers see every template change as a diff of real output.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from tests.answer_sets import DEEP
from tests.conftest import ROOT, render_project

EXAMPLES = ROOT / "examples"
ANSWERS_FILE = ".copier-answers.yml"
# Where projects are meant to come from (an https URL, so Renovate can update them).
TEMPLATE_URL = "https://github.com/my-org/ml-golden-path.git"


def answers_of(example: Path) -> dict[str, Any]:
    recorded = yaml.safe_load((example / ANSWERS_FILE).read_text())
    return {key: value for key, value in recorded.items() if not key.startswith("_")}


def example_answers() -> dict[str, dict[str, Any]]:
    """Answers per example: the committed answers file, or the seed set for a new example."""
    answers = {name: dict(seed) for name, seed in DEEP.items()}
    for answers_file in sorted(EXAMPLES.glob(f"*/{ANSWERS_FILE}")):
        answers[answers_file.parent.name] = answers_of(answers_file.parent)
    return answers


def normalise(project: Path) -> None:
    """Pin what varies between machines and commits: the source path and the commit."""
    answers_file = project / ANSWERS_FILE
    lines = answers_file.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(("_commit:", "_src_path:"))]
    kept.insert(1, f"_src_path: {TEMPLATE_URL}\n")
    answers_file.write_text("".join(kept))


def render_example(destination: Path, answers: dict[str, Any]) -> Path:
    render_project(destination, answers)
    normalise(destination)
    return destination


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        for name, answers in example_answers().items():
            staged = render_example(Path(scratch) / name, answers)
            target = EXAMPLES / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(staged, target)
            print(f"examples/{name}: {sum(1 for p in target.rglob('*') if p.is_file())} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
