"""Every check this repository runs, locally and in CI: `uvx nox` runs the default set.

Sessions install the project with `uv sync` into their own environment, so the only
prerequisite is uv (https://docs.astral.sh/uv/).
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

# The project's own command; every gate runs through it.
CLI = "my-ml-project"

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv"
nox.options.error_on_external_run = True
# Every session starts with `uv sync`, which makes a reused environment exact again, so
# reusing environments is safe and spares a rebuild on every run.
nox.options.reuse_venv = "yes"
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


def sync(session: nox.Session, *groups: str) -> None:
    """Install the project and only the given dependency groups into the session's venv.

    The gates run in the runtime environment, as in production: no dev tools, and none
    of the optional validators they pull in (jsonschema's format checkers cost seconds).
    """
    group_args = [arg for group in groups for arg in ("--group", group)]
    session.run_install(
        "uv",
        "sync",
        "--quiet",
        "--no-default-groups",
        *group_args,
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
        external=True,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check, workflow schema and zizmor audit."""
    sync(session, "dev")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    workflows = sorted(str(path) for path in Path(".github/workflows").glob("*.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("zizmor", "--offline", "--persona", "pedantic", ".github/workflows")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over src, tests and this file."""
    sync(session, "dev")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite."""
    sync(session, "dev")
    session.run("pytest", *session.posargs)


# --- supply chain: SBOM, signing, registry ---


@nox.session
def sbom(session: nox.Session) -> None:
    """Build the wheel into dist/ and write its runtime SBOM (CycloneDX 1.6 JSON) to sbom/."""
    sync(session, "sbom")
    # Reproducible output: every timestamp is the last commit's (or the caller's), not the clock's.
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or session.run(
        "git", "log", "-1", "--format=%ct", external=True, silent=True
    )
    env = {"SOURCE_DATE_EPOCH": str(epoch).strip()}
    session.run("uv", "build", "--wheel", "--quiet", "--out-dir", "dist", external=True, env=env)
    # The environment the wheel runs in: locked runtime dependencies, the project non-editable.
    runtime = f"{session.create_tmp()}/runtime"
    session.run_install(
        "uv",
        "sync",
        "--quiet",
        "--no-dev",
        "--no-editable",
        env={"UV_PROJECT_ENVIRONMENT": runtime},
        external=True,
    )
    # cyclonedx-py reads static metadata only: hand it the version hatch computes.
    version = str(session.run(CLI, "--version", silent=True)).split()[-1]
    pyproject = Path(session.create_tmp()) / "pyproject.toml"
    static = Path("pyproject.toml").read_text(encoding="utf-8")
    pyproject.write_text(static.replace('dynamic = ["version"]', f'version = "{version}"'))
    output = "sbom/my-ml-project.cdx.json"
    Path("sbom").mkdir(exist_ok=True)
    session.run(
        "cyclonedx-py", "environment", "--sv", "1.6", "--of", "JSON", "--output-reproducible",
        "--no-validate", "--pyproject", str(pyproject), "-o", output, runtime,
        env=env,
    )  # fmt: skip
    # Validated once, here: the generator's own validation would double the cost.
    session.run(CLI, "sbom", "validate", output)


@nox.session
def registry(session: nox.Session) -> None:
    """Check every registered artifact's digest and signature, and the audit trail."""
    sync(session)
    session.run(CLI, "registry", "verify")


@nox.session(name="refresh-trust-root")
def refresh_trust_root(session: nox.Session) -> None:
    """Re-pin the Sigstore trust root from the installed sigstore.

    Upgrade sigstore first (`uv lock --upgrade-package sigstore`) to pick up rotated keys.
    """
    sync(session)
    session.run(CLI, "refresh-trust-root")


# --- gates: evals and readiness ---


@nox.session
def evals(session: nox.Session) -> None:
    """Predict on the golden sets, then gate on metrics vs floors and evals/baseline.json.

    `-- --update-baseline` rewrites the baseline from this run: a deliberate, reviewed change.
    """
    sync(session)
    session.run(CLI, "predict")
    session.run(CLI, "evals", *session.posargs)


@nox.session
def readiness(session: nox.Session) -> None:
    """Go/no-go: the docs' readiness checklists against the stage in readiness.toml.

    `-- --min-stage beta` also fails below that stage (what a release tag runs).
    """
    sync(session)
    session.run(CLI, "readiness", *session.posargs)


# --- template updates ---


@nox.session
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
    session.run("python", "tools/update_check.py")
