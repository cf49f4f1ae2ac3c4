"""The generated repository's daily loop vs a minimal uv project doing the same kind of work.

Issue 9's targets, measured in one run with the two sides alternating, so a loaded machine
affects both alike:

- warm: `uvx nox` in a fresh clone of the default render vs the peer's
  `uv sync && uv run ruff check . && uv run mypy --strict src && uv run pytest -q` in a fresh
  clone of the peer, each side's uv cache filled by an earlier run (CPU ratio <= 2.0);
- cold: the same with an empty uv cache on both sides (CPU ratio <= 2.5);
- first run (reported, no target): warm, but in the render as copier leaves it, before its
  first run has written `uv.lock` (the render ships none: the lock depends on the answers);
- `uv run <slug> registry list` in the render vs the same command from a runtime-only
  environment (`uv sync --no-dev` into a separate env, then `<env>/bin/<slug>`) (<= 1.2).

CPU is user+sys of all waited-for descendants (`getrusage(RUSAGE_CHILDREN)` deltas), wall is
`perf_counter`; each figure is the min over its rounds. Each side has its own uv cache and
XDG cache home inside a scratch directory, so neither the machine's caches nor the other side
help it. Both sides are measured as a team lives in them: the lock committed (the peer's by
hand, the render's by the step its README gives: run `uvx nox` once, commit `uv.lock`). Each
default session of the warm render alone (`uvx nox -s NAME`, and `--list` for nox's own
start-up) shows where the CPU goes. Exits 1 when a target is missed. Run through
`nox -s bench` (or `python -m tests.benchmarks.daily_loop` from the dev environment).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.common import GIT_IDENTITY
from tests.conftest import clean_env, git_commit_all, render_project

PEER_SEQUENCE = "uv sync && uv run ruff check . && uv run mypy --strict src && uv run pytest -q"
WARM_TIMEOUT = 600  # seconds for one warm run of one side
COLD_TIMEOUT = 900  # seconds for one cold run (downloads everything)
LIST_TIMEOUT = 180
TARGETS = {"warm": 2.0, "cold": 2.5, "registry list": 1.2, "first run": None}

PEER_PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.27"]
build-backend = "hatchling.build"

[project]
name = "peer"
version = "0.1.0"
description = "The lightest uv project with the same daily loop."
readme = "README.md"
requires-python = ">=3.11"
dependencies = []

[dependency-groups]
dev = ["mypy>=1.15", "pytest>=8.3", "ruff>=0.11"]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""
PEER_MODULE = '''\
"""A module worth checking."""


def mean(values: list[float]) -> float:
    """The arithmetic mean of a non-empty list."""
    if not values:
        raise ValueError("mean of nothing")
    return sum(values) / len(values)
'''
PEER_TEST = """\
import pytest

from peer import mean


def test_mean() -> None:
    assert mean([1.0, 2.0, 3.0]) == 2.0


def test_mean_of_nothing() -> None:
    with pytest.raises(ValueError, match="nothing"):
        mean([])
"""


class BenchError(Exception):
    """A command failed or timed out: the measurement is void."""


@dataclass(frozen=True)
class Cost:
    cpu: float
    wall: float


def measure(
    command: list[str], cwd: Path, env: Mapping[str, str], timeout: float, label: str
) -> Cost:
    """CPU (user+sys of children) and wall time of one command; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        result = subprocess.run(
            command,
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{label}: timed out after {timeout:.0f} s") from error
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-3000:]
        raise BenchError(f"{label}: exit {result.returncode}\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Cost(cpu, wall)


def best(costs: list[Cost]) -> Cost:
    return Cost(min(c.cpu for c in costs), min(c.wall for c in costs))


def side_env(home: Path) -> dict[str, str]:
    """The caller's environment with this side's own uv cache and XDG cache home."""
    env = {k: v for k, v in clean_env().items() if not k.startswith("UV_CACHE")}
    env["UV_CACHE_DIR"] = str(home / "uv")
    env["XDG_CACHE_HOME"] = str(home / "xdg")
    return env


def fresh_clone(source: Path, scratch: Path, name: str) -> Path:
    destination = scratch / name
    shutil.rmtree(destination, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(source), str(destination)], check=True, timeout=120)
    return destination


def build_peer(destination: Path) -> Path:
    """One module, one test file, a dev group of ruff+mypy+pytest, and a committed lock."""
    package = destination / "src" / "peer"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        '"""The peer package."""\n\nfrom peer.stats import mean\n\n__all__ = ["mean"]\n'
    )
    (package / "stats.py").write_text(PEER_MODULE)
    (package / "py.typed").write_text("")
    (destination / "tests").mkdir()
    (destination / "tests" / "test_stats.py").write_text(PEER_TEST)
    (destination / "pyproject.toml").write_text(PEER_PYPROJECT)
    (destination / "README.md").write_text("# peer\n")
    (destination / ".gitignore").write_text(".venv/\n*_cache/\n__pycache__/\n")
    # Locked with the machine's own cache: the measured sides' caches stay empty until used.
    subprocess.run(["uv", "lock", "--quiet"], cwd=destination, env=clean_env(), check=True,
                   timeout=300)  # fmt: skip
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", *GIT_IDENTITY, "commit", "-q", "-m", "peer"],
    ):
        subprocess.run(command, cwd=destination, check=True, timeout=60)
    return destination


def slug_of(project: Path) -> str:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    scripts: dict[str, str] = pyproject["project"]["scripts"]
    return next(iter(scripts))


def row(metric: str, ours: Cost, peer: Cost, peer_label: str) -> tuple[list[str], bool]:
    target = TARGETS[metric]
    cpu_ratio = ours.cpu / peer.cpu
    ok = target is None or cpu_ratio <= target
    cells = [
        metric,
        f"{ours.cpu:.1f} / {ours.wall:.1f}",
        f"{peer.cpu:.1f} / {peer.wall:.1f}",
        f"{cpu_ratio:.2f}x / {ours.wall / peer.wall:.2f}x",
        "reported" if target is None else f"CPU <= {target}",
        "-" if target is None else "PASS" if ok else "FAIL",
        peer_label,
    ]
    return cells, ok


def default_sessions(project: Path) -> list[str]:
    """The sessions a bare `uvx nox` runs, read from the render's own noxfile."""
    listed = subprocess.run(["uvx", "nox", "--list", "--json"], cwd=project, env=clean_env(),
                            capture_output=True, text=True, check=True, timeout=120)  # fmt: skip
    return [item["session"] for item in json.loads(listed.stdout)]  # --json lists selected only


def print_table(rows: list[list[str]]) -> None:
    header = ["metric", "ours CPU/wall s", "peer CPU/wall s", "ratio CPU/wall", "target",
              "verdict", "peer"]  # fmt: skip
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for cells in [header, ["-" * w for w in widths], *rows]:
        print(" | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--warm-rounds", type=int, default=3)
    parser.add_argument("--cold-rounds", type=int, default=1)
    parser.add_argument("--list-rounds", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mlgp-daily-loop-") as tmp:
        scratch = Path(tmp)
        first_src = render_project(scratch / "render-first")
        git_commit_all(first_src)
        # The render as its README leaves it: one `uvx nox`, then `uv.lock` committed.
        ours_src = render_project(scratch / "render")
        git_commit_all(ours_src)
        measure(["uvx", "nox"], ours_src, clean_env(), COLD_TIMEOUT, "lock the render")
        git_commit_all(ours_src)
        peer_src = build_peer(scratch / "peer")
        slug = slug_of(ours_src)
        print(
            f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}, "
            f"render ships uv.lock: {(first_src / 'uv.lock').exists()}, both sides commit it"
        )
        ours_cmd = ["uvx", "nox"]
        peer_cmd = ["sh", "-c", PEER_SEQUENCE]
        homes = {"ours": scratch / "home-ours", "peer": scratch / "home-peer"}

        def run_side(side: str, home: Path, timeout: float, label: str) -> Cost:
            src, command = {
                "ours": (ours_src, ours_cmd),
                "first": (first_src, ours_cmd),
                "peer": (peer_src, peer_cmd),
            }[side]
            clone = fresh_clone(src, scratch, f"clone-{side}")
            return measure(command, clone, side_env(home), timeout, f"{label} {side}")

        try:
            # Cold first: each side's own empty cache, which these runs then fill for warm.
            cold: dict[str, list[Cost]] = {"ours": [], "peer": []}
            for number in range(args.cold_rounds):
                for side in ("ours", "peer"):
                    home = homes[side] if number == 0 else scratch / f"cold-{side}-{number}"
                    cold[side].append(run_side(side, home, COLD_TIMEOUT, "cold"))
            warm: dict[str, list[Cost]] = {"ours": [], "first": [], "peer": []}
            for _ in range(args.warm_rounds):
                for side in ("ours", "first", "peer"):
                    home = homes["peer" if side == "peer" else "ours"]
                    warm[side].append(run_side(side, home, WARM_TIMEOUT, "warm"))

            # Where the render's warm CPU goes: each default session alone in a fresh clone.
            breakdown: dict[str, Cost] = {}
            clone = fresh_clone(ours_src, scratch, "clone-sessions")
            env = side_env(homes["ours"])
            for name in ["--list", *default_sessions(ours_src)]:
                command = ["uvx", "nox", name if name == "--list" else f"--session={name}"]
                breakdown[name] = measure(command, clone, env, WARM_TIMEOUT, f"session {name}")

            # registry list: the render's documented `uv run` vs its runtime-only environment.
            project = fresh_clone(ours_src, scratch, "clone-list")
            env = side_env(homes["ours"])
            runtime = scratch / "runtime-env"
            measure(["uv", "run", slug, "--help"], project, env, WARM_TIMEOUT, "uv run setup")
            measure(["uv", "sync", "--quiet", "--no-dev"], project,
                    {**env, "UV_PROJECT_ENVIRONMENT": str(runtime)}, WARM_TIMEOUT,
                    "runtime env setup")  # fmt: skip
            listed: dict[str, list[Cost]] = {"ours": [], "peer": []}
            uv_run = ["uv", "run", slug, "registry", "list"]
            from_runtime = [str(runtime / "bin" / slug), "registry", "list"]
            for _ in range(args.list_rounds):
                listed["ours"].append(measure(uv_run, project, env, LIST_TIMEOUT, "uv run list"))
                listed["peer"].append(
                    measure(from_runtime, project, env, LIST_TIMEOUT, "runtime list")
                )
        except BenchError as error:
            print(f"daily loop benchmark void: {error}", file=sys.stderr)
            return 2

    results = [
        row("warm", best(warm["ours"]), best(warm["peer"]),
            f"peer sequence, min of {args.warm_rounds}"),
        row("cold", best(cold["ours"]), best(cold["peer"]),
            f"peer sequence, min of {args.cold_rounds}"),
        row("registry list", best(listed["ours"]), best(listed["peer"]),
            f"<env>/bin/{slug}, min of {args.list_rounds}"),
        row("first run", best(warm["first"]), best(warm["peer"]),
            f"peer sequence, min of {args.warm_rounds}"),
    ]  # fmt: skip
    print(f"ours: `uvx nox` in a fresh clone; peer: `{PEER_SEQUENCE}` in a fresh clone")
    print_table([cells for cells, _ in results])
    print("warm render, each session alone (CPU s, each including nox's own start-up):")
    print(", ".join(f"{name} {cost.cpu:.2f}" for name, cost in breakdown.items()))
    print(f"daily loop benchmark took {time.perf_counter() - started:.0f} s")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
