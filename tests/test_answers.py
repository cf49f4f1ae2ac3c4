"""Bad answers are refused with a message a person understands, and nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import render_project

BAD_ANSWERS: dict[str, tuple[dict[str, Any], str]] = {
    "empty project name": ({"project_name": "   "}, "Project name must not be empty"),
    "jinja in project name": ({"project_name": "{{ 7 * 7 }}"}, "template syntax"),
    "newline in project name": ({"project_name": "Churn\nRadar"}, "U+000A"),
    "trailing newline in owner": ({"owner": "my-org\n"}, "GitHub/GitLab namespace"),
    "trailing newline in email": ({"author_email": "me@example.com\n"}, "is not an e-mail"),
    "trailing newline in url": ({"repository_url": "https://github.com/o/r\n"}, "https URL"),
    "trailing newline in team": ({"team": "ml\n"}, "lowercase letters, digits"),
    "tab in author": ({"author_name": "Ada\tLovelace"}, "U+0009"),
    "DEL in description": ({"description": "a\x7fb"}, "U+007F"),
    "C1 control in project name": ({"project_name": "a\x85b"}, "U+0085"),
    "line separator in description": ({"description": "a\u2028b"}, "U+2028"),
    "package shadows a dependency": ({"package_name": "numpy"}, "own dependencies or folders"),
    "package named tests": ({"package_name": "tests"}, "own dependencies or folders"),
    "team longer than Backstage allows": ({"team": "t" * 64}, "at most 63 characters"),
    "slug with spaces": ({"project_slug": "My Project"}, "lowercase letters, digits"),
    "slug path traversal": ({"project_slug": "../escape"}, "lowercase letters, digits"),
    "slug double hyphen": ({"project_slug": "a--b"}, "single hyphens"),
    "name deriving a bad slug": ({"project_name": "123 Go"}, "derived from the project name"),
    "package keyword": ({"package_name": "class"}, "is a Python keyword"),
    "package soft keyword": ({"package_name": "match"}, "is a Python keyword"),
    "package stdlib": ({"package_name": "json"}, "shadows the standard-library module"),
    "package leading digit": ({"package_name": "1model"}, "lowercase Python identifier"),
    "package hyphen": ({"package_name": "my-model"}, "lowercase Python identifier"),
    "package traversal": ({"package_name": "../pkg"}, "lowercase Python identifier"),
    "empty description": ({"description": ""}, "Description must not be empty"),
    "multi-line description": ({"description": "one\ntwo"}, "one line of text"),
    "jinja in author": ({"author_name": "{% raw %}x"}, "template syntax"),
    "bad email": ({"author_email": "not-an-email"}, "is not an e-mail address"),
    "email without domain": ({"author_email": "me@localhost"}, "is not an e-mail address"),
    "owner with space": ({"owner": "my org"}, "GitHub/GitLab namespace"),
    "http url": ({"repository_url": "http://github.com/o/r"}, "must be an https URL"),
    "gh shortcut url": ({"repository_url": "gh:o/r"}, "must be an https URL"),
    "url with .git": ({"repository_url": "https://github.com/o/r.git"}, "must not end in .git"),
    "url trailing slash": ({"repository_url": "https://github.com/o/r/"}, "must be an https URL"),
    "team uppercase": ({"team": "ML Team"}, "lowercase letters, digits"),
    "latency budget zero": ({"track": "edge", "latency_budget_ms": 0}, "between 1 and 60000"),
    "unknown track": ({"track": "robotics"}, "robotics"),
    "unknown level": ({"level": "L9"}, "L9"),
    "keyless without ci": ({"ci_provider": "none", "signing": "keyless"}, "needs a CI identity"),
}


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
def test_bad_answer_is_refused_and_nothing_written(
    tmp_path: Path, answers: dict[str, Any], message: str
) -> None:
    destination = tmp_path / "project"
    with pytest.raises(ValueError, match=r"Validation error|Invalid choice|is not") as error:
        render_project(destination, answers)
    assert message in str(error.value)
    assert not destination.exists() or not any(destination.iterdir())


def test_derived_names_follow_the_project_name(tmp_path: Path) -> None:
    project = render_project(tmp_path / "p", {"project_name": "Fraud Radar 2"})
    answers = (project / ".copier-answers.yml").read_text()
    assert "project_slug: fraud-radar-2" in answers
    assert "package_name: fraud_radar_2" in answers
    assert (project / "src" / "fraud_radar_2" / "__init__.py").is_file()


def test_repository_url_default_follows_the_ci_provider(tmp_path: Path) -> None:
    project = render_project(tmp_path / "p", {"ci_provider": "gitlab", "owner": "acme"})
    assert (
        "repository_url: https://gitlab.com/acme/my-ml-project"
        in (project / ".copier-answers.yml").read_text()
    )
