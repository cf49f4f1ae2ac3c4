"""Living repositories: `copier update` across template versions, as Renovate runs it.

A session fixture turns the working tree into a throwaway template repository with four
releases: v0.1.0 (this tree), v0.2.0 (a line added to a doc and a table to pyproject.toml),
v0.3.0 (the design doc moves to docs/design/, with a rename migration) and v0.4.0 (it moves
again, to docs/architecture/, and gains a line: updates from before v0.3.0 chain the renames).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_copy, run_update
from copier.errors import TaskError, UnsafeTemplateError

from tests.conftest import ROOT, Render, clean_env

Factory = Callable[..., Path]
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com"]
GIT += ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"]
DOC = "docs/design_doc.md"
MOVED_DOC = "docs/design/design_doc.md"
FINAL_DOC = "docs/architecture/design.md"
V4_DOC_LINE = "_Section added by the synthetic v0.4.0._"
V2_DOC_LINE = "_Section added by the synthetic v0.2.0._"
V2_TOML = '[tool.golden-path-fixture]\nrelease = "v0.2.0"\n'
FILLED_IN = "Our churn model cuts monthly churn by 2 points; owner: the retention squad."
ANSWER_TRACKS = {
    "default": {},
    "genai-rag-L5": {"track": "genai-rag", "level": "L5", "data_sensitivity": "personal"},
    "rl-gitlab": {"track": "rl", "ci_provider": "gitlab", "signing": "key"},
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def release(repo: Path, tag: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", f"release {tag}")
    git(repo, "tag", tag)


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("template") / "ml-golden-path"
    shutil.copytree(
        ROOT,
        repo,
        ignore=shutil.ignore_patterns(
            ".git", ".nox", ".venv", "*_cache", "__pycache__", "examples", ".bench"
        ),
    )
    git(repo, "init", "-q", "-b", "main")
    release(repo, "v0.1.0")

    with (repo / f"template/{DOC}.jinja").open("a") as doc:
        doc.write(f"\n## Template v0.2.0\n\n{V2_DOC_LINE}\n")
    with (repo / "template/pyproject.toml.jinja").open("a") as pyproject:
        pyproject.write(f"\n{V2_TOML}")
    release(repo, "v0.2.0")

    (repo / "template/docs/design").mkdir()
    git(repo, "mv", f"template/{DOC}.jinja", f"template/{MOVED_DOC}.jinja")
    add_rename_migration(repo, "v0.3.0", DOC, MOVED_DOC)
    release(repo, "v0.3.0")

    (repo / "template/docs/architecture").mkdir()
    git(repo, "mv", f"template/{MOVED_DOC}.jinja", f"template/{FINAL_DOC}.jinja")
    with (repo / f"template/{FINAL_DOC}.jinja").open("a") as doc:
        doc.write(f"\n## Template v0.4.0\n\n{V4_DOC_LINE}\n")
    add_rename_migration(repo, "v0.4.0", MOVED_DOC, FINAL_DOC)
    release(repo, "v0.4.0")
    return repo


def add_rename_migration(repo: Path, version: str, old: str, new: str) -> None:
    """The migration CHANGELOG.md tells template authors to write for a moved file."""
    config = yaml.safe_load((repo / "copier.yml").read_text())
    config.setdefault("_migrations", []).append(
        {
            "version": version,
            "when": "{{ true }}",
            "command": [
                "{{ _copier_python }}",
                "{{ _copier_conf.src_path }}/hooks/rename_files.py",
                f"{old}={new}",
            ],
        }
    )
    (repo / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False, width=1000))


@pytest.fixture(scope="session")
def pristine(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Factory:
    """A fresh render per (release, answers), made once: treat it as read-only."""
    cache: dict[str, Path] = {}

    def render(ref: str, answers: dict[str, Any] | None = None) -> Path:
        key = json.dumps([ref, answers or {}], sort_keys=True)
        if key not in cache:
            dst = tmp_path_factory.mktemp("pristine")
            run_copy(
                str(template_repo), dst, data=answers or {}, defaults=True, vcs_ref=ref, quiet=True
            )
            cache[key] = dst
        return cache[key]

    return render


@pytest.fixture
def create(
    pristine: Factory,
) -> Factory:
    """A committed project rendered at `ref`, as a team has it after `copier copy`."""

    def _create(dst: Path, ref: str, answers: dict[str, Any] | None = None) -> Path:
        shutil.copytree(pristine(ref, answers), dst)
        git(dst, "init", "-q", "-b", "main")
        commit(dst, "render")
        return dst

    return _create


def commit(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "--allow-empty", "-m", message)


def update(project: Path, ref: str | None = None, **options: Any) -> None:
    """What Renovate runs: `copier update --skip-answered --defaults [--vcs-ref REF]`."""
    run_update(
        str(project),
        defaults=True,
        skip_answered=True,
        overwrite=True,
        vcs_ref=ref,
        quiet=True,
        **options,
    )


def update_check(project: Path) -> subprocess.CompletedProcess[str]:
    """The generated repository's own check, as `nox -s update-check` runs it."""
    return subprocess.run(
        [sys.executable, "tools/update_check.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def without_commit(answers: bytes) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(answers)
    data.pop("_commit")
    return data


def fill_in_design_doc(project: Path, doc: str = DOC) -> None:
    path = project / doc
    title, rest = path.read_text().split("\n", 1)
    path.write_text(f"{title}\n\n{FILLED_IN}\n{rest}")


def tick_first_checkbox(project: Path) -> str:
    """Tick the first unticked checklist item in any governance document; return its path."""
    for path in sorted(project.glob("*/*.md")):
        text = path.read_text()
        if "- [ ] " in text:
            path.write_text(text.replace("- [ ] ", "- [x] ", 1))
            return path.relative_to(project).as_posix()
    pytest.fail("no checklist item to tick in the rendered documents")


@pytest.mark.parametrize("track", ANSWER_TRACKS.keys())
def test_updated_project_equals_fresh_render(
    create: Factory, pristine: Factory, tmp_path: Path, track: str
) -> None:
    answers = ANSWER_TRACKS[track]
    updated = create(tmp_path / "updated", "v0.1.0", answers)
    update(updated, "v0.2.0")
    fresh = tree(pristine("v0.2.0", answers))
    ours = tree(updated)
    answers_file = ".copier-answers.yml"
    assert without_commit(ours.pop(answers_file)) == without_commit(fresh.pop(answers_file))
    assert ours.keys() == fresh.keys()
    assert [name for name in ours if ours[name] != fresh[name]] == []


@pytest.mark.parametrize("ref", ["v0.3.0", "v0.4.0"])
def test_update_across_rename_equals_fresh_render(
    create: Factory, pristine: Factory, tmp_path: Path, ref: str
) -> None:
    updated = create(tmp_path / "updated", "v0.1.0")
    update(updated, ref, unsafe=True)
    fresh = tree(pristine(ref))
    ours = tree(updated)
    assert yaml.safe_load(ours.pop(".copier-answers.yml"))["_commit"] == ref
    fresh.pop(".copier-answers.yml")
    assert ours == fresh


def test_update_needs_no_trust_unless_it_crosses_a_migration(
    create: Factory, tmp_path: Path
) -> None:
    project = create(tmp_path / "project", "v0.1.0")
    head = git(project, "rev-parse", "HEAD")
    with pytest.raises(UnsafeTemplateError, match="migrations"):
        update(project)  # the newest, v0.4.0, has a migration
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == head
    update(project, "v0.2.0")  # no migration: what Renovate can run without --trust
    assert V2_DOC_LINE in (project / DOC).read_text()


def test_user_edits_survive_an_update(create: Factory, tmp_path: Path) -> None:
    project = create(tmp_path / "project", "v0.1.0")
    package = project / "src/my_ml_project"
    fill_in_design_doc(project)
    ticked = tick_first_checkbox(project)
    (package / "churn.py").write_text("THRESHOLD = 0.42\n")
    (project / "tests/test_churn.py").write_text(
        "from my_ml_project.churn import THRESHOLD\n\n\n"
        "def test_threshold() -> None:\n    assert THRESHOLD == 0.42\n"
    )
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert "dependencies = [\n" in text
    assert "select = [\n" in text
    text = text.replace("dependencies = [\n", 'dependencies = [\n    "numpy>=2.0",\n', 1)
    text = text.replace("select = [\n", 'select = [\n    "D",   # docstrings\n', 1)
    pyproject.write_text(text)
    optional = next(p for p in sorted(project.glob("docs/*.md")) if p.name != "design_doc.md")
    optional.unlink()
    commit(project, "our work")
    edited = {name: (project / name).read_text() for name in (ticked, "tests/test_churn.py")}

    update(project, "v0.2.0")

    doc = (project / DOC).read_text()
    assert FILLED_IN in doc
    assert V2_DOC_LINE in doc
    for name, text in edited.items():
        assert (project / name).read_text() == text
    assert (package / "churn.py").read_text() == "THRESHOLD = 0.42\n"
    updated = pyproject.read_text()
    assert '"numpy>=2.0",' in updated
    assert '"D",   # docstrings' in updated
    assert V2_TOML in updated
    assert not optional.exists()
    result = update_check(project)
    assert result.returncode == 0, result.stderr
    assert git(project, "ls-files", "--unmerged") == ""


@pytest.mark.parametrize("conflict", ["inline", "rej"])
def test_conflicts_are_never_silent(create: Factory, tmp_path: Path, conflict: str) -> None:
    project = create(tmp_path / "project", "v0.1.0")
    with (project / DOC).open("a") as doc:
        doc.write("\n## Our own closing section\n\nWritten where v0.2.0 adds its section.\n")
    commit(project, "our section")

    update(project, "v0.2.0", conflict=conflict)

    result = update_check(project)
    assert result.returncode == 1
    expected = f"{DOC}.rej" if conflict == "rej" else DOC
    assert f"  {expected}\n" in result.stderr
    assert "nox -s update-check" in result.stderr

    # Resolving (keep both sides) and staging makes the check pass.
    if conflict == "rej":
        (project / f"{DOC}.rej").unlink()
    else:
        lines = (project / DOC).read_text().splitlines(keepends=True)
        markers = ("<" * 7, "=" * 7, ">" * 7)
        (project / DOC).write_text("".join(x for x in lines if not x.startswith(markers)))
    git(project, "add", DOC)
    result = update_check(project)
    assert result.returncode == 0, result.stderr


def test_nox_update_session_passes_arguments_to_copier_then_checks(
    create: Factory, tmp_path: Path
) -> None:
    """The generated `uvx nox -s update`, run for real: copier's exit 0 is not the verdict."""
    project = create(tmp_path / "project", "v0.1.0")
    with (project / DOC).open("a") as doc:
        doc.write("\n## Our own closing section\n\nWritten where v0.2.0 adds its section.\n")
    commit(project, "our section")

    nox = Path(sys.executable).parent / "nox"
    result = subprocess.run(
        [str(nox), "-s", "update", "--", "--vcs-ref", "v0.2.0", "--conflict", "rej"],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )

    # Both arguments reached copier: v0.2.0, not the newest, and the conflict went to a .rej.
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v0.2.0", result.stdout + result.stderr
    assert (project / f"{DOC}.rej").exists()
    # Then update_check ran and failed the session.
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"rejected hunks to apply by hand, then delete:\n  {DOC}.rej\n" in output
    assert "Command python tools/update_check.py failed" in output


def test_rename_migration_carries_edits_to_the_new_path(create: Factory, tmp_path: Path) -> None:
    project = create(tmp_path / "project", "v0.1.0")
    fill_in_design_doc(project)
    commit(project, "fill in the design doc")

    update(project, "v0.3.0", unsafe=True)  # v0.1.0 -> v0.3.0: the v0.2.0 change and the move

    assert not (project / DOC).exists()
    moved = (project / MOVED_DOC).read_text()
    assert FILLED_IN in moved
    assert V2_DOC_LINE in moved
    result = update_check(project)
    assert result.returncode == 0, result.stderr
    assert_move_is_staged(project, DOC, MOVED_DOC)


def assert_move_is_staged(project: Path, old: str, new: str) -> None:
    """Both halves of the move are in the index: committing it never drops the new file."""
    assert git(project, "ls-files", "--others", "--exclude-standard") == ""
    staged = git(project, "diff", "--cached", "--name-status", "--no-renames").splitlines()
    assert sorted(staged) == sorted([f"D\t{old}", f"A\t{new}"])
    # What the README says: `git add` the resolved files (none here), then commit.
    git(project, "commit", "-q", "-m", "template update")
    committed = git(project, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert new in committed
    assert old not in committed


@pytest.mark.parametrize("start", ["v0.1.0", "v0.2.0"])
def test_chained_renames_carry_edits_to_the_final_path(
    create: Factory, tmp_path: Path, start: str
) -> None:
    project = create(tmp_path / "project", start)
    fill_in_design_doc(project)
    commit(project, "fill in the design doc")

    update(project, "v0.4.0", unsafe=True)  # crosses both renames: DOC -> MOVED_DOC -> FINAL_DOC

    assert not (project / DOC).exists()
    assert not (project / MOVED_DOC).exists()
    final = (project / FINAL_DOC).read_text()
    assert FILLED_IN in final
    assert V2_DOC_LINE in final
    assert V4_DOC_LINE in final
    result = update_check(project)
    assert result.returncode == 0, result.stderr
    assert_move_is_staged(project, DOC, FINAL_DOC)


def test_chained_renames_report_real_conflicts_at_the_final_path(
    create: Factory, tmp_path: Path
) -> None:
    project = create(tmp_path / "project", "v0.2.0")
    with (project / DOC).open("a") as doc:
        doc.write("\n## Our own closing section\n")
    commit(project, "our section")

    update(project, "v0.4.0", unsafe=True)

    assert not (project / MOVED_DOC).exists()
    result = update_check(project)
    assert result.returncode == 1
    assert f"  {FINAL_DOC}\n" in result.stderr
    assert git(project, "ls-files", "--unmerged", "--", MOVED_DOC) == ""
    assert FINAL_DOC in git(project, "ls-files", "--unmerged")
    assert "## Our own closing section" in (project / FINAL_DOC).read_text()


def test_rename_migration_reports_real_conflicts(create: Factory, tmp_path: Path) -> None:
    project = create(tmp_path / "project", "v0.1.0")
    with (project / DOC).open("a") as doc:
        doc.write("\n## Our own closing section\n")
    commit(project, "our section")

    update(project, "v0.3.0", unsafe=True)

    result = update_check(project)
    assert result.returncode == 1
    assert f"  {MOVED_DOC}\n" in result.stderr
    assert MOVED_DOC in git(project, "ls-files", "--unmerged")
    assert "## Our own closing section" in (project / MOVED_DOC).read_text()


@pytest.mark.parametrize("ref", ["v0.3.0", "v0.4.0"])
def test_rename_migration_keeps_deleted_files_deleted(
    create: Factory, tmp_path: Path, ref: str
) -> None:
    project = create(tmp_path / "project", "v0.2.0")
    (project / DOC).unlink()
    commit(project, "we do not write design docs here")

    update(project, ref, unsafe=True)

    assert not (project / DOC).exists()
    assert not (project / MOVED_DOC).exists()
    assert not (project / FINAL_DOC).exists()
    assert git(project, "status", "--porcelain", "--", "docs") == ""


def test_rename_migration_refuses_to_overwrite(create: Factory, tmp_path: Path) -> None:
    project = create(tmp_path / "project", "v0.2.0")
    (project / MOVED_DOC).parent.mkdir()
    (project / MOVED_DOC).write_text("# Our own design notes\n")
    commit(project, "a file where the template will move its doc")
    head = git(project, "rev-parse", "HEAD")

    with pytest.raises(TaskError, match=r"rename_files\.py"):
        update(project, "v0.3.0", unsafe=True)

    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == head
    assert (project / MOVED_DOC).read_text() == "# Our own design notes\n"


@pytest.mark.parametrize(
    "change",
    [
        {"level": "L5"},
        {"capabilities": ["rl"]},
        # Capabilities were answered at copy time: a new track does not re-default them.
        {"track": "genai-rag", "capabilities": ["genai"]},
    ],
    ids=str,
)
def test_changing_an_answer_adds_content_and_keeps_edits(
    create: Factory, pristine: Factory, tmp_path: Path, change: dict[str, Any]
) -> None:
    project = create(tmp_path / "project", "v0.2.0")
    fill_in_design_doc(project)
    (project / "src/my_ml_project/churn.py").write_text("THRESHOLD = 0.42\n")
    commit(project, "our work")

    update(project, "v0.2.0", data=change)

    fresh = tree(pristine("v0.2.0", change))
    ours = tree(project)
    assert sorted(fresh.keys() - ours.keys()) == []
    assert sorted(ours.keys() - fresh.keys()) == ["src/my_ml_project/churn.py"]
    changed = [name for name in fresh if fresh[name] != ours[name]]
    assert changed == [DOC]
    assert FILLED_IN in (project / DOC).read_text()
    assert (project / DOC).read_text().replace(f"\n{FILLED_IN}\n", "", 1).encode() == fresh[DOC]


def test_files_a_changed_answer_deletes_are_listed_until_kept_or_dropped(
    create: Factory, tmp_path: Path
) -> None:
    project = create(tmp_path / "project", "v0.2.0")
    model = project / "src/my_ml_project/models/logistic.py"
    model.write_text(model.read_text() + "# our tuned threshold lives here\n")
    commit(project, "tune the model")

    update(project, "v0.2.0", data={"track": "rl", "capabilities": ["rl"]})

    result = update_check(project)
    assert result.returncode == 1
    assert "  src/my_ml_project/models/logistic.py\n" in result.stderr
    assert "git checkout HEAD -- PATH" in result.stderr
    # Keep the edited model, drop the rest of the old track's files: then the check passes.
    git(project, "checkout", "HEAD", "--", "src/my_ml_project/models/logistic.py")
    assert "our tuned threshold" in model.read_text()
    for path in git(project, "ls-files", "--deleted").split():
        git(project, "rm", "-q", path)
    result = update_check(project)
    assert result.returncode == 0, result.stderr


def test_everyday_deletions_are_not_update_problems(create: Factory, tmp_path: Path) -> None:
    """`uvx nox` runs update-check on every change: a deleted ADR is not a template update.

    The deletions an update makes are still listed: see the test above.
    """
    project = create(tmp_path / "project", "v0.1.0")
    adr = "docs/adr/0001-record-architecture-decisions.md"
    (project / adr).unlink()
    result = update_check(project)
    assert result.returncode == 0, result.stderr
    assert adr not in result.stderr


def test_check_warns_when_the_template_source_cannot_be_followed(
    create: Factory, template_repo: Path, tmp_path: Path
) -> None:
    project = create(tmp_path / "project", "v0.1.0")
    result = update_check(project)
    assert result.returncode == 0
    assert "warning:" in result.stderr
    assert "https" in result.stderr

    answers = project / ".copier-answers.yml"
    text = answers.read_text().replace(
        f"_src_path: {template_repo}", "_src_path: https://github.com/my-org/ml-golden-path.git"
    )
    answers.write_text(text)
    result = update_check(project)
    assert result.returncode == 0
    assert result.stderr == ""


def test_update_message_warns_about_non_https_sources(
    create: Factory, template_repo: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    project = create(tmp_path / "project", "v0.1.0")
    capfd.readouterr()
    run_update(str(project), defaults=True, skip_answered=True, overwrite=True, vcs_ref="v0.2.0")
    err = capfd.readouterr().err
    assert "nox -s update-check" in err
    assert f'recorded as "{template_repo}"' in err


def test_check_outside_a_git_repository_says_so(tmp_path: Path) -> None:
    script = ROOT / "template/tools/update_check.py"
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "is not a git repository" in result.stderr


def test_adopting_an_existing_repository_keeps_its_files(
    pristine: Factory, template_repo: Path, tmp_path: Path
) -> None:
    """The path docs/adopting.md documents: copy with `--skip '*'` into the existing repo."""
    project = tmp_path / "churn"
    (project / "src/churn").mkdir(parents=True)
    theirs = {
        "README.md": "# Churn\n\nOur README.\n",
        "pyproject.toml": '[project]\nname = "churn"\nversion = "1.2.0"\n',
        "src/churn/__init__.py": "VERSION = '1.2.0'\n",
        DOC: "# Churn design\n\nWritten before the golden path existed.\n",
    }
    for name, text in theirs.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    git(project, "init", "-q", "-b", "main")
    commit(project, "existing project")

    run_copy(
        str(template_repo),
        project,
        data={"project_name": "Churn"},
        defaults=True,
        vcs_ref="v0.1.0",
        skip_if_exists=["*"],
        quiet=True,
    )

    for name, text in theirs.items():
        assert (project / name).read_text() == text
    fresh = tree(pristine("v0.1.0", {"project_name": "Churn"}))
    assert sorted(fresh.keys() - tree(project).keys()) == []
    commit(project, "adopt the golden path")

    # Their files count as edits of the template's: the next update keeps them, and
    # anything it cannot merge is reported, not silently resolved.
    update(project, "v0.2.0")
    assert (project / "src/churn/__init__.py").read_text() == theirs["src/churn/__init__.py"]
    assert (project / "README.md").read_text() == theirs["README.md"]  # v0.2.0 left it alone
    # Their design doc and pyproject.toml share no lines with the template's: both conflict,
    # each offering their text and the template's new release side by side.
    result = update_check(project)
    assert result.returncode == 1
    unmerged = {line.split("\t")[1] for line in git(project, "ls-files", "-u").splitlines()}
    assert unmerged == {DOC, "pyproject.toml"}
    for name in (DOC, "pyproject.toml"):
        assert f"  {name}\n" in result.stderr
    doc = (project / DOC).read_text()
    assert "Written before the golden path existed." in doc
    assert V2_DOC_LINE in doc
    pyproject = (project / "pyproject.toml").read_text()
    assert '<<<<<<< before updating\nversion = "1.2.0"\n' in pyproject
    assert V2_TOML in pyproject


def test_rendered_update_check_is_strictly_typed_and_lint_clean(tmp_path: Path) -> None:
    project = tmp_path / "project"
    run_copy(str(ROOT), project, defaults=True, vcs_ref="HEAD", quiet=True)
    bin_dir = Path(sys.executable).parent
    script = "tools/update_check.py"
    for command in (
        [str(bin_dir / "ruff"), "check", script],
        [str(bin_dir / "ruff"), "format", "--check", script],
        [str(bin_dir / "mypy"), "--strict", script],
    ):
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["docs/a.md"], "expected OLD=NEW"),
        (["/etc/passwd=docs/a.md"], "relative path inside the project"),
        (["docs/a.md=../a.md"], "relative path inside the project"),
        (["docs/a.md=docs/./a.md"], "renames a file to itself"),
        (["a.md=b.md", "a.md=c.md", "--stage", "before"], "the same old path appears twice"),
        (["a.md=b.md"], "--stage is required"),
    ],
)
def test_rename_hook_refuses_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    env = {"PATH": os.environ["PATH"]}  # no STAGE/VERSION_FROM from a copier run
    result = subprocess.run(
        [sys.executable, str(ROOT / "hooks/rename_files.py"), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


# The -slim uv images have no git, which update-check (in `uvx nox`) and copier need.
IMAGE_WITH_GIT = re.compile(r"ghcr\.io/astral-sh/uv:python[0-9.]+-bookworm")
SCHEDULE = '$CI_PIPELINE_SOURCE == "schedule"'


def copier_pin(project: Path) -> str:
    """The copier version the generated noxfile's update session installs."""
    match = re.search(r'"(copier==[^"]+)"', (project / "noxfile.py").read_text())
    assert match, "noxfile.py pins copier for the update session"
    return match.group(1)


def gitlab_pipeline(project: Path) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    return config


def job_image(config: dict[str, Any], job: dict[str, Any]) -> str:
    extends = job.get("extends", [])
    parents = [extends] if isinstance(extends, str) else extends
    for source in (job, *(config[name] for name in parents)):
        if "image" in source:
            return str(source["image"])
    return str(config["default"]["image"])


def test_gitlab_jobs_that_need_git_have_it(render: Render) -> None:
    config = gitlab_pipeline(render(ci_provider="gitlab", signing="key"))
    needing_git = {
        name: job_image(config, job)
        for name, job in config.items()
        if isinstance(job, dict)
        and any("uvx nox" in line or "copier" in line for line in job.get("script", []))
    }
    assert {"checks", "template-drift"} <= needing_git.keys()
    assert {
        name: image for name, image in needing_git.items() if not IMAGE_WITH_GIT.fullmatch(image)
    } == {}


def test_gitlab_schedules_run_only_the_drift_check(render: Render) -> None:
    project = render(ci_provider="gitlab", signing="key")
    config = gitlab_pipeline(project)
    assert {"if": SCHEDULE} in config["workflow"]["rules"]
    assert config["template-drift"]["rules"] == [{"if": SCHEDULE}]
    assert config["checks"]["rules"][0] == {"if": SCHEDULE, "when": "never"}
    scheduled = [
        name
        for name, job in config.items()
        if isinstance(job, dict) and "script" in job and not name.startswith(".")
        if any(
            rule.get("if") == SCHEDULE and rule.get("when") != "never"
            for rule in job.get("rules", [])
        )
    ]
    assert scheduled == ["template-drift"]
    script = "\n".join(config["template-drift"]["script"])
    assert f'uvx --from "{copier_pin(project)}" copier check-update' in script
    readme = (project / "README.md").read_text()
    assert "template-drift" in readme
    assert "TEMPLATE_READ_TOKEN" in readme


@pytest.mark.parametrize("token", ["", "glpat-read-only"])
def test_gitlab_drift_job_fails_only_when_behind(
    create: Factory, tmp_path: Path, token: str
) -> None:
    """Run the job's script, with `uvx` standing in for the pinned copier it names."""
    answers = {"ci_provider": "gitlab", "signing": "key"}
    shim = tmp_path / "bin" / "uvx"
    shim.parent.mkdir()
    shim.write_text(
        f"#!{sys.executable}\n"
        "import subprocess, sys\n"
        "from_, pin, tool, *args = sys.argv[1:]\n"
        "assert (from_, tool) == ('--from', 'copier'), sys.argv\n"
        f"sys.exit(subprocess.call([{sys.executable!r}, '-m', 'copier', *args]))\n"
    )
    shim.chmod(0o755)
    env = {
        "PATH": os.pathsep.join([str(shim.parent), os.environ["PATH"]]),
        "HOME": str(tmp_path),
        "CI_SERVER_HOST": "gitlab.example.com",
        "TEMPLATE_READ_TOKEN": token,
    }

    def drift_job(project: Path) -> subprocess.CompletedProcess[str]:
        script = "\n".join(gitlab_pipeline(project)["template-drift"]["script"])
        return subprocess.run(
            ["sh", "-ec", script], cwd=project, env=env, capture_output=True, text=True, check=False
        )

    behind = drift_job(create(tmp_path / "behind", "v0.3.0", answers))
    assert behind.returncode == 2, behind.stdout + behind.stderr
    assert "uvx nox -s update" in behind.stdout
    current = drift_job(create(tmp_path / "current", "v0.4.0", answers))
    assert current.returncode == 0, current.stdout + current.stderr


def test_dependabot_moves_only_the_lock_file(render: Render) -> None:
    project = render()
    config = yaml.safe_load((project / ".github/dependabot.yml").read_text())
    (uv,) = [entry for entry in config["updates"] if entry["package-ecosystem"] == "uv"]
    assert uv["versioning-strategy"] == "lockfile-only"


@pytest.mark.parametrize("provider", ["github", "gitlab"])
def test_renovate_runs_the_copier_manager(render: Render, provider: str) -> None:
    project = render(ci_provider=provider, signing="key")
    config = json.loads((project / "renovate.json").read_text())
    managers = set(config["enabledManagers"])
    rules = {rule["matchManagers"][0]: rule for rule in config["packageRules"]}
    assert "copier" in managers
    assert rules["copier"]["labels"] == ["template-update"]
    if provider == "github":
        assert managers == {"copier"}  # Dependabot does the dependencies
    else:
        assert managers == {"copier", "pep621"}
        assert rules["pep621"]["rangeStrategy"] == "update-lockfile"
        assert config["lockFileMaintenance"] == {"enabled": True}


def test_no_ci_provider_renders_no_bot_configuration(render: Render) -> None:
    project = render(ci_provider="none", signing="key")
    assert not (project / "renovate.json").exists()
    assert not (project / ".github").exists()


def test_github_drift_workflow_reads_a_private_template_only_with_its_token(
    render: Render,
) -> None:
    project = render()
    workflow = yaml.safe_load((project / ".github/workflows/template-drift.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    (drift,) = [step for step in steps if step.get("id") == "drift"]
    assert drift["env"] == {"TEMPLATE_READ_TOKEN": "${{ secrets.TEMPLATE_READ_TOKEN }}"}
    assert f'uvx --from "{copier_pin(project)}" copier check-update' in drift["run"]
    text = (project / ".github/workflows/template-drift.yml").read_text()
    assert text.count("secrets.") == 1  # nowhere else, and not in the job that writes issues
    assert "TEMPLATE_READ_TOKEN" in (project / "README.md").read_text()
