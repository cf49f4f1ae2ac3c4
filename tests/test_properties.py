"""Properties over drawn answer sets: every valid answer set renders a project whose static
checks pass on the first run, every free-text answer reads back unchanged from each format
it lands in, and every invalid one is refused in one line with nothing written.

The deep half (the generated `uvx nox`) runs on named answer sets in test_deep.py; this is
the static half, over many more answers than anyone would list by hand.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from ruamel.yaml import YAML

from tests.answer_sets import LEVELS, TRACKS
from tests.conftest import ROOT, clean_env, git_commit_all, render_project
from tests.test_matrix import LEFTOVER_JINJA, text_files, tool

RUFF = tool("ruff")
LEFTOVER_JINJA_START = re.compile(r"\{\{|\{%|\{#")  # what copier.yml refuses in free text


def refused_package_names() -> set[str]:
    """The names copier.yml's package_name validator lists (keywords, stdlib, taken)."""
    copier = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    lists = re.findall(r"set \w+ = \[(.*?)\]", copier["package_name"]["validator"])
    return {name for listed in lists for name in re.findall(r"'(\w+)'", listed)}


REFUSED_PACKAGES = refused_package_names()
CAPABILITIES = ("genai", "rl", "edge", "vision")

# Characters teams put in names: letters of several scripts, digits, punctuation that
# means something in JSON, TOML, YAML, Python or Markdown, typographic quotes and dashes.
NAME_CHARS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    " '\"&-_.,:;!?()[]{}<>*`#|~$%+=@/\\"
    "éüßñÉÅçøΩДжλ中文\u2019\u201c\u201d\u2013\u2014"  # typographic quotes and dashes
)


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Text of a length drawn evenly from 1..max_size: long values are as likely as short."""
    return st.integers(1, max_size).flatmap(
        lambda size: st.text(st.sampled_from(NAME_CHARS), min_size=size, max_size=size)
    )


# Mostly names that start with a letter of some script; the rest may start with anything
# (a digit or a symbol derives no usable slug: the refusal property covers those).
initial = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéÉΩДλ中")
project_names = st.one_of(
    st.builds(lambda first, rest: (first + rest)[:60], initial, texts(60)),
    texts(60),
)


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    track = draw(st.sampled_from(TRACKS))
    ci = draw(st.sampled_from(("github", "gitlab", "none")))
    answers: dict[str, Any] = {
        "project_name": draw(project_names),
        "description": draw(texts(200)),
        "author_name": draw(texts(60)),
        "track": track,
        "level": draw(st.sampled_from(LEVELS)),
        "ci_provider": ci,
        "signing": draw(st.sampled_from(("key", "none") if ci == "none" else ("keyless", "key"))),
        "license": draw(st.sampled_from(("Apache-2.0", "MIT", "BSD-3-Clause", "Proprietary"))),
        "python_version": draw(st.sampled_from(("3.11", "3.12", "3.13"))),
        "data_sensitivity": draw(st.sampled_from(("public", "internal", "personal"))),
        "ai_act_risk": draw(st.sampled_from(("minimal", "limited", "high"))),
        "owner": draw(st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?\Z")),
        "team": draw(st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?\Z")),
    }
    if draw(st.booleans()):
        answers["capabilities"] = draw(st.lists(st.sampled_from(CAPABILITIES), unique=True))
    if "edge" in answers.get("capabilities", [track]):
        answers["latency_budget_ms"] = draw(st.integers(1, 60000))
    return answers


def derived_slug(name: str) -> str:
    """What copier.yml derives as project_slug (kept in step by the refusal property)."""
    return re.sub(r"^-+|-+$", "", re.sub(r"[^a-z0-9]+", "-", name.lower()))


def renders(answers: dict[str, Any]) -> bool:
    """Whether the answers are valid: the project name must derive a usable slug, and no
    free text may hold template syntax (copier would render it again)."""
    slug = derived_slug(answers["project_name"])
    free_text = (answers[key] for key in ("project_name", "description", "author_name"))
    return (
        bool(re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", slug))
        and len(slug) <= 60
        and not any(LEFTOVER_JINJA_START.search(text) for text in free_text)
    )


@cache
def ci_schema(name: str) -> jsonschema.protocols.Validator:
    """check-jsonschema's vendored schema (what the generated lint session validates with)."""
    vendor = resources.files("check_jsonschema") / "builtin_schemas" / "vendor"
    schema = json.loads((vendor / f"{name}.json").read_text(encoding="utf-8"))
    validator: type[jsonschema.protocols.Validator] = jsonschema.validators.validator_for(schema)
    return validator(schema)


def markdown_text(source: str) -> list[str]:
    """The visible text of each block of a Markdown snippet, as a reader sees it."""
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(source)
    return [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in rendered.splitlines()]


def static_problems(project: Path, answers: dict[str, Any]) -> list[str]:
    problems = []
    for command in ([RUFF, "check", "--no-cache", "-q", "."],
                    [RUFF, "format", "--no-cache", "--check", "-q", "."]):  # fmt: skip
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
        if result.returncode:
            problems.append(f"{' '.join(command[1:3])}: {result.stdout}{result.stderr}")
    yaml12 = YAML(typ="safe", pure=True)
    for path in text_files(project):
        name = path.relative_to(project).as_posix()
        text = path.read_text(encoding="utf-8")
        if match := LEFTOVER_JINJA.search(text):
            problems.append(f"{name}: leftover template syntax {match.group()!r}")
        try:
            if path.suffix == ".json":
                json.loads(text)
            elif path.suffix == ".jsonl":
                [json.loads(line) for line in text.splitlines() if line]
            elif path.suffix == ".toml":
                tomllib.loads(text)
            elif path.suffix in {".yml", ".yaml"}:
                document = yaml12.load(text)
                if name.startswith(".github/workflows/"):
                    ci_schema("github-workflows").validate(document)
                elif name == ".gitlab-ci.yml":
                    ci_schema("gitlab-ci").validate(document)
            elif name == "docs/model_card.md":
                yaml.safe_load(text.split("---\n")[1])
        except Exception as error:  # any parse failure is the finding
            problems.append(f"{name}: {type(error).__name__}: {str(error)[:300]}")
    return problems


def read_back_problems(project: Path, answers: dict[str, Any]) -> list[str]:
    """Each free-text answer comes back unchanged from every format it was written into."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    schema = json.loads((project / "versioning/registry.schema.json").read_text(encoding="utf-8"))
    catalog = yaml.safe_load((project / "catalog-info.yaml").read_text(encoding="utf-8"))
    readme = (project / "README.md").read_text(encoding="utf-8").split("\n")
    expected = {
        "pyproject description": (pyproject["description"], answers["description"]),
        "pyproject author": (pyproject["authors"][0]["name"], answers["author_name"]),
        "schema title": (schema["title"], f"{answers['project_name']} artifact registry"),
        "catalog description": (catalog["metadata"]["description"], answers["description"]),
        "README title": (markdown_text(readme[0]), [answers["project_name"].strip()]),
        "README description": (markdown_text(readme[2]), [answers["description"].strip()]),
    }
    return [
        f"{where}: {got!r} != {want!r}" for where, (got, want) in expected.items() if got != want
    ]


PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same draws on every run: a red CI run is reproducible locally
    phases=[Phase.explicit, Phase.generate],  # a failing render is reported, not shrunk
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.xdist_group("properties")
@PROPERTY
@given(answers=answer_sets())
def test_every_answer_set_is_green_statically_or_refused(
    tmp_path_factory: pytest.TempPathFactory, answers: dict[str, Any]
) -> None:
    destination = tmp_path_factory.mktemp("property") / "project"
    if not renders(answers):
        with pytest.raises(ValueError, match="Validation error") as error:
            render_project(destination, answers)
        assert "\n" not in str(error.value).strip(), str(error.value)
        assert not destination.exists() or not any(destination.iterdir())
        return
    # A derived package name Python itself already uses is refused, rightly.
    package = derived_slug(answers["project_name"]).replace("-", "_")
    if package in REFUSED_PACKAGES:
        with pytest.raises(ValueError, match="question 'package_name'") as error:
            render_project(destination, answers)
        assert "\n" not in str(error.value).strip()
        return
    project = render_project(destination, answers)
    try:
        problems = static_problems(project, answers) + read_back_problems(project, answers)
        assert not problems, "\n".join([json.dumps(answers, ensure_ascii=False), *problems])
    finally:
        shutil.rmtree(project)


# Python files that exist only for some tracks or capabilities get the longest names too:
# every track, with every capability, under a 60-character slug late in the alphabet.
LONGEST_NAME = "Zymurgy's Yeast Ranking and Retrieval Service for Vintners X"


@pytest.mark.xdist_group("properties")
@pytest.mark.parametrize("track", TRACKS)
def test_every_track_is_green_statically_with_the_longest_names(tmp_path: Path, track: str) -> None:
    assert len(derived_slug(LONGEST_NAME)) == 60
    answers: dict[str, Any] = {
        "project_name": LONGEST_NAME,
        "description": LONGEST_NAME,
        "author_name": LONGEST_NAME,
        "track": track,
        "capabilities": list(CAPABILITIES),
    }
    project = render_project(tmp_path / "project", answers)
    problems = static_problems(project, answers)
    assert not problems, "\n".join(problems)


GOOD = {
    "project_name": "Churn Radar",
    "description": "Scores churn.",
    "author_name": "Ada Lovelace",
    "owner": "acme",
    "team": "ml-team",
    "author_email": "ada@example.com",
    "repository_url": "https://github.com/acme/churn-radar",
}
BAD_TEXT = st.sampled_from(["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"])


@pytest.mark.xdist_group("properties")
@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    field=st.sampled_from(sorted(GOOD)),
    bad=BAD_TEXT,
    at_end=st.booleans(),
)
def test_control_characters_are_refused_in_one_line(
    tmp_path_factory: pytest.TempPathFactory, field: str, bad: str, at_end: bool
) -> None:
    good = GOOD[field]
    value = good + bad if at_end else good[:3] + bad + good[3:]
    destination = tmp_path_factory.mktemp("refusal") / "project"
    with pytest.raises(ValueError, match="Validation error") as error:
        render_project(destination, {field: value})
    message = str(error.value)
    assert "\n" not in message.strip(), message
    if field in {"project_name", "description", "author_name"}:
        assert f"U+{ord(bad):04X}" in message
    assert not destination.exists() or not any(destination.iterdir())


@pytest.mark.deep
@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    answers=answer_sets().filter(
        lambda answers: renders(answers) and len(answers["project_name"]) >= 30
    )
)
def test_drawn_answer_sets_are_green_on_the_first_uvx_nox(
    tmp_path_factory: pytest.TempPathFactory, answers: dict[str, Any]
) -> None:
    """The deep half: the generated `uvx nox` itself, on long drawn names of any shape."""
    project = render_project(tmp_path_factory.mktemp("deep-property") / "project", answers)
    git_commit_all(project)
    env = clean_env()
    result = subprocess.run(
        ["uvx", "nox"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    version = answers["python_version"]
    found = subprocess.run(
        ["uv", "python", "find", version], env=env, capture_output=True, check=False
    )
    if found.returncode:  # the interpreter is missing here: the run stops, saying how to get it
        assert result.returncode != 0
        assert f"run `uv python install {version}`, then rerun." in result.stdout + result.stderr
        return
    assert result.returncode == 0, "\n".join(
        [json.dumps(answers, ensure_ascii=False), result.stdout[-4000:], result.stderr[-6000:]]
    )
