"""The committed examples are exactly what the template renders today."""

from __future__ import annotations

import filecmp
from pathlib import Path
from typing import Any

import pytest

from tests.examples import EXAMPLES, example_answers, render_example

ANSWERS = example_answers()


# Tool caches a check run may leave in an example; the template never renders them.
CACHES = {".ruff_cache", ".mypy_cache", ".pytest_cache", ".hypothesis", "__pycache__"}


def tree(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not CACHES.intersection(path.relative_to(root).parts)
    }


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_example_is_current(tmp_path: Path, name: str) -> None:
    answers: dict[str, Any] = ANSWERS[name]
    committed = EXAMPLES / name
    assert committed.is_dir(), f"examples/{name} is missing: run `nox -s examples`"
    fresh = render_example(tmp_path / name, answers)
    assert tree(committed) == tree(fresh), "file set differs: run `nox -s examples`"
    stale = [
        path
        for path in sorted(tree(fresh))
        if not filecmp.cmp(committed / path, fresh / path, shallow=False)
    ]
    assert stale == [], "examples are stale: run `nox -s examples` and commit the diff"
