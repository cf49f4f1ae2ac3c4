"""The generated registry under real processes: concurrent writers, and kill -9 at every step.

One render per module (signing off: the subject is the registry's write path, not signing).
Every command runs as its own Python process against the rendered project's environment.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import clean_env, git_commit_all, render_project

pytestmark = pytest.mark.deep

PACKAGE = "my_ml_project"  # the default package name
WRITERS = 6  # concurrent `registry add` processes per round
ROUNDS = 4
MAX_STEPS = 40  # a write has far fewer durable steps; more means the loop never ends
TIMEOUT = 120  # seconds for any one command

# Starts the CLI at an agreed instant (after its imports), so the writers really overlap.
RACER = """
import sys, time
from {package}.cli import main
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
sys.exit(main(sys.argv[2:]))
"""

# Runs the CLI and SIGKILLs itself instead of performing its N-th durable step: an fsync, a
# rename, a truncation or an unlink. With N past the last step the command completes.
CRASHER = """
import os, signal, sys
from {package}.cli import main
limit, seen = int(sys.argv[1]), [0]
def crashing(function):
    def step(*args, **kwargs):
        seen[0] += 1
        if seen[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return step
for name in ("fsync", "replace", "rename", "truncate", "ftruncate", "unlink"):
    setattr(os, name, crashing(getattr(os, name)))
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = render_project(tmp_path_factory.mktemp("processes") / "p", {"signing": "none"})
    git_commit_all(root)
    subprocess.run(
        ["uv", "sync", "--quiet", "--no-default-groups"],
        cwd=root, env=clean_env(), check=True, timeout=600,
    )  # fmt: skip
    (root / "artifacts").mkdir()
    for number in range(WRITERS * ROUNDS + 4):
        (root / "artifacts" / f"m{number}.bin").write_bytes(f"model {number}\n".encode() * 64)
    return root


def python(project: Path) -> str:
    return str(project / ".venv" / "bin" / "python")


def cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python(project), "-m", PACKAGE, *args],
        cwd=project, env=clean_env(), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip


def reset(project: Path, *setup: tuple[str, ...]) -> None:
    """Back to the rendered registry, then run the setup commands (each must succeed)."""
    shutil.rmtree(project / "versioning")
    subprocess.run(["git", "checkout", "--", "versioning"], cwd=project, check=True)
    for args in setup:
        result = cli(project, *args)
        assert result.returncode == 0, result.stderr


def registered(project: Path) -> set[str]:
    data = json.loads((project / "versioning" / "registry.json").read_text())
    return {artifact["name"] for artifact in data["artifacts"]}


def leftovers(project: Path) -> list[str]:
    return sorted(path.name for path in (project / "versioning").iterdir() if path.suffix == ".tmp")


def test_concurrent_writers_lose_nothing(project: Path) -> None:
    reset(project)
    racer = RACER.format(package=PACKAGE)
    lost, refused, errors = 0, 0, []
    for round_number in range(ROUNDS):
        start = time.time() + 2.0  # past every writer's imports
        names = [f"m{round_number * WRITERS + i}" for i in range(WRITERS)]
        command = [python(project), "-c", racer, str(start), "registry", "add", "model"]
        writers = [
            subprocess.Popen(
                [*command, name, "1.0.0", f"artifacts/{name}.bin"],
                cwd=project,
                env=clean_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in names
        ]
        outcomes = [writer.communicate(timeout=TIMEOUT) for writer in writers]
        said_registered = {
            name for name, (out, _) in zip(names, outcomes, strict=True)
            if out.startswith("registered:")
        }  # fmt: skip
        lost += len(said_registered - registered(project))
        refused += sum(writer.returncode != 0 for writer in writers)
        errors += [err for _, err in outcomes if err]
    # Every writer waits for the lock and succeeds; none is told "registered" and then lost.
    assert (lost, refused, errors) == (0, 0, []), f"{lost} lost, {refused} refused: {errors[:3]}"
    verify = cli(project, "registry", "verify")
    assert verify.returncode == 0, verify.stderr
    assert f"OK: {WRITERS * ROUNDS} artifact(s)" in verify.stdout
    assert leftovers(project) == []


def test_lock_timeout_names_the_lock(project: Path) -> None:
    reset(project)
    holder = subprocess.Popen(
        [python(project), "-c",
         "import sys, time; from filelock import FileLock\n"
         "with FileLock('versioning/.registry.lock'):\n"
         "    print('held', flush=True); time.sleep(30)"],
        cwd=project, env=clean_env(), stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        env = {**clean_env(), "REGISTRY_LOCK_TIMEOUT": "0.5"}
        began = time.monotonic()
        result = subprocess.run(
            [python(project), "-m", PACKAGE, "registry", "add", "model", "late", "1.0.0",
             "artifacts/m0.bin"],
            cwd=project, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip
        elapsed = time.monotonic() - began
    finally:
        holder.kill()
        holder.wait(timeout=TIMEOUT)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "versioning/.registry.lock" in result.stderr
    assert elapsed < 10
    assert registered(project) == set()


# Each write: the commands that make it possible, the write, and what `registry list` prints
# once it took effect.
WRITES = {
    "add": (
        (),
        ("registry", "add", "model", "new", "1.0.0", "artifacts/m1.bin"),
        "model new@1.0.0",
    ),
    "release": (
        (("registry", "add", "model", "a", "1.0.0", "artifacts/m0.bin"),),
        ("release", "first", "--model", "a@1.0.0"),
        "current release: first",
    ),
    "rollback": (
        (
            ("registry", "add", "model", "a", "1.0.0", "artifacts/m0.bin"),
            ("registry", "add", "model", "a", "2.0.0", "artifacts/m1.bin"),
            ("release", "first", "--model", "a@1.0.0"),
            ("release", "second", "--model", "a@2.0.0"),
        ),
        ("rollback",),
        "current release: first",
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_kill_at_every_step_leaves_a_state_the_next_command_recovers(
    project: Path, write: str
) -> None:
    setup, command, done = WRITES[write]
    crasher = CRASHER.format(package=PACKAGE)
    outcomes: set[str] = set()
    reset(project, *setup)
    before = project.parent / f"versioning-before-{write}"
    shutil.copytree(project / "versioning", before)
    for step in range(1, MAX_STEPS + 1):
        shutil.rmtree(project / "versioning")
        shutil.copytree(before, project / "versioning")
        crashed = subprocess.run(
            [python(project), "-c", crasher, str(step), *command],
            cwd=project, env=clean_env(), capture_output=True, text=True, timeout=TIMEOUT,
            check=False,
        )  # fmt: skip
        # The next command, whatever it is, finds a sound registry (finishing the write or not).
        verify = cli(project, "registry", "verify")
        assert verify.returncode == 0, f"{write}, killed at step {step}: {verify.stderr}"
        assert leftovers(project) == [], f"{write}, killed at step {step}"
        if crashed.returncode != -signal.SIGKILL:
            assert crashed.returncode == 0, crashed.stderr
            assert done in cli(project, "registry", "list").stdout
            # Both ends were reached: kills that left the old state, and kills after which the
            # next command finished the write from the journal.
            assert outcomes == {"old state", "finished"}, outcomes
            return
        if "note: finished an interrupted" in verify.stderr:
            outcomes.add("finished")
            assert done in cli(project, "registry", "list").stdout
        elif done not in cli(project, "registry", "list").stdout:
            outcomes.add("old state")
            # Running the interrupted command again completes it.
            again = cli(project, *command)
            assert again.returncode == 0, f"{write}, killed at step {step}: {again.stderr}"
            assert done in cli(project, "registry", "list").stdout
        assert cli(project, "registry", "verify").returncode == 0
    pytest.fail(f"{write} still had a step to kill after {MAX_STEPS}")


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
