"""Readiness gate: parsing the checklists, the stage rules, and one clear line per problem."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from my_ml_project.readiness import check, run

ROOT = Path(__file__).resolve().parents[1]

MANIFEST = """stage = "{stage}"

[[item]]
id = "serving.canary"
doc = "ops/runbook.md"
group = "Serving & Reliability"
kind = "must"

[[item]]
id = "serving.fallback"
doc = "ops/runbook.md"
group = "Serving & Reliability"
kind = "strong"

[[item]]
id = "design.kpi"
doc = "docs/design.md"
group = "Documentation & Decisions"
kind = "must"
"""
RUNBOOK = """# Runbook

## Readiness checklist

### Serving & Reliability

- [{canary}] **Must** Canary before any 100% rollout. <!-- rd:serving.canary -->
- [ ] **Strong** Vendor fallback tested. <!-- rd:serving.fallback -->

## Appendix
"""
DESIGN = """# Design

## Readiness checklist

### Documentation & Decisions

- [{kpi}] **Must** KPI tree with a kill criterion. <!-- rd:design.kpi -->
"""
DUPLICATE = "- [ ] **Must** Canary again. <!-- rd:serving.canary -->\n"


def write(root: Path, stage: str = "prototype", canary: str = " ", kpi: str = " ") -> Path:
    (root / "ops").mkdir(exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "readiness.toml").write_text(MANIFEST.format(stage=stage))
    (root / "ops/runbook.md").write_text(RUNBOOK.format(canary=canary))
    (root / "docs/design.md").write_text(DESIGN.format(kpi=kpi))
    return root


def test_prototype_reports_and_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(write(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "Must items ticked: 0/2" in out
    assert "GO for stage prototype" in out


@pytest.mark.parametrize(
    ("stage", "canary", "kpi", "code"),
    [
        ("beta", " ", "x", 1),  # Serving is a beta group
        ("beta", "x", " ", 0),  # Documentation is not
        ("production", "x", " ", 1),
        ("production", "x", "X", 0),  # strong items never block
    ],
)
def test_stage_rules(tmp_path: Path, stage: str, canary: str, kpi: str, code: int) -> None:
    assert run(write(tmp_path, stage, canary, kpi)) == code


def test_a_release_needs_at_least_beta(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(write(tmp_path, "prototype", "x", "x"), min_stage="beta") == 1
    assert "stage prototype is below beta" in capsys.readouterr().out
    assert run(write(tmp_path, "beta", "x", " "), min_stage="beta") == 0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.replace("## Readiness", "## Release"), "no '## Readiness checklist'"),
        (lambda r: r.replace("<!-- rd:serving.canary -->", "<!-- rd: -->"), "malformed checklist"),
        (lambda r: r.replace(" <!-- rd:serving.canary -->", ""), "serving.canary is missing"),
        (lambda r: r.replace("rd:serving.canary", "rd:serving.canry"), "unknown id serving.canry"),
        (lambda r: r.replace("- [ ] **Strong**", DUPLICATE + "- [ ] **Strong**"), "duplicate id"),
        (lambda r: r.replace("**Must** Canary", "**Strong** Canary"), "is marked strong"),
        (lambda r: r.replace("### Serving & Reliability", "### Serving"), "is under 'Serving'"),
    ],
)
def test_malformed_doc_is_one_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Callable[[str], str], message: str
) -> None:
    root = write(tmp_path, "production", "x", "x")
    runbook = root / "ops/runbook.md"
    runbook.write_text(edit(runbook.read_text()))
    assert run(root) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_team_items_without_a_marker_are_left_to_the_team(tmp_path: Path) -> None:
    root = write(tmp_path, "production", "x", "x")
    runbook = root / "ops/runbook.md"
    own = "- [ ] Our on-call rota covers the launch week.\n"
    runbook.write_text(runbook.read_text().replace("- [ ] **Strong**", own + "- [ ] **Strong**"))
    assert run(root) == 0


def test_evidence_may_follow_the_marker(tmp_path: Path) -> None:
    root = write(tmp_path, "production", "x", "x")
    runbook = root / "ops/runbook.md"
    linked = "<!-- rd:serving.canary --> ([canary run](https://example.com/runs/42))"
    runbook.write_text(
        runbook.read_text().replace("<!-- rd:serving.canary -->", linked).replace("- [x]", "* [x]")
    )
    assert run(root) == 0


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (b'stage = "beta"\nitem = [1, 2]\n', "item #1 is not an [[item]] table"),
        (b"item = []\n", "no `stage = ...` line"),
        (b'stage = "beta" # \xff\n', "readiness.toml: not UTF-8 text"),
    ],
)
def test_unusable_manifest_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], manifest: bytes, message: str
) -> None:
    root = write(tmp_path)
    (root / "readiness.toml").write_bytes(manifest)
    assert run(root) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_doc_that_is_not_text_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path)
    (root / "ops/runbook.md").write_bytes(b"# Runbook\n\xff\xfe\n")
    assert run(root) == 2
    assert "ops/runbook.md: not UTF-8 text" in capsys.readouterr().err


def test_missing_doc_and_bad_stage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path)
    (root / "docs/design.md").unlink()
    assert run(root) == 2
    assert "docs/design.md: file not found" in capsys.readouterr().err
    (root / "readiness.toml").write_text(MANIFEST.format(stage="ga"))
    assert run(root) == 2
    assert "stage 'ga' is not one of prototype, beta, production" in capsys.readouterr().err


def test_items_missing_from_a_doc_are_named(tmp_path: Path) -> None:
    root = write(tmp_path)
    runbook = root / "ops/runbook.md"
    lines = runbook.read_text().splitlines(keepends=True)
    runbook.write_text("".join(line for line in lines if "Vendor" not in line))
    problems = check(root)[3]
    assert problems == [
        "ops/runbook.md: item serving.fallback is missing (its '<!-- rd:serving.fallback -->' "
        "line was removed or edited beyond recognition)"
    ]


def test_this_repository_is_consistent(tmp_path: Path) -> None:
    """The project's own manifest and docs parse cleanly; production needs every Must ticked."""
    for name in ("readiness.toml", "docs", "ops", "safety", "cost", "versioning"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        elif source.exists():
            shutil.copy(source, tmp_path / name)
    stage, items, found, problems = check(tmp_path)
    assert problems == []
    assert {item.id for item in items} == set(found)
    manifest = tmp_path / "readiness.toml"
    manifest.write_text(manifest.read_text().replace(f'stage = "{stage}"', 'stage = "production"'))
    unticked_must = any(not found[i.id].ticked for i in items if i.kind == "must")
    assert run(tmp_path) == (1 if unticked_must else 0)
