"""The registry: immutable versions, joint releases, rollback, audit trail, verify-at-deploy."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from my_ml_project.cli import main
from my_ml_project.supply_chain import audit, registry
from my_ml_project.supply_chain.config import SupplyChainError
from my_ml_project.supply_chain.registry import Registry, load_verified

from supply_chain_support import REPO, make_repo

KEY = Path("security/signing.key.pem")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A key-mode repository with a key pair and two model versions and a dataset on disk."""
    make_repo(tmp_path, "key")
    monkeypatch.chdir(tmp_path)
    assert main(["keygen"]) == 0
    Path("artifacts").mkdir()
    for name in ("model-1.bin", "model-2.bin", "train.csv"):
        Path("artifacts", name).write_bytes(name.encode() * 100)
    return tmp_path


def add(kind: str, name: str, version: str, path: str) -> dict[str, object]:
    artifact, _ = Registry.load().add(kind, name, version, Path(path), sign=True, key=KEY)
    return artifact


def test_add_release_rollback_and_audit(repo: Path) -> None:
    model = add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    add("model", "churn", "2.0.0", "artifacts/model-2.bin")
    add("dataset", "train", "2024-06", "artifacts/train.csv")
    dataset = ("dataset", "train@2024-06")
    first, _ = Registry.load().release("first", [("model", "churn@1.0.0"), dataset])
    second, _ = Registry.load().release("second", [dataset, ("model", "churn@2.0.0")])
    assert first["id"] != second["id"]
    assert load_verified("model", "churn") == Path("artifacts/model-2.bin")

    rolled_back = Registry.load().rollback()
    assert rolled_back["id"] == first["id"]
    assert load_verified("model", "churn") == Path("artifacts/model-1.bin")
    with pytest.raises(SupplyChainError, match="nothing to roll back to"):
        Registry.load().rollback()

    assert Registry.load().verify() == []
    entries = audit.read_chain(audit.AUDIT_FILE)
    assert [entry["action"] for entry in entries] == ["add"] * 3 + ["release"] * 2 + ["rollback"]
    assert entries[0]["details"] == {"id": registry.immutable_id(model)}


def test_release_id_depends_only_on_member_digests(repo: Path) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    add("dataset", "train", "1", "artifacts/train.csv")
    members = [("model", "churn@1.0.0"), ("dataset", "train@1")]
    release, _ = Registry.load().release("a", members)
    artifacts = Registry.load().data["artifacts"]
    assert release["id"] == registry.release_id(list(reversed(artifacts)))
    again, changed = Registry.load().release("a", list(reversed(members)))
    assert (again["id"], changed) == (release["id"], False)


def test_release_names_and_member_sets_go_one_to_one(repo: Path) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    add("model", "churn", "2.0.0", "artifacts/model-2.bin")
    Registry.load().release("first", [("model", "churn@1.0.0")])
    before = Path(registry.REGISTRY_FILE).read_bytes()
    with pytest.raises(SupplyChainError, match="redeploy it by that name, not 'again'"):
        Registry.load().release("again", [("model", "churn@1.0.0")])
    with pytest.raises(SupplyChainError, match="a release name is never reused"):
        Registry.load().release("first", [("model", "churn@2.0.0")])
    assert Path(registry.REGISTRY_FILE).read_bytes() == before


def test_versions_are_immutable(repo: Path) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    before = Path(registry.REGISTRY_FILE).read_bytes()
    with pytest.raises(SupplyChainError, match="versions are immutable"):
        add("model", "churn", "1.0.0", "artifacts/model-2.bin")
    _, added = Registry.load().add("model", "churn", "1.0.0", Path("artifacts/model-1.bin"))
    assert not added
    assert Path(registry.REGISTRY_FILE).read_bytes() == before


def test_tampered_artifact_is_refused_by_verify_and_deploy(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    Registry.load().release("first", [("model", "churn@1.0.0")])
    with Path("artifacts/model-1.bin").open("ab") as stream:
        stream.write(b"backdoor")
    assert main(["registry", "verify"]) == 1
    assert "model churn@1.0.0: artifacts/model-1.bin: sha256 is" in capsys.readouterr().err
    with pytest.raises(SupplyChainError, match="file changed since registration"):
        load_verified("model", "churn")
    assert main(["deploy"]) == 1
    assert "REFUSED: model churn@1.0.0" in capsys.readouterr().err


def test_signature_by_an_unknown_key_is_refused(repo: Path) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    for path in Path("security").glob("signing.*.pem"):
        path.unlink()
    assert main(["keygen"]) == 0  # the configured public key is now a different key
    failures = Registry.load().verify()
    assert len(failures) == 1
    assert "unknown key" in failures[0]


def test_a_foreign_key_is_refused_before_it_replaces_a_good_signature(repo: Path) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    good = Path("artifacts/model-1.bin.sig").read_bytes()
    assert main(["keygen", "--prefix", "other"]) == 0
    with pytest.raises(SupplyChainError, match="is not the private half of"):
        Registry.load().add(
            "model", "churn", "9.0.0", Path("artifacts/model-1.bin"), sign=True,
            key=Path("other.key.pem"),
        )  # fmt: skip
    assert Path("artifacts/model-1.bin.sig").read_bytes() == good
    assert Registry.load().verify() == []


def test_only_the_modes_signature_type_is_accepted(repo: Path) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    config = Path("security/signing.toml")
    config.write_text(config.read_text().replace('mode = "key"', 'mode = "keyless"'))
    failures = Registry.load().verify()
    assert len(failures) == 1
    assert "signed with a key signature, but signing mode is 'keyless'" in failures[0]
    with pytest.raises(SupplyChainError, match="--key signatures are not accepted"):
        add("model", "churn", "2.0.0", "artifacts/model-2.bin")


def test_unsigned_artifacts_are_refused_when_signing_is_on(repo: Path) -> None:
    with pytest.raises(SupplyChainError, match="not signed"):
        Registry.load().add("model", "churn", "1.0.0", Path("artifacts/model-1.bin"))
    assert Registry.load().data["artifacts"] == []


def test_bad_input_is_refused_before_anything_is_written(repo: Path) -> None:
    before = Path(registry.REGISTRY_FILE).read_bytes()
    with pytest.raises(SupplyChainError, match="unknown kind 'weights'"):
        add("weights", "churn", "1", "artifacts/model-1.bin")
    with pytest.raises(SupplyChainError, match="invalid name 'Churn Model'"):
        add("model", "Churn Model", "1", "artifacts/model-1.bin")
    with pytest.raises(SupplyChainError, match="file not found"):
        add("model", "churn", "1", "artifacts/absent.bin")
    with pytest.raises(SupplyChainError, match="not registered"):
        Registry.load().release("r", [("model", "churn@1")])
    assert Path(registry.REGISTRY_FILE).read_bytes() == before
    assert not audit.AUDIT_FILE.exists()


def test_a_failed_write_leaves_the_registry_unchanged(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = Path(registry.REGISTRY_FILE).read_bytes()

    def disk_full(path: Path, text: str) -> None:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(text[:10])  # a torn line, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audit, "append_line", disk_full)
    with pytest.raises(SupplyChainError, match=r"^add failed, nothing was changed: No space left"):
        add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    assert Path(registry.REGISTRY_FILE).read_bytes() == before
    assert audit.AUDIT_FILE.read_bytes() == b""
    # No journal and no temporary file: the next command has nothing to finish.
    assert sorted(p.name for p in Path("versioning").iterdir()) == [
        ".registry.lock",
        "audit.jsonl",
        "registry.json",
        "registry.schema.json",
    ]


def test_a_write_killed_after_its_journal_is_finished_by_the_next_command(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Real kill -9 at every step is the template's tests/test_registry_processes.py; here the
    # write stops after its journal, at the audit append, the way a killed process leaves it.
    def killed(path: Path, text: str) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(audit, "append_line", killed)
        with pytest.raises(KeyboardInterrupt):
            add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    assert registry.JOURNAL_FILE.exists()
    assert main(["registry", "verify"]) == 0
    assert "note: finished an interrupted `add`" in capsys.readouterr().err
    assert not registry.JOURNAL_FILE.exists()
    assert [artifact["name"] for artifact in Registry.load().data["artifacts"]] == ["churn"]


def test_a_held_lock_times_out_in_one_line_naming_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from filelock import FileLock

    command = ["registry", "add", "model", "churn", "1.0.0", "artifacts/model-1.bin", "--sign"]
    command += ["--key", str(KEY)]
    monkeypatch.setenv("REGISTRY_LOCK_TIMEOUT", "0")
    with FileLock(registry.LOCK_FILE):
        assert main(command) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: versioning/.registry.lock: another registry command held")
    assert err.count("\n") == 1
    assert Registry.load().data["artifacts"] == []
    monkeypatch.setenv("REGISTRY_LOCK_TIMEOUT", "inf")
    assert main(command) == 1
    assert "REGISTRY_LOCK_TIMEOUT='inf': expected seconds" in capsys.readouterr().err


@pytest.mark.parametrize(
    "own", ["versioning/registry.json", "versioning/audit.jsonl", "versioning/.registry.lock"]
)
def test_add_refuses_the_registrys_own_files(
    repo: Path, own: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    Path(own).touch()
    Path("artifacts/alias.json").symlink_to(Path(own).resolve())
    for path in (own, "artifacts/alias.json"):
        assert main(["registry", "add", "dataset", "registry", "1", path, "--sign",
                     "--key", str(KEY)]) == 1  # fmt: skip
        refusal = f"error: {own}: one of the registry's own files; register artifacts"
        assert capsys.readouterr().err == refusal + ", not the registry\n"
    assert Registry.load().verify() == []


def test_rewritten_audit_trail_is_detected(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    add("dataset", "train", "1", "artifacts/train.csv")
    lines = audit.AUDIT_FILE.read_text().splitlines()
    forged = json.loads(lines[0])
    forged["actor"] = "someone-else"
    audit.AUDIT_FILE.write_text("\n".join([json.dumps(forged), *lines[1:]]) + "\n")
    assert main(["registry", "log"]) == 1
    assert "audit.jsonl:1: entry was modified" in capsys.readouterr().err
    audit.AUDIT_FILE.write_text(lines[1] + "\n")
    assert any("chain broken" in failure for failure in Registry.load().verify())


def test_a_cut_off_audit_trail_is_detected_by_log_and_deploy(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    Registry.load().release("first", [("model", "churn@1.0.0")])
    lines = audit.AUDIT_FILE.read_text().splitlines()
    audit.AUDIT_FILE.write_text(lines[0] + "\n")  # the release record is gone
    assert main(["registry", "log"]) == 1
    assert "does not match" in capsys.readouterr().err
    assert main(["deploy"]) == 1
    assert "REFUSED" in capsys.readouterr().err
    with pytest.raises(SupplyChainError, match="does not match"):
        load_verified("model", "churn")  # serving checks what deploy checks


def edit_registry(change: Callable[[dict[str, Any]], None]) -> None:
    """Edit registry.json by hand, the way the registry commands never do."""
    data = json.loads(Path(registry.REGISTRY_FILE).read_text())
    change(data)
    Path(registry.REGISTRY_FILE).write_text(json.dumps(data, indent=2))


def test_a_hand_deleted_rollback_is_refused_everywhere(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    add("model", "churn", "2.0.0", "artifacts/model-2.bin")
    Registry.load().release("first", [("model", "churn@1.0.0")])
    Registry.load().release("second", [("model", "churn@2.0.0")])
    Registry.load().rollback()
    edit_registry(lambda data: data["deployments"].pop())  # silently serve "second" again
    current = Registry.load().current()
    assert current is not None
    assert current["name"] == "second"
    assert main(["registry", "verify"]) == 1
    assert "registry.json is not what versioning/audit.jsonl:5 recorded" in capsys.readouterr().err
    assert main(["deploy"]) == 1
    assert capsys.readouterr().err.startswith("error: REFUSED: versioning/registry.json is not")
    with pytest.raises(SupplyChainError, match="is not what"):
        load_verified("model", "churn")
    with pytest.raises(SupplyChainError, match="is not what"):
        add("model", "churn", "3.0.0", "artifacts/train.csv")  # no new entry blesses the edit


def test_registry_entries_without_an_audit_trail_are_refused(repo: Path) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    audit.AUDIT_FILE.unlink()
    edit_registry(lambda data: data.update(audit_head=None))
    assert Registry.load().verify() == [
        "versioning/registry.json has entries but versioning/audit.jsonl has none: it was "
        "edited by hand; restore both from git"
    ]


def strip_registry_digests() -> None:
    """Rewrite the audit trail as versions without the registry digest wrote it."""
    previous = None
    lines = []
    for line in audit.AUDIT_FILE.read_text().splitlines():
        entry = json.loads(line)
        del entry["registry"]
        entry["prev"] = previous
        entry["hash"] = previous = audit.entry_hash(entry)
        lines.append(json.dumps(entry))
    audit.AUDIT_FILE.write_text("\n".join(lines) + "\n")
    edit_registry(lambda data: data.update(audit_head=previous))


def test_an_older_audit_trail_without_digests_is_accepted_until_one_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(tmp_path, "none")
    monkeypatch.chdir(tmp_path)
    Path("model.bin").write_bytes(b"weights")
    Registry.load().add("model", "churn", "1.0.0", Path("model.bin"))
    Registry.load().release("first", [("model", "churn@1.0.0")])
    strip_registry_digests()
    assert Registry.load().verify() == []
    assert load_verified("model", "churn") == Path("model.bin")

    # Without digests, deploy still checks the release ID against its members.
    Path("model.bin").write_bytes(b"backdoor")
    digest = hashlib.sha256(b"backdoor").hexdigest()

    def retarget(data: dict[str, Any]) -> None:
        data["artifacts"][0]["sha256"] = data["releases"][0]["members"][0]["sha256"] = digest

    edit_registry(retarget)
    assert main(["deploy"]) == 1
    assert "REFUSED: release first: ID does not match its members" in capsys.readouterr().err
    with pytest.raises(SupplyChainError, match="ID does not match its members"):
        load_verified("model", "churn")


def test_once_digests_are_recorded_an_entry_without_one_is_refused(repo: Path) -> None:
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    strip_registry_digests()
    add("model", "churn", "2.0.0", "artifacts/model-2.bin")  # the legacy trail is extended
    assert "registry" in audit.read_chain(audit.AUDIT_FILE)[-1]
    lines = audit.AUDIT_FILE.read_text().splitlines()
    entry = json.loads(lines[0])
    entry["prev"] = json.loads(lines[1])["hash"]
    entry["hash"] = audit.entry_hash(entry)
    audit.AUDIT_FILE.write_text("\n".join([*lines, json.dumps(entry)]) + "\n")
    edit_registry(lambda data: data.update(audit_head=entry["hash"]))
    assert any("audit.jsonl:3: records no registry digest" in f for f in Registry.load().verify())


def test_a_rollback_with_nothing_before_it_is_one_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment = {"release": "sha256:" + "0" * 64, "action": "rollback",
                  "time": "2024-01-01T00:00:00Z", "actor": "someone"}  # fmt: skip
    edit_registry(lambda data: data["deployments"].append(deployment))
    assert main(["registry", "list"]) == 1
    assert "a rollback with no earlier release" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("ignored", ["artifacts/", "*.sig"])
def test_files_git_ignores_are_not_registered(repo: Path, ignored: str) -> None:
    subprocess.run(["git", "init", "-q"], check=True)
    Path(".gitignore").write_text(ignored + "\n")
    before = Path(registry.REGISTRY_FILE).read_bytes()
    with pytest.raises(SupplyChainError, match="git ignores it") as error:
        add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    assert "\n" not in str(error.value)
    assert Path(registry.REGISTRY_FILE).read_bytes() == before
    Path(".gitignore").write_text("*.tmp\n")
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("pointer", ["artifacts.dvc", "artifacts/model-1.bin.dvc"])
def test_files_dvc_tracks_are_registered_though_git_ignores_them(repo: Path, pointer: str) -> None:
    subprocess.run(["git", "init", "-q"], check=True)
    Path(".gitignore").write_text("/artifacts/*.bin\n")  # what `dvc add` writes, roughly
    with pytest.raises(SupplyChainError, match="git ignores it"):
        add("model", "churn", "1.0.0", "artifacts/model-1.bin")
    Path(pointer).write_text("outs:\n- md5: 0\n")
    add("model", "churn", "1.0.0", "artifacts/model-1.bin")


def test_unreadable_paths_are_one_line_errors(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SupplyChainError, match=r"model-1\.bin/x: cannot read: Not a directory"):
        add("model", "churn", "1.0.0", "artifacts/model-1.bin/x")
    if os.geteuid() != 0:  # root reads anything
        Path("artifacts/train.csv").chmod(0)
        with pytest.raises(SupplyChainError, match=r"train\.csv: cannot read: Permission denied"):
            add("dataset", "train", "1", "artifacts/train.csv")
    os.chdir("artifacts")
    assert main(["registry", "verify"]) == 1
    assert capsys.readouterr().err == (
        "error: versioning/registry.schema.json: not found (run this from the repository root)\n"
    )


def test_written_files_are_public_and_the_private_key_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_repo(tmp_path, "key")
    monkeypatch.chdir(tmp_path)
    previous = os.umask(0o022)
    try:
        assert main(["keygen"]) == 0
        Path("model.bin").write_bytes(b"weights")
        Registry.load().add("model", "churn", "1.0.0", Path("model.bin"), sign=True, key=KEY)
    finally:
        os.umask(previous)
    modes = {path: stat.S_IMODE(Path(path).stat().st_mode) for path in (
        "versioning/registry.json", "model.bin.sig", "security/signing.pub.pem", str(KEY)
    )}  # fmt: skip
    assert modes == {
        "versioning/registry.json": 0o644,
        "model.bin.sig": 0o644,
        "security/signing.pub.pem": 0o644,
        str(KEY): 0o600,
    }


def test_registry_file_is_checked_against_its_schema(repo: Path) -> None:
    data = json.loads(Path(registry.REGISTRY_FILE).read_text())
    data["artifacts"].append({"kind": "model", "name": "churn"})
    Path(registry.REGISTRY_FILE).write_text(json.dumps(data))
    with pytest.raises(SupplyChainError, match=r"registry.json: \$.artifacts\[0\]"):
        Registry.load()


def test_shipped_registry_is_valid_and_kinds_match_the_schema() -> None:
    schema = json.loads((REPO / registry.SCHEMA_FILE).read_text())
    assert list(registry.KINDS) == schema["$defs"]["kind"]["enum"]
    assert Registry.load(REPO).verify() == []
