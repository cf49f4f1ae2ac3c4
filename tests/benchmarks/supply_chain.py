"""Supply-chain costs in a generated project, each against a floor measured in the same run.

- `nox -s sbom` (build + runtime env + CycloneDX + one validation) vs `uv build --wheel` alone;
- `registry verify` of 100 key-signed 1 MB artifacts vs plain hashlib.sha256 over the same
  100 MB, in-process (min of runs) and through the CLI (including interpreter start-up).

Run through `nox -s bench` (or `python -m tests.benchmarks.supply_chain`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import GIT_IDENTITY, min_time
from tests.conftest import clean_env, render_project

ARTIFACTS = 100
SIZE = 1 << 20
RUNS = 5

# Runs inside the generated project's venv: register ARTIFACTS files, then time verify vs hashlib.
IN_PROJECT = """
import hashlib, json, os, sys, time
from pathlib import Path
from my_ml_project.cli import main
from my_ml_project.supply_chain.registry import Registry

count, size, runs = (int(arg) for arg in sys.argv[1:4])
Path("artifacts").mkdir()
for i in range(count):
    Path(f"artifacts/m{i}.bin").write_bytes(os.urandom(size))
assert main(["keygen"]) == 0
start = time.perf_counter()
for i in range(count):
    Registry.load().add("model", f"m{i}", "1", Path(f"artifacts/m{i}.bin"), sign=True,
                        key=Path("security/signing.key.pem"))
register = time.perf_counter() - start

def best(action):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)

def verify():
    assert Registry.load().verify() == []

def plain_hash():
    for i in range(count):
        with open(f"artifacts/m{i}.bin", "rb") as stream:
            hashlib.file_digest(stream, "sha256")

print(json.dumps({"register": register, "verify": best(verify), "hash": best(plain_hash)}))
"""


def sh(command: list[str], cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, env=clean_env(), check=True, capture_output=True)


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    sh(command, cwd)
    return time.perf_counter() - start


def main() -> int:
    print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}")
    with tempfile.TemporaryDirectory() as tmp:
        project = render_project(Path(tmp) / "project", {"signing": "key"})
        for command in (
            ["git", "init", "-q", "-b", "main"],
            ["git", "add", "-A"],
            ["git", *GIT_IDENTITY, "commit", "-q", "-m", "render"],
            ["uv", "sync", "--quiet"],
        ):
            sh(command, project)

        first = timed(["uvx", "nox", "-s", "sbom"], project)
        warm = min_time(lambda: sh(["uvx", "nox", "-s", "sbom", "--reuse-venv=yes"], project), 3)
        build = min_time(lambda: sh(["uv", "build", "--wheel", "--quiet"], project), 3)
        print(f"nox -s sbom: first run {first:.1f} s (creates its venv), warm {warm:.2f} s")
        print(f"  vs `uv build --wheel` alone {build:.2f} s = {warm / build:.1f}x")

        python = str(project / ".venv/bin/python")
        args = [str(ARTIFACTS), str(SIZE), str(RUNS)]
        out = subprocess.run(
            [python, "-c", IN_PROJECT, *args],
            cwd=project,
            env=clean_env(),
            check=True,
            capture_output=True,
        ).stdout
        figures = json.loads(out.splitlines()[-1])
        megabytes = ARTIFACTS * SIZE / 1e6
        print(f"registry add --sign --key: {ARTIFACTS} x 1 MB in {figures['register']:.2f} s")
        print(
            f"registry verify ({ARTIFACTS} x 1 MB, key-signed), in-process: "
            f"{figures['verify']:.3f} s vs hashlib.sha256 over {megabytes:.0f} MB "
            f"{figures['hash']:.3f} s = {figures['verify'] / figures['hash']:.2f}x"
        )
        cli = min_time(lambda: sh([str(project / ".venv/bin/my-ml-project"), "registry",
                                   "verify"], project), 3)  # fmt: skip
        print(f"`my-ml-project registry verify` wall time (with start-up): {cli:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
