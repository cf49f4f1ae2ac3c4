"""Every check this repository runs, locally and in CI: `uvx nox` runs the default set.

The only prerequisite is uv (https://docs.astral.sh/uv/). Every environment runs Python
3.11, the project's python_version. lint, typecheck and tests share the project's
`.venv`, the environment `uv run` uses, so the commands in README.md run in it too; the gates
(registry, evals, readiness) share one runtime environment without dev tools, as in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nox

# The project's own command; every gate runs through it.
CLI = "my-ml-project"

nox.needs_version = ">=2025.2.9"
# uv makes and syncs every environment; nox only runs commands in them.
nox.options.default_venv_backend = "none"
# update-check is cheap and catches conflict markers a template update (or a bot's pull
# request) left in documents that no other check reads.
nox.options.sessions = [
    "lint",
    "typecheck",
    "tests",
    "registry",
    "evals",
    "readiness",
    "update-check",
]

PYTHON = "3.11"
# The gates' environment: the project and its locked runtime dependencies only, no dev
# tools and none of the optional validators they pull in.
RUNTIME = Path(".nox", "runtime").absolute()
_synced: set[str] = set()


def sync(session: nox.Session, environment: Path | None = None, *args: str) -> dict[str, str]:
    """Make `environment` (default: the project's `.venv`) exactly the lock's, once per run.

    Returns the variables that point `uv run` at it. Stops the whole run in one line when
    Python 3.11 is missing: every session needs it.
    """
    env = {} if environment is None else {"UV_PROJECT_ENVIRONMENT": str(environment)}
    key = f"{environment} {args}"
    if key in _synced:
        return env
    if not _synced:
        found = session.run(
            "uv", "python", "find", PYTHON,
            silent=True, stderr=subprocess.DEVNULL, success_codes=[0, 1, 2], external=True,
        )  # fmt: skip
        if not str(found).strip():
            sys.exit(
                f"Python {PYTHON} (this project's python_version) was not found: "
                f"run `uv python install {PYTHON}`, then rerun."
            )
    session.run_install("uv", "sync", "--quiet", "--python", PYTHON, *args, env=env, external=True)
    _synced.add(key)
    return env


def run(
    session: nox.Session, *args: str, env: dict[str, str] | None = None, silent: bool = False
) -> object:
    """Run a command in an environment `sync` made (default: the project's `.venv`).

    With `silent`, returns what it printed.
    """
    return session.run("uv", "run", "--no-sync", *args, env=env, silent=silent, external=True)


def runtime(session: nox.Session) -> dict[str, str]:
    """The gates run here, as in production: no dev tools, no optional validators."""
    return sync(session, RUNTIME, "--no-default-groups")


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    sync(session)
    run(session, "ruff", "check", ".")
    run(session, "ruff", "format", "--check", ".")
    run(session, "check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over src, tests and this file (its cache is outside the checkout)."""
    sync(session)
    run(session, "mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite."""
    sync(session)
    run(session, "pytest", *session.posargs)


# --- supply chain: SBOM, signing, registry ---


@nox.session
def sbom(session: nox.Session) -> None:
    """Build the wheel into dist/ and write its runtime SBOM (CycloneDX 1.6 JSON) to sbom/."""
    env = sync(session, Path(".nox", "sbom").absolute(), "--no-default-groups", "--group", "sbom")
    # Reproducible output: every timestamp is the last commit's (or the caller's), not the clock's.
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or session.run(
        "git", "log", "-1", "--format=%ct", external=True, silent=True
    )
    env["SOURCE_DATE_EPOCH"] = str(epoch).strip()
    session.run("uv", "build", "--wheel", "--quiet", "--out-dir", "dist", external=True, env=env)
    # The environment the wheel runs in: locked runtime dependencies, the project non-editable.
    # Kept between runs like every other environment: `uv sync` only refreshes the project.
    wheel_env = Path(".nox", "sbom-runtime").absolute()
    sync(session, wheel_env, "--no-default-groups", "--no-editable")
    # cyclonedx-py reads static metadata only: hand it the version hatch computes.
    version = str(run(session, CLI, "--version", env=env, silent=True)).split()[-1]
    pyproject = Path(".nox", "sbom-metadata", "pyproject.toml")
    pyproject.parent.mkdir(parents=True, exist_ok=True)
    static = Path("pyproject.toml").read_text(encoding="utf-8")
    pyproject.write_text(static.replace('dynamic = ["version"]', f'version = "{version}"'))
    output = "sbom/my-ml-project.cdx.json"
    Path("sbom").mkdir(exist_ok=True)
    run(
        session, "cyclonedx-py", "environment", "--sv", "1.6", "--of", "JSON",
        "--output-reproducible", "--no-validate", "--pyproject", str(pyproject), "-o", output,
        str(wheel_env), env=env,
    )  # fmt: skip
    # Validated once, here: the generator's own validation would double the cost.
    run(session, CLI, "sbom", "validate", output, env=env)


@nox.session
def registry(session: nox.Session) -> None:
    """Check every registered artifact's digest and signature, and the audit trail."""
    run(session, CLI, "registry", "verify", env=runtime(session))


@nox.session(name="refresh-trust-root")
def refresh_trust_root(session: nox.Session) -> None:
    """Re-pin the Sigstore trust root from the installed sigstore.

    Upgrade sigstore first (`uv lock --upgrade-package sigstore`) to pick up rotated keys.
    """
    run(session, CLI, "refresh-trust-root", env=runtime(session))


# --- gates: evals and readiness ---


@nox.session
def evals(session: nox.Session) -> None:
    """Predict on the golden sets, then gate on metrics vs floors and evals/baseline.json.

    `-- --update-baseline` rewrites the baseline from this run: a deliberate, reviewed change.
    """
    env = runtime(session)
    run(session, CLI, "predict", env=env)
    run(session, CLI, "evals", *session.posargs, env=env)


@nox.session
def readiness(session: nox.Session) -> None:
    """Go/no-go: the docs' readiness checklists against the stage in readiness.toml.

    `-- --min-stage beta` also fails below that stage (what a release tag runs).
    """
    run(session, CLI, "readiness", *session.posargs, env=runtime(session))


# --- template updates ---


@nox.session(venv_backend="uv")
def update(session: nox.Session) -> None:
    """Update from the template as Renovate does, then fail if conflicts are left.

    Extra arguments go to copier, e.g. `-- --vcs-ref v0.2.0`, `-- --data level=L5`, `-- --trust`.
    """
    # Into the session only: `uv sync` could rewrite uv.lock, and copier refuses a dirty tree.
    session.install("copier==9.19.1")  # the version the drift check in CI runs
    session.run("copier", "update", "--skip-answered", "--defaults", *session.posargs)
    session.run("python", "tools/update_check.py")


@nox.session(name="update-check")
def update_check(session: nox.Session) -> None:
    """Fail listing conflicts, *.rej files and deletions a template update left unresolved."""
    session.run(sys.executable, "tools/update_check.py", external=True)  # standard library only
