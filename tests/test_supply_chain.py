"""Supply chain in generated repos: workflows, SBOM, signing, registry, the README's walkthrough."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Render, clean_env, render_project

BIN = Path(sys.executable).parent
FIXTURE_IDENTITY = (
    "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
)
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
SIGNING_MODES = ("keyless", "key", "none")


def run(command: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, env=clean_env(), capture_output=True, text=True, check=False
    )
    if check:
        assert result.returncode == 0, f"{command}: {result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


@pytest.mark.parametrize("signing", SIGNING_MODES)
@pytest.mark.parametrize("level", ["L3", "L5"])
def test_release_workflows_are_zizmor_clean_and_schema_valid(
    render: Render, signing: str, level: str
) -> None:
    project = render(signing=signing, level=level)
    workflows = sorted(str(path) for path in (project / ".github/workflows").glob("*.yml"))
    assert any(path.endswith("release.yml") for path in workflows)
    assert any(path.endswith("build.yml") for path in workflows) == (level == "L5")
    schema = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    run([*schema, *workflows], project)
    zizmor = [str(BIN / "zizmor"), "--offline", "--persona", "pedantic", ".github/workflows"]
    run(zizmor, project)
    release = (project / ".github/workflows/release.yml").read_text()
    signer = project / f".github/workflows/{'build' if level == 'L5' else 'release'}.yml"
    text = signer.read_text()
    # Only the signing job may mint OIDC tokens; the gates job reads the repository only.
    assert text.count("id-token: write") == 1
    assert "uvx nox -s readiness -- --min-stage beta" in release
    assert "uvx nox -s evals registry" in release
    assert ("gh-action-sigstore-python" in text) == (signing == "keyless")
    assert ("--password-env SIGNING_KEY_PASSWORD" in text) == (signing == "key")


@pytest.mark.parametrize("signing", SIGNING_MODES)
def test_gitlab_release_stage_is_schema_valid(render: Render, signing: str) -> None:
    project = render(ci_provider="gitlab", signing=signing)
    run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"],
        project)  # fmt: skip
    pipeline = (project / ".gitlab-ci.yml").read_text()
    assert ("aud: sigstore" in pipeline) == (signing == "keyless")
    assert "uvx nox -s readiness -- --min-stage beta" in pipeline
    config = (project / "security/signing.toml").read_text()
    assert (
        "'^https://gitlab\\.com/my-org/my-ml-project//\\.gitlab-ci\\.yml@refs/tags/v.+$'" in config
    )


def test_shipped_trust_config_is_the_production_root(
    render: Render, sigstore_fixtures: Path
) -> None:
    shipped = json.loads((render() / "security/sigstore-trust-config.json").read_text())
    fixture = json.loads((sigstore_fixtures / "trust-config.production.json").read_text())
    assert shipped == fixture


def test_registry_kinds_follow_track_and_capabilities(render: Render) -> None:
    def kinds(**answers: Any) -> list[str]:
        schema = json.loads((render(**answers) / "versioning/registry.schema.json").read_text())
        return list(schema["$defs"]["kind"]["enum"])

    assert kinds() == ["model", "dataset", "eval-set", "sbom"]
    assert {"prompt", "retriever", "index", "judge"} <= set(kinds(track="genai-rag"))
    assert {"policy", "environment", "reward"} <= set(kinds(track="rl"))


# --- deep: one rendered, committed and synced project per signing mode -----------------


@pytest.fixture(scope="module", params=SIGNING_MODES)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    signing: str = request.param
    root = render_project(
        tmp_path_factory.mktemp(f"sc-{signing}") / "project", {"signing": signing}
    )
    run(["git", "init", "-q", "-b", "main"], root)
    run(["git", "add", "-A"], root)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init"],
        root)  # fmt: skip
    run(["uv", "sync", "--quiet"], root)
    return root


def cli(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    slug = "my-ml-project"
    return run([str(project / ".venv/bin" / slug), *args], project, check=check)


def one_line_failure(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.deep
def test_sbom_is_valid_and_reproducible(project: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    run(["uvx", "nox", "-s", "sbom"], project)
    sbom = project / "sbom/my-ml-project.cdx.json"
    first = sbom.read_bytes()
    assert list((project / "dist").glob("my_ml_project-*.whl"))
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(first.decode()) is None
    document = json.loads(first)
    root = document["metadata"]["component"]
    assert (root["name"], root["version"]) == ("my-ml-project", "0.1.0")
    names = {component["name"] for component in document["components"]}
    assert {"cryptography", "sigstore", "jsonschema"} <= names
    assert not names & {"pytest", "mypy", "cyclonedx-bom"}, "dev tools leaked into the SBOM"
    run(["uvx", "nox", "-s", "sbom", "--reuse-venv=yes"], project)
    assert sbom.read_bytes() == first


@pytest.mark.deep
def test_generated_supply_chain_tests_pass(project: Path) -> None:
    tests = ["tests/test_signing.py", "tests/test_registry.py", "tests/test_sbom.py"]
    run([str(project / ".venv/bin/pytest"), "-q", "-p", "no:cacheprovider", *tests], project)


@pytest.mark.deep
def test_keyless_verification_of_a_real_production_bundle(
    project: Path, tmp_path: Path, sigstore_fixtures: Path
) -> None:
    wheel = tmp_path / "bundle_v3_github.whl"
    shutil.copy(sigstore_fixtures / "bundle_v3_github.whl", wheel)
    shutil.copy(sigstore_fixtures / "bundle_v3_github.whl.sigstore", f"{wheel}.sigstore.json")
    identity = ["--cert-identity", FIXTURE_IDENTITY, "--cert-oidc-issuer", GITHUB_ISSUER]
    fixture_trust = ["--trust-config", str(sigstore_fixtures / "trust-config.production.json")]
    if (project / "security/signing.toml").read_text().count('mode = "none"'):
        assert "signing is off" in one_line_failure(
            cli(project, "verify", *identity, str(wheel), check=False)
        )
        return
    assert "OK:" in cli(project, "verify", *identity, *fixture_trust, str(wheel)).stdout
    # The repository's own pinned root (the default) verifies it too: same production root.
    assert "OK:" in cli(project, "verify", *identity, str(wheel)).stdout
    regexp = ["--cert-identity-regexp", r"^https://github\.com/trailofbits/.+@refs/tags/v.+$"]
    cli(project, "verify", *regexp, "--cert-oidc-issuer", GITHUB_ISSUER, str(wheel))

    wrong = ["--cert-identity", FIXTURE_IDENTITY.replace("v0.1.2", "v9.9.9"),
             "--cert-oidc-issuer", GITHUB_ISSUER]  # fmt: skip
    assert "wrong identity" in one_line_failure(
        cli(project, "verify", *wrong, str(wheel), check=False)
    )
    gitlab = ["--cert-identity", FIXTURE_IDENTITY, "--cert-oidc-issuer", "https://gitlab.com"]
    assert "wrong issuer" in one_line_failure(
        cli(project, "verify", *gitlab, str(wheel), check=False)
    )
    with wheel.open("ab") as stream:
        stream.write(b"\0")
    reason = one_line_failure(cli(project, "verify", *identity, str(wheel), check=False))
    assert "file does not match its signature" in reason


@pytest.mark.deep
def test_key_signature_is_accepted_by_openssl(project: Path, tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not on PATH")
    work = tmp_path / "work"
    shutil.copytree(project, work, symlinks=True, ignore=shutil.ignore_patterns(".venv", ".nox"))
    config = work / "security/signing.toml"
    config.write_text(re.sub(r'^mode = ".*"', 'mode = "key"', config.read_text(), flags=re.M))
    venv_cli = str(project / ".venv/bin/my-ml-project")
    run([venv_cli, "keygen"], work)
    blob = work / "model.bin"
    blob.write_bytes(os.urandom(4096))
    run([venv_cli, "sign", "--key", "security/signing.key.pem", "model.bin"], work)
    der = tmp_path / "model.sig.der"
    der.write_bytes(base64.b64decode((work / "model.bin.sig").read_bytes()))
    result = run(["openssl", "dgst", "-sha256", "-verify", "security/signing.pub.pem",
                  "-signature", str(der), "model.bin"], work)  # fmt: skip
    assert "Verified OK" in result.stdout


@pytest.mark.deep
def test_readme_walkthrough_runs_as_documented(project: Path, tmp_path: Path) -> None:
    """Run the README's console block line by line: failures only where it says FAIL/REFUSED."""
    work = tmp_path / "work"
    shutil.copytree(project, work, symlinks=True, ignore=shutil.ignore_patterns(".nox"))
    readme = (work / "README.md").read_text()
    block = readme.split("Try the whole loop locally", 1)[1].split("```console\n", 1)[1]
    lines = block.split("```", 1)[0].strip().splitlines()
    intro = readme.split("Try the whole loop locally", 1)[1].split("\n", 1)[0]
    release_key = work / "security/signing.pub.pem"
    if "once the release key exists" in intro:
        # As the README says: the release key was made and its public half committed.
        run([str(work / ".venv/bin/my-ml-project"), "keygen"], work)
        (work / "security/signing.key.pem").unlink()
        run(["git", "add", "security/signing.pub.pem"], work)
        run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "key"],
            work)  # fmt: skip
    committed_key = release_key.read_bytes() if release_key.exists() else None
    status_before = run(["git", "status", "--porcelain"], work).stdout
    if 'first set `mode = "key"`' in intro:
        config = work / "security/signing.toml"
        config.write_text(re.sub(r'^mode = ".*"', 'mode = "key"', config.read_text(), flags=re.M))
    env_path = os.pathsep.join([str(work / ".venv/bin"), str(BIN)])
    outputs = {}
    for line in lines:
        command = line.split("  #", 1)[0].replace("uv run my-ml-project", "my-ml-project")
        result = subprocess.run(
            ["bash", "-c", command], cwd=work, capture_output=True, text=True, check=False,
            env={**os.environ, "PATH": f"{env_path}{os.pathsep}{os.environ['PATH']}"},
        )  # fmt: skip
        expect_failure = "# FAIL" in line or "# REFUSED" in line
        assert (result.returncode != 0) == expect_failure, f"{line}\n{result.stdout}{result.stderr}"
        if expect_failure:
            assert "model churn@2.0.0" in result.stderr
        outputs[command.strip()] = result.stdout
    log = outputs["my-ml-project registry log"]
    assert [line.split()[2] for line in log.splitlines()[:-1]] == (
        ["add"] * 3 + ["release", "add", "release", "rollback"]
    )
    # The walkthrough's last line undoes it: the repository is as it was, `uvx nox` green again.
    assert run(["git", "status", "--porcelain"], work).stdout == status_before
    assert (release_key.read_bytes() if release_key.exists() else None) == committed_key
