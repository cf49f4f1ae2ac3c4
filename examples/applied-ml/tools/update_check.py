"""Fail when a template update left anything unresolved.

`copier update` exits 0 even when it leaves conflicts, so `nox -s update` runs this check
right after the update, and `nox -s update-check` re-runs it once you have resolved them.
It fails listing unmerged files, files with conflict markers, `*.rej` files and, while an
update is uncommitted, tracked files it deleted (the template no longer renders them for
your answers, edited or not: keep or drop each one explicitly), and warns when the answers
file points at the template in a way that later updates cannot follow. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ANSWERS_FILE = ".copier-answers.yml"
# Built from parts so that this file does not hold the markers it looks for.
MARKERS = tuple(char * 7 for char in "<>")
# Environments and caches: never edited by an update, and slow to walk.
SKIP_DIRS = {
    ".git",
    ".venv",
    ".nox",
    ".mypy_cache",
    ".mypy-cache",  # GitLab CI's (MYPY_CACHE_DIR)
    ".uv-cache",  # GitLab CI's (UV_CACHE_DIR)
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "__pycache__",
    "node_modules",
}


def git(root: Path, *args: str) -> list[str]:
    """NUL-separated output of a read-only git command."""
    try:
        result = subprocess.run(  # noqa: S603
            ["git", *args, "-z"],  # noqa: S607
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
    except FileNotFoundError:
        sys.exit("update_check: git is not installed.")
    except subprocess.CalledProcessError as error:
        sys.exit(f"update_check: {root} is not a git repository ({error.stderr.strip()}).")
    return [entry for entry in result.stdout.split("\0") if entry]


def unmerged_files(root: Path) -> list[str]:
    # Entries look like "<mode> <sha> <stage>\t<path>", one per stage.
    return sorted({entry.split("\t", 1)[1] for entry in git(root, "ls-files", "--unmerged")})


def update_in_progress(root: Path) -> bool:
    """An update is not yet committed: copier rewrote the answers file and it differs from HEAD.

    `copier update` needs a clean tree, so while this holds every unacknowledged deletion
    is the update's; otherwise a deletion is everyday work that commits as usual.
    """
    result = subprocess.run(  # noqa: S603
        ["git", "diff", "--quiet", "HEAD", "--", ANSWERS_FILE],  # noqa: S607
        cwd=root,
        capture_output=True,
        check=False,
    )
    return result.returncode == 1  # 0: unchanged; 128: no commit yet, so no update either


def deleted_files(root: Path) -> list[str]:
    # Deleted in the working tree but still in the index: not yet acknowledged with `git rm`.
    if not update_in_progress(root):
        return []
    return sorted(set(git(root, "ls-files", "--deleted")))


def has_marker(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if b"\0" in data[:8192]:
        return False  # binary
    for line in data.decode("utf-8", "replace").splitlines():
        if line.startswith(MARKERS) and line[7:8] in ("", " "):
            return True
    return False


def files_with_markers(root: Path) -> list[str]:
    candidates = git(root, "ls-files", "--cached", "--others", "--exclude-standard")
    return sorted({name for name in candidates if has_marker(root / name)})


def rejected_hunks(root: Path) -> list[str]:
    # Walked rather than asked of git: a `*.rej` can sit in an ignored directory.
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [name for name in subdirs if name not in SKIP_DIRS]
        found += [
            (Path(directory) / name).relative_to(root).as_posix()
            for name in files
            if name.endswith(".rej")
        ]
    return sorted(found)


def source_warning(root: Path) -> str | None:
    """Why later updates (or Renovate) may not find the template again, if they may not."""
    answers = root / ANSWERS_FILE
    if not answers.is_file():
        return f"{ANSWERS_FILE} is missing: copier update cannot find the template."
    match = re.search(r"^_src_path:\s*(.+?)\s*$", answers.read_text(encoding="utf-8"), re.M)
    if match is None:
        return f"{ANSWERS_FILE} has no _src_path: copier update cannot find the template."
    source = match.group(1).strip("'\"")
    if not source.startswith("https://"):
        return (
            f"{ANSWERS_FILE} records the template as {source!r}, which Renovate and other "
            "machines cannot follow: set _src_path to the template's https clone URL "
            "(https://.../ml-golden-path.git) and commit."
        )
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("root", nargs="?", type=Path, default=Path(), help="project root")
    root: Path = parser.parse_args(argv).root.resolve()

    if warning := source_warning(root):
        print(f"warning: {warning}", file=sys.stderr)
    problems = {
        "unmerged in git (resolve, then `git add` them)": unmerged_files(root),
        "conflict markers left in": files_with_markers(root),
        "rejected hunks to apply by hand, then delete": rejected_hunks(root),
        "deleted by the update (keep: `git checkout HEAD -- PATH`; drop: `git rm PATH`)": (
            deleted_files(root)
        ),
    }
    if not any(problems.values()):
        print("update-check: no unresolved template-update conflicts.")
        return 0
    for heading, paths in problems.items():
        if paths:
            print(f"{heading}:", file=sys.stderr)
            print("".join(f"  {path}\n" for path in paths), end="", file=sys.stderr)
    print(
        "update-check: resolve these, then run `uvx nox -s update-check` again before committing.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
