"""Carry a project's edits across a template version that renames files.

Without this, `copier update` deletes the old path (with the user's edits) and adds the
new path pristine. Run it from `_migrations` for the version that renames, at both stages:

    _migrations:
      - version: v0.3.0
        when: "{{ true }}"
        command:
          - "{{ _copier_python }}"
          - "{{ _copier_conf.src_path }}/hooks/rename_files.py"
          - docs/old_name.md=docs/new_name.md

`before` refuses the update (nothing written yet) when both paths already hold the user's
files. `after` three-way merges the user's committed file (ours), the old version's render
of it (base) and the new version's render (theirs) into the new path and stages the move:
edits follow the file, template changes arrive, real conflicts get markers and unmerged
index entries, exactly like the conflicts copier itself leaves. Re-running is harmless:
pairs whose old path is gone from HEAD are skipped. Stdlib only, apart from re-rendering
the base with the copier that runs the migration (`_copier_python`).

Chains: an update that crosses v1 (a=b) and v2 (b=c) runs every `before` stage, then the
update, then every `after` stage, in version order. `b` is in neither HEAD nor the old
render, so the `before` stages record where each new path's content comes from (c <- a)
in the git directory, and the `after` stage for b=c merges from `a` and drops the
intermediate `b`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ANSWERS_FILE = ".copier-answers.yml"
# In the git directory: never in the working tree, so copier and `git status` ignore it.
ORIGINS_FILE = "rename-files-origins.json"
# The labels copier gives its own conflicts, so one resolution workflow covers both.
LABELS = ("before updating", "last update", "after updating")


class RenameError(Exception):
    """A rename that cannot be carried out safely; the message says why."""


@dataclass(frozen=True)
class Rename:
    old: str
    new: str


def parse_pair(text: str) -> Rename:
    old, sep, new = text.partition("=")
    if not sep or not old or not new:
        raise argparse.ArgumentTypeError(f"expected OLD=NEW, got {text!r}")
    for part in (old, new):
        path = PurePosixPath(part)
        if path.is_absolute() or ".." in path.parts or "\\" in part:
            raise argparse.ArgumentTypeError(
                f"{part!r} must be a relative path inside the project (forward slashes, no '..')"
            )
    if PurePosixPath(old) == PurePosixPath(new):
        raise argparse.ArgumentTypeError(f"{text!r} renames a file to itself")
    return Rename(str(PurePosixPath(old)), str(PurePosixPath(new)))


def git(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    # Arguments are fixed git subcommands and project-relative paths, never shell text.
    return subprocess.run(["git", *args], cwd=project, capture_output=True, check=check)  # noqa: S603, S607


def in_head(project: Path, path: str) -> bool:
    return git(project, "cat-file", "-e", f"HEAD:{path}", check=False).returncode == 0


def head_blob(project: Path, path: str) -> bytes:
    return git(project, "show", f"HEAD:{path}").stdout


def origins_path(project: Path) -> Path:
    return project / git(project, "rev-parse", "--git-path", ORIGINS_FILE).stdout.decode().strip()


def update_key(project: Path, from_ref: str | None) -> str:
    # One update: the same commit updated from the same version. Older records are stale.
    return f"{git(project, 'rev-parse', 'HEAD').stdout.decode().strip()} {from_ref}"


def load_origins(project: Path, from_ref: str | None) -> dict[str, str]:
    """Which HEAD path each path renamed so far in this update carries (new -> original)."""
    try:
        record = json.loads(origins_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or record.get("key") != update_key(project, from_ref):
        return {}
    origins = record.get("origins")
    return {str(k): str(v) for k, v in origins.items()} if isinstance(origins, dict) else {}


def save_origins(project: Path, from_ref: str | None, origins: dict[str, str]) -> None:
    record = {"key": update_key(project, from_ref), "origins": origins}
    origins_path(project).write_text(json.dumps(record, indent=1), encoding="utf-8")


def check_before(project: Path, renames: list[Rename], from_ref: str | None) -> None:
    """Refuse before copier writes anything if a rename would overwrite one of the user's files.

    Also records each new path's original, so that a later version's rename of it (run in
    the same update) still finds the user's file.
    """
    origins = load_origins(project, from_ref)
    clashes = []
    for rename in renames:
        origin = origins.pop(rename.old, rename.old)
        if in_head(project, origin) and (project / rename.new).exists():
            clashes.append(rename)
        origins[rename.new] = origin
    if clashes:
        listing = "\n".join(f"  {r.old} -> {r.new}" for r in clashes)
        raise RenameError(
            "The template renames these files, but the project already has both paths:\n"
            f"{listing}\nMerge each old file into the new one (or delete one), commit, "
            "then run the update again. Nothing was changed."
        )
    save_origins(project, from_ref, origins)


def render_base(template: str, from_ref: str, answers: bytes, scratch: Path) -> Path:
    """Render the version the project was last updated to, with its recorded answers."""
    if importlib.util.find_spec("copier") is None:
        raise RenameError(
            f"{sys.executable} cannot import copier: run this hook with {{{{ _copier_python }}}}."
        )
    answers_path = scratch / "answers.yml"
    answers_path.write_bytes(answers)
    base = scratch / "base"
    # The template is copier's own local clone, so this needs no network.
    command = [
        sys.executable,
        "-m",
        "copier",
        "copy",
        "--quiet",
        "--defaults",
        "--overwrite",
        "--vcs-ref",
        from_ref,
        "--data-file",
        str(answers_path),
        template,
        str(base),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        raise RenameError(f"Could not render template version {from_ref}:\n{result.stderr}")
    return base


def merge_into_new(project: Path, origin: str, new: str, base: Path, scratch: Path) -> bool:
    """Three-way merge the user's `origin` file into `new`; True when conflicts remain."""
    target = project / new
    base_file = base / origin
    scratch = Path(tempfile.mkdtemp(prefix="merge-", dir=scratch))
    ours = head_blob(project, origin)
    sides = {
        "ours": ours,
        "base": base_file.read_bytes() if base_file.exists() else b"",
        # The new version did not render the new path: the user's file simply moves.
        "theirs": target.read_bytes() if target.exists() else ours,
    }
    for name, data in sides.items():
        (scratch / name).write_bytes(data)
    merge = git(
        project,
        "merge-file",
        "--stdout",
        *(arg for label in LABELS for arg in ("-L", label)),
        str(scratch / "ours"),
        str(scratch / "base"),
        str(scratch / "theirs"),
        check=False,
    )
    # Exit status is the number of conflicts (capped at 127); anything else is an error.
    if not 0 <= merge.returncode <= 127:
        raise RenameError(f"git merge-file failed on {new}: {merge.stderr.decode()}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(merge.stdout)
    (project / origin).unlink(missing_ok=True)
    if merge.returncode == 0:
        # Staged like the old path's deletion: committing what `git add` shows keeps both
        # halves of the move, never the deletion alone.
        git(project, "add", "--force", "--", new)  # it was tracked under its old name
        return False
    # Record the conflict in the index as copier does, so `git ls-files -u` lists it.
    entries = [f"0 {'0' * 40}\t{new}"]
    for stage, name in ((1, "base"), (2, "ours"), (3, "theirs")):
        sha = git(project, "hash-object", "-w", str(scratch / name)).stdout.decode().strip()
        entries.append(f"100644 {sha} {stage}\t{new}")
    subprocess.run(
        ["git", "update-index", "--index-info"],  # noqa: S607
        cwd=project,
        input="\n".join(entries).encode() + b"\n",
        check=True,
        capture_output=True,
    )
    return True


def apply_after(project: Path, renames: list[Rename], template: str, from_ref: str) -> list[str]:
    """Move the user's files to their new paths; return the paths left with conflicts."""
    # Already moved by an earlier run (old gone from HEAD, new committed): nothing to do.
    pending = [r for r in renames if in_head(project, r.old) or not in_head(project, r.new)]
    if not pending:
        return []
    origins = load_origins(project, from_ref)
    conflicted = []
    with tempfile.TemporaryDirectory(prefix="rename-files-") as tmp:
        scratch = Path(tmp)
        base = render_base(template, from_ref, head_blob(project, ANSWERS_FILE), scratch)
        for rename in pending:
            origin = origins.get(rename.new, rename.old)
            if origin != rename.old:
                # An earlier version's rename in this update left the file at rename.old:
                # merge from the original instead, and drop that intermediate copy.
                git(project, "rm", "-q", "--cached", "--ignore-unmatch", "--", rename.old)
                (project / rename.old).unlink(missing_ok=True)
            if in_head(project, origin):
                if merge_into_new(project, origin, rename.new, base, scratch):
                    conflicted.append(rename.new)
                # Record the move in the index: this deletion is the template's, on purpose,
                # and `nox -s update-check` only asks about deletions nobody acknowledged.
                git(project, "rm", "--cached", "--quiet", "--ignore-unmatch", "--", origin)
            elif (base / origin).exists():
                # The user had deleted the file: keep it deleted under its new name too.
                (project / rename.new).unlink(missing_ok=True)
    return conflicted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("renames", nargs="+", type=parse_pair, metavar="OLD=NEW")
    # copier exports these to every migration; the flags exist for running by hand.
    parser.add_argument("--stage", choices=("before", "after"), default=os.environ.get("STAGE"))
    parser.add_argument("--from-ref", default=os.environ.get("VERSION_FROM"))
    parser.add_argument("--template", help="the template repository (default: this hook's)")
    parser.add_argument("--project", type=Path, default=Path())
    args = parser.parse_args(argv)
    renames: list[Rename] = args.renames
    for attr in ("old", "new"):
        paths = [getattr(r, attr) for r in renames]
        if len(set(paths)) != len(paths):
            parser.error(f"the same {attr} path appears twice")
    if args.stage is None:
        parser.error("--stage is required outside a copier migration (STAGE is not set)")
    project: Path = args.project.resolve()
    try:
        if args.stage == "before":
            check_before(project, renames, args.from_ref)
            return 0
        if not args.from_ref:
            parser.error("--from-ref is required outside a copier migration")
        template = args.template or str(Path(__file__).resolve().parents[1])
        conflicted = apply_after(project, renames, template, args.from_ref)
    except RenameError as error:
        print(f"rename_files: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        detail = error.stderr.decode() if isinstance(error.stderr, bytes) else ""
        print(f"rename_files: {' '.join(error.cmd)} failed: {detail}", file=sys.stderr)
        return 1
    for path in conflicted:
        print(f"rename_files: conflicts left in {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
