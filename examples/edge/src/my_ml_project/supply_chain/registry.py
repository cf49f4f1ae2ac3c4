"""The artifact registry: immutable versions, joint releases, rollback and verify-at-deploy.

versioning/registry.json lists every artifact version with its SHA-256, which is its
immutable ID (`name@sha256:...`). A release pins one version of several artifacts (model,
prompt, index, ...) and is identified by their digests; deployments are append-only, so a
rollback is one more entry. Every change is first appended to the hash-chained audit trail,
with the digest of the registry content it produces; the registry file is then replaced
atomically and records the audit head it reflects. Reading it back checks both, so a hand
edit (a deleted rollback, a changed digest) is refused, not served.

Writers take an exclusive lock (versioning/.registry.lock) around read-modify-write, so
concurrent commands queue instead of losing each other's entries. Each change is first
written whole to a journal (versioning/.registry.journal); a command killed part-way leaves
it behind, and the next command to touch the registry finishes that change from it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from my_ml_project.supply_chain import audit, keys, signing
from my_ml_project.supply_chain.config import (
    ROOT_HINT,
    SigningConfig,
    SupplyChainError,
    fsync_directory,
    load_config,
    report,
    sha256_file,
    write_atomic,
)

REGISTRY_FILE = Path("versioning/registry.json")
SCHEMA_FILE = Path("versioning/registry.schema.json")
LOCK_FILE = Path("versioning/.registry.lock")
JOURNAL_FILE = Path("versioning/.registry.journal")
# What `registry add` refuses to register: the registry itself (and its dot files).
OWN_FILES = {
    path.as_posix()
    for path in (REGISTRY_FILE, SCHEMA_FILE, audit.AUDIT_FILE, LOCK_FILE, JOURNAL_FILE)
}
# Seconds a writer waits for another; REGISTRY_LOCK_TIMEOUT overrides (a slow shared disk).
LOCK_TIMEOUT = 60.0
# The kinds in the schema's enum (a test keeps them equal); `release` has an option for each.
KINDS = (
    "model",
    "dataset",
    "eval-set",
    "sbom",
)

Artifact = dict[str, Any]
Release = dict[str, Any]


def artifact_ref(artifact: Artifact) -> str:
    return f"{artifact['kind']} {artifact['name']}@{artifact['version']}"


def immutable_id(artifact: Artifact) -> str:
    return f"{artifact['name']}@sha256:{artifact['sha256']}"


def content_digest(data: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of the registry, without the audit head that records it."""
    body = {key: value for key, value in data.items() if key != "audit_head"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def git_ignores(root: Path, location: str) -> bool:
    """Whether git ignores this path; False outside a git checkout or without git."""
    git = shutil.which("git")
    if git is None:
        return False
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [git, "check-ignore", "-q", "--", location],
        cwd=root,
        capture_output=True,
        check=False,
    )
    # 0: ignored, 1: not ignored, 128: not a git repository (or another git error).
    return result.returncode == 0


def release_id(members: list[Artifact]) -> str:
    """sha256 over the sorted `kind=name@sha256:...` lines: same members, same ID."""
    lines = sorted(f"{member['kind']}={immutable_id(member)}\n" for member in members)
    return "sha256:" + hashlib.sha256("".join(lines).encode()).hexdigest()


def source_commit() -> str | None:
    """The commit being built: from CI, else from git; None outside a git checkout."""
    for variable in ("GITHUB_SHA", "CI_COMMIT_SHA"):
        if value := os.environ.get(variable):
            return value
    git = shutil.which("git")
    if git is None:
        return None
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [git, "rev-parse", "--verify", "--quiet", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and re.fullmatch("[0-9a-f]{40}", commit) else None


def lock_timeout() -> float:
    raw = os.environ.get("REGISTRY_LOCK_TIMEOUT")
    if raw is None:
        return LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:  # also refuses nan and inf: a writer must never wait forever
        raise SupplyChainError(f"REGISTRY_LOCK_TIMEOUT={raw!r}: expected seconds in [0, 3600]")
    return value


@contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """Hold the registry's exclusive lock; one line naming it when another writer keeps it."""
    # Imported on use (~60 ms): only commands that write pay for it.
    from filelock import FileLock, Timeout

    timeout = lock_timeout()
    lock = FileLock(root / LOCK_FILE, timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise SupplyChainError(
            f"{LOCK_FILE}: another registry command held this lock for {timeout:g} s; "
            "retry when it has finished (the lock is released when its process exits)"
        ) from None
    except OSError as exc:
        raise SupplyChainError(f"{LOCK_FILE}: cannot lock: {exc.strerror}") from None
    try:
        yield
    finally:
        lock.release()


def leftovers(root: Path) -> list[Path]:
    """Temporary files of the registry's atomic writes (write_atomic's `.NAME.*.tmp`)."""
    folder = (root / REGISTRY_FILE).parent
    names = (REGISTRY_FILE.name, JOURNAL_FILE.name)
    return [path for name in names for path in folder.glob(f".{name}.*.tmp")]


def recover(root: Path) -> str | None:
    """Finish the change an interrupted writer journaled; return its action, if there was one.

    Call with the lock held. The journal is written (atomically) before anything else, and
    holds the audit line and the whole new registry, so rolling forward is always possible:
    the audit line is appended unless it already is, then the registry replaced.
    """
    for leftover in leftovers(root):
        leftover.unlink()  # a writer's temporary file, killed before its rename
    path = root / JOURNAL_FILE
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise SupplyChainError(f"{JOURNAL_FILE}: unreadable ({exc})") from None
    trail = root / audit.AUDIT_FILE
    size, line = journal["audit_size"], journal["audit_line"].encode()
    current = trail.read_bytes() if trail.exists() else b""
    tail = current[size:]
    if len(current) < size or not line.startswith(tail):
        raise SupplyChainError(
            f"{JOURNAL_FILE}: {audit.AUDIT_FILE} changed after the interrupted "
            f"{journal['action']} began; restore both from git"
        )
    if tail != line:
        if tail:
            os.truncate(trail, size)  # a torn append: write the whole line again
        audit.append_line(trail, journal["audit_line"])
    write_atomic(root / REGISTRY_FILE, journal["registry"].encode())
    path.unlink()
    fsync_directory(path.parent)
    action: str = journal["action"]
    return action


class Registry:
    def __init__(self, root: Path, data: dict[str, Any], schema: dict[str, Any]) -> None:
        self.root = root
        self.data = data
        self.schema = schema
        self.config: SigningConfig = load_config(root)
        self._locked = False

    @classmethod
    def load(cls, root: Path = Path()) -> Registry:
        """Read the registry and check it against its schema, finishing an interrupted write."""
        if (root / JOURNAL_FILE).exists() or leftovers(root):
            with write_lock(root):
                cls._report_recovery(recover(root))
        path = root / REGISTRY_FILE
        schema = cls._read_json(root / SCHEMA_FILE)
        registry = cls(root, cls._read_json(path), schema)
        registry._check_schema(registry.data, path)
        return registry

    @staticmethod
    def _read_json(path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SupplyChainError(f"{path}: not found{ROOT_HINT}") from None
        except OSError as exc:
            raise SupplyChainError(f"{path}: cannot read: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise SupplyChainError(f"{path}: not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise SupplyChainError(f"{path}: expected a JSON object")
        return data

    @staticmethod
    def _report_recovery(action: str | None) -> None:
        if action is not None:
            print(f"note: finished an interrupted `{action}` from {JOURNAL_FILE}", file=sys.stderr)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Lock, finish any interrupted write, and re-read: changes apply to the newest state."""
        with write_lock(self.root):
            self._report_recovery(recover(self.root))
            path = self.root / REGISTRY_FILE
            data = self._read_json(path)
            if data != self.data:  # changed by another writer since this one loaded it
                self._check_schema(data, path)
                self.data = data
            self._locked = True
            try:
                yield
            finally:
                self._locked = False

    def _check_schema(self, data: dict[str, Any], path: Path) -> None:
        # Imported on use: jsonschema costs more to import than most commands take to run.
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import best_match

        error = best_match(Draft202012Validator(self.schema).iter_errors(data))
        if error is not None:
            raise SupplyChainError(f"{path}: {error.json_path}: {error.message}")

    @property
    def kinds(self) -> list[str]:
        kinds: list[str] = self.schema["$defs"]["kind"]["enum"]
        return kinds

    def _check_field(self, field: str, value: str) -> None:
        pattern = self.schema["$defs"][field]["pattern"]
        if not re.search(pattern, value):
            raise SupplyChainError(f"invalid {field} {value!r}: it must match {pattern}")

    def find(self, kind: str, name: str, version: str) -> Artifact | None:
        artifacts: list[Artifact] = self.data["artifacts"]
        for artifact in artifacts:
            if (artifact["kind"], artifact["name"], artifact["version"]) == (kind, name, version):
                return artifact
        return None

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            raise SupplyChainError(
                f"{path}: outside the repository; registered files live under its root"
            ) from None

    # --- verification -------------------------------------------------------------------

    def _policy(self) -> signing.Policy:
        return signing.Policy.from_config(self.config)

    def verify_artifact(self, artifact: Artifact) -> Path:
        """Check the file against its entry: digest, then signer and signature. Return it."""
        path = self.root / str(artifact["location"])
        digest = sha256_file(path)
        if digest.hex() != artifact["sha256"]:
            raise SupplyChainError(
                f"{artifact['location']}: sha256 is {digest.hex()[:16]}..., registered "
                f"{artifact['sha256'][:16]}... (file changed since registration)"
            )
        signature = artifact["signature"]
        if signature is None:
            if self.config.mode != "none":
                raise SupplyChainError(f"not signed, but signing mode is {self.config.mode!r}")
            return path
        if signature["type"] != self._expected_signature_type():
            raise SupplyChainError(
                f"signed with a {signature['type']} signature, but signing mode is "
                f"{self.config.mode!r}"
            )
        policy = self._policy()
        if signature["type"] == "key":
            expected = keys.fingerprint(keys.load_public_key(policy.public_key))
            if artifact["signer"] != expected:
                raise SupplyChainError(
                    f"unknown key: signed by {artifact['signer']}, but {policy.public_key} "
                    f"is {expected}"
                )
        signing.verify_signature(signature["type"], self.root / signature["path"], digest, policy)
        return path

    def verify(self) -> list[str]:
        """Every problem found, one line each; empty when the registry is sound."""
        failures = []
        try:
            self.audit_head()
        except SupplyChainError as error:
            failures.append(str(error))
        for artifact in self.data["artifacts"]:
            try:
                self.verify_artifact(artifact)
            except SupplyChainError as error:
                failures.append(f"{artifact_ref(artifact)}: {error}")
        by_id = {}
        for release in self.data["releases"]:
            by_id[release["id"]] = release
            for member in release["members"]:
                artifact = self.find(member["kind"], member["name"], member["version"])
                if artifact is None or artifact["sha256"] != member["sha256"]:
                    failures.append(
                        f"release {release['name']}: member {artifact_ref(member)} "
                        "is not registered with that digest"
                    )
            if release_id(release["members"]) != release["id"]:
                failures.append(f"release {release['name']}: ID does not match its members")
        for deployment in self.data["deployments"]:
            if deployment["release"] not in by_id:
                failures.append(f"deployment of unknown release {deployment['release']}")
        return failures

    # --- changes ------------------------------------------------------------------------

    def audit_head(self) -> str | None:
        """The audit trail's last hash, after checking the registry is what that entry wrote."""
        try:
            return self._audit_head()
        except SupplyChainError:
            if self._locked or not self._written_since_load():
                raise
        # Read without the lock while a writer was between its steps: read again once it is
        # done (or finish its write, if it was killed).
        with self._writing():
            return self._audit_head()

    def _written_since_load(self) -> bool:
        """Whether a writer is mid-change (its journal exists) or changed the registry since."""
        if (self.root / JOURNAL_FILE).exists():
            return True
        try:
            return self._read_json(self.root / REGISTRY_FILE) != self.data
        except SupplyChainError:
            return False

    def _audit_head(self) -> str | None:
        chain = audit.read_chain(self.root / audit.AUDIT_FILE)
        head: str | None = chain[-1]["hash"] if chain else None
        if head != self.data["audit_head"]:
            raise SupplyChainError(
                f"{REGISTRY_FILE} does not match {audit.AUDIT_FILE} (audit head {head}, "
                f"registry records {self.data['audit_head']}): restore both from git"
            )
        if not chain:
            if any(self.data[key] for key in ("artifacts", "releases", "deployments")):
                raise SupplyChainError(
                    f"{REGISTRY_FILE} has entries but {audit.AUDIT_FILE} has none: it was "
                    "edited by hand; restore both from git"
                )
            return head
        recorded = chain[-1].get("registry")
        if recorded is None:
            # Entries written before the digest was recorded; once one has it, all must.
            if any("registry" in entry for entry in chain):
                raise SupplyChainError(
                    f"{audit.AUDIT_FILE}:{len(chain)}: records no registry digest, unlike the "
                    "entries before it: restore both files from git"
                )
            return head
        if content_digest(self.data) != recorded:
            raise SupplyChainError(
                f"{REGISTRY_FILE} is not what {audit.AUDIT_FILE}:{len(chain)} recorded (edited "
                "by hand?): restore both from git, then change it only with these commands"
            )
        return head

    def _commit(
        self, data: dict[str, Any], action: str, subject: str, details: dict[str, Any]
    ) -> None:
        """Journal the change, append the audit entry, replace the registry, drop the journal.

        A kill before the journal's rename leaves the old state (and at most a `.tmp` the next
        writer deletes); after it, the next command finishes the change (`recover`).
        """
        if not self._locked:
            raise RuntimeError("registry changes are made inside `with self._writing()`")
        entry = audit.make_entry(self.audit_head(), action, subject, details, content_digest(data))
        data["audit_head"] = entry["hash"]
        path = self.root / REGISTRY_FILE
        self._check_schema(data, path)
        trail = self.root / audit.AUDIT_FILE
        journal = {
            "action": action,
            "audit_size": trail.stat().st_size if trail.exists() else 0,
            "audit_line": audit.line(entry),
            "registry": json.dumps(data, indent=2, ensure_ascii=False) + "\n",
        }
        try:
            write_atomic(self.root / JOURNAL_FILE, json.dumps(journal).encode())
            recover(self.root)
        except OSError as exc:  # a full disk, a read-only file: undo what was not finished
            self._undo(journal)
            raise SupplyChainError(
                f"{action} failed, nothing was changed: {exc.strerror or exc}"
            ) from None
        self.data = data

    def _undo(self, journal: dict[str, Any]) -> None:
        """Drop a journaled change that failed (not crashed) before the registry was replaced."""
        path = self.root / REGISTRY_FILE
        if path.read_text(encoding="utf-8") == journal["registry"]:
            return  # replaced: the change is made; a leftover journal is finished next time
        trail = self.root / audit.AUDIT_FILE
        if trail.exists() and trail.stat().st_size > journal["audit_size"]:
            os.truncate(trail, journal["audit_size"])
        (self.root / JOURNAL_FILE).unlink(missing_ok=True)
        for leftover in leftovers(self.root):
            leftover.unlink()

    def _check_tracked(self, path: Path) -> None:
        """Refuse files (and their signatures) that a fresh clone, e.g. CI's, would not have."""
        candidates = [path]
        if self.config.mode != "none":
            candidates.append(signing.signature_path(path, self._expected_signature_type()))
        for candidate in candidates:
            location = self._relative(candidate)
            if git_ignores(self.root, location) and not self._dvc_tracked(location):
                raise SupplyChainError(
                    f"{location}: git ignores it, so clones would lack it and `registry verify` "
                    "fail there: commit it (git-lfs is fine) or track it with DVC (a .dvc pointer)"
                )

    def _dvc_tracked(self, location: str) -> bool:
        """Whether a committed DVC pointer covers the file: DVC git-ignores what it tracks."""
        relative = Path(location)
        return any(
            (self.root / tracked.parent / f"{tracked.name}.dvc").exists()
            for tracked in (relative, *relative.parents)
            if tracked.name
        )

    def _expected_signature_type(self) -> str:
        """The one signature type this repository's mode accepts (never both)."""
        return "key" if self.config.mode == "key" else "sigstore"

    def _sign_with_repository_key(self, path: Path, key: Path, password: bytes | None) -> None:
        """Sign with the private half of the configured public key; refuse any other key.

        Checked before anything is written, so a wrong key never replaces a good signature.
        """
        private = keys.load_private_key(key, password)
        public_key = self._policy().public_key
        expected = keys.fingerprint(keys.load_public_key(public_key))
        actual = keys.fingerprint(private.public_key())
        if actual != expected:
            raise SupplyChainError(
                f"{key} is not the private half of {public_key} (key {actual}, expected "
                f"{expected}); nothing was written"
            )
        digest = sha256_file(path)
        signature = keys.sign_digest(private, digest)
        keys.verify_digest(private.public_key(), digest, signature)
        write_atomic(signing.signature_path(path, "key"), signature)

    def _signature_for(
        self, path: Path, sign: bool, key: Path | None, password: bytes | None
    ) -> tuple[dict[str, str] | None, str | None]:
        """Sign the file if asked, else find its signature; verify it; return (record, signer)."""
        if sign:
            self.config.require_signing()
            if key is not None:
                if self.config.mode != "key":
                    raise SupplyChainError(
                        f"signing mode is {self.config.mode!r}: --key signatures are not "
                        'accepted here (set mode = "key" in security/signing.toml to use keys)'
                    )
                self._sign_with_repository_key(path, key, password)
            elif self.config.mode == "key":
                raise SupplyChainError("key mode signs with a private key: pass --key PRIVATE.pem")
            else:
                signing.sign_keyless([path])
        if self.config.mode == "none":
            return None, None
        kind = self._expected_signature_type()
        file = signing.signature_path(path, kind)
        if not file.exists():
            raise SupplyChainError(
                f"{path}: not signed (no {file.name}, the {self.config.mode} signature); "
                + ("pass --sign --key PRIVATE.pem" if kind == "key" else "pass --sign")
                + " or sign it first"
            )
        digest = sha256_file(path)
        policy = self._policy()
        signer = signing.verify_signature(kind, file, digest, policy)
        return {"type": kind, "path": self._relative(file)}, signer

    def add(
        self,
        kind: str,
        name: str,
        version: str,
        path: Path,
        *,
        sign: bool = False,
        key: Path | None = None,
        password: bytes | None = None,
    ) -> tuple[Artifact, bool]:
        """Register a file; return (entry, whether it is new). Versions never change."""
        if kind not in self.kinds:
            raise SupplyChainError(
                f"unknown kind {kind!r}: expected one of {', '.join(self.kinds)}"
            )
        self._check_field("name", name)
        self._check_field("version", version)
        location = self._relative(path)
        if location in OWN_FILES or location.startswith("versioning/.registry."):
            raise SupplyChainError(
                f"{location}: one of the registry's own files; register artifacts, not the registry"
            )
        digest = sha256_file(path).hex()
        self._check_tracked(path)
        existing = self._existing(kind, name, version, digest, sign)
        if existing is not None:
            return existing, False
        # Signed before taking the lock: keyless signing can wait minutes on a browser login.
        signature, signer = self._signature_for(path, sign, key, password)
        with self._writing():
            # Another writer may have registered this version while we signed.
            existing = self._existing(kind, name, version, digest, sign)
            if existing is not None:
                return existing, False
            artifact: Artifact = {
                "kind": kind,
                "name": name,
                "version": version,
                "sha256": digest,
                "size": path.stat().st_size,
                "location": location,
                "signature": signature,
                "signer": signer,
                "created": audit.now(),
                "source_commit": source_commit(),
            }
            data = {**self.data, "artifacts": [*self.data["artifacts"], artifact]}
            self._commit(data, "add", artifact_ref(artifact), {"id": immutable_id(artifact)})
        return artifact, True

    def _existing(
        self, kind: str, name: str, version: str, digest: str, sign: bool
    ) -> Artifact | None:
        """The entry already registered as this version, if it is this file; else refuse."""
        existing = self.find(kind, name, version)
        if existing is None:
            return None
        if existing["sha256"] != digest:
            raise SupplyChainError(
                f"{kind} {name}@{version} is already registered as "
                f"{immutable_id(existing)}; versions are immutable: register a new version"
            )
        if sign and existing["signature"] is None:
            raise SupplyChainError(
                f"{kind} {name}@{version} is registered unsigned and versions are immutable: "
                "register the file again as a new version, with --sign"
            )
        return existing

    def release_by_id(self, identifier: str) -> Release:
        releases: list[Release] = self.data["releases"]
        for release in releases:
            if release["id"] == identifier:
                return release
        raise SupplyChainError(f"unknown release {identifier}")

    def _stack(self) -> list[str]:
        """Release IDs in service order: a release pushes one, a rollback pops one."""
        stack: list[str] = []
        for deployment in self.data["deployments"]:
            if deployment["action"] == "rollback":
                if len(stack) < 2:
                    raise SupplyChainError(
                        f"{REGISTRY_FILE}: a rollback with no earlier release to return to"
                    )
                stack.pop()
            else:
                stack.append(deployment["release"])
        return stack

    def current(self) -> Release | None:
        stack = self._stack()
        return self.release_by_id(stack[-1]) if stack else None

    def _deploy(self, release: Release, action: str, data: dict[str, Any]) -> None:
        deployment = {
            "release": release["id"],
            "action": action,
            "time": audit.now(),
            "actor": audit.actor(),
        }
        data["deployments"] = [*self.data["deployments"], deployment]
        self._commit(data, action, f"release {release['name']}", {"id": release["id"]})

    def verify_member(self, member: Artifact) -> Path:
        """Check one release member: registered with that digest, file and signature intact."""
        artifact = self.find(member["kind"], member["name"], member["version"])
        if artifact is None or artifact["sha256"] != member["sha256"]:
            raise SupplyChainError(f"{artifact_ref(member)} is not registered with that digest")
        try:
            return self.verify_artifact(artifact)
        except SupplyChainError as error:
            raise SupplyChainError(f"{artifact_ref(member)}: {error}") from None

    def _verify_members(self, members: list[Artifact]) -> None:
        for member in members:
            self.verify_member(member)

    def served(self) -> Release:
        """The current release, once the audit trail vouches for it and its ID for its members."""
        # Which release is current is only as trustworthy as the trail that recorded it.
        self.audit_head()
        release = self.current()
        if release is None:
            raise SupplyChainError("no release is deployed")
        if release_id(release["members"]) != release["id"]:
            raise SupplyChainError(f"release {release['name']}: ID does not match its members")
        return release

    def load_verified(self, kind: str, name: str) -> Path:
        """The verified file of the served release's `kind` `name`: the one check serving runs."""
        release = self.served()
        for member in release["members"]:
            if (member["kind"], member["name"]) == (kind, name):
                return self.verify_member(member)
        raise SupplyChainError(f"release {release['name']} has no {kind} named {name}")

    def release(self, name: str, members: list[tuple[str, str]]) -> tuple[Release, bool]:
        """Deploy the given `kind, name@version` members together; return (release, changed)."""
        with self._writing():
            return self._release(name, members)

    def _release(self, name: str, members: list[tuple[str, str]]) -> tuple[Release, bool]:
        self._check_field("name", name)
        if not members:
            raise SupplyChainError("a release needs at least one member, e.g. --model NAME@VERSION")
        resolved: list[Artifact] = []
        for kind, reference in members:
            member_name, at, version = reference.partition("@")
            if not at or not member_name or not version:
                raise SupplyChainError(f"--{kind} {reference!r}: expected NAME@VERSION")
            artifact = self.find(kind, member_name, version)
            if artifact is None:
                raise SupplyChainError(f"{kind} {reference} is not registered")
            if any((a["kind"], a["name"]) == (kind, member_name) for a in resolved):
                raise SupplyChainError(f"{kind} {member_name} appears twice in the release")
            resolved.append(artifact)
        self._verify_members(resolved)
        identifier = release_id(resolved)
        # A name means one set of members, and one set of members has one name.
        for known_release in self.data["releases"]:
            same_members = known_release["id"] == identifier
            if same_members != (known_release["name"] == name):
                raise SupplyChainError(
                    f"release {known_release['name']!r} is {known_release['id']}: "
                    + (f"redeploy it by that name, not {name!r}" if same_members
                       else "a release name is never reused; pick a new one")
                )  # fmt: skip
        current = self.current()
        if current is not None and current["id"] == identifier:
            return current, False
        data = dict(self.data)
        known = [r for r in self.data["releases"] if r["id"] == identifier]
        if known:
            release = known[0]
        else:
            release = {
                "id": identifier,
                "name": name,
                "members": [
                    {key: artifact[key] for key in ("kind", "name", "version", "sha256")}
                    for artifact in sorted(resolved, key=lambda a: (a["kind"], a["name"]))
                ],
                "created": audit.now(),
                "source_commit": source_commit(),
            }
            data["releases"] = [*self.data["releases"], release]
        self._deploy(release, "release", data)
        return release, True

    def rollback(self) -> Release:
        """Return to the release that was served before the current one."""
        with self._writing():
            return self._rollback()

    def _rollback(self) -> Release:
        stack = self._stack()
        if len(stack) < 2:
            raise SupplyChainError("nothing to roll back to: fewer than two releases deployed")
        target = self.release_by_id(stack[-2])
        self._verify_members(target["members"])
        self._deploy(target, "rollback", dict(self.data))
        return target


def load_verified(kind: str, name: str, root: Path = Path()) -> Path:
    """The file of the current release's `kind` `name`, after checking digest and signature.

    Serving code calls this instead of opening artifacts directly, so a file that does not
    match its registry entry is never loaded. `deploy` runs the same checks for every member.
    """
    return Registry.load(root).load_verified(kind, name)


def _add(args: argparse.Namespace) -> int:
    try:
        artifact, added = Registry.load().add(
            args.kind, args.name, args.version, args.path,
            sign=args.sign, key=args.key, password=signing.password_from_env(args.password_env),
        )  # fmt: skip
    except SupplyChainError as error:
        return report(error)
    state = "registered" if added else "already registered (identical)"
    print(f"{state}: {artifact_ref(artifact)} = {immutable_id(artifact)}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    try:
        registry = Registry.load()
    except SupplyChainError as error:
        return report(error)
    failures = registry.verify()
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if failures:
        return 1
    count = len(registry.data["artifacts"])
    print(f"OK: {count} artifact(s), {len(registry.data['releases'])} release(s), audit intact")
    return 0


def _list(args: argparse.Namespace) -> int:
    try:
        registry = Registry.load()
        current = registry.current()
    except SupplyChainError as error:
        return report(error)
    for artifact in registry.data["artifacts"]:
        print(f"{artifact_ref(artifact):40} {immutable_id(artifact)}")
    if current is not None:
        print(f"current release: {current['name']} {current['id']}")
    return 0


def _log(args: argparse.Namespace) -> int:
    try:
        entries = audit.read_chain(audit.AUDIT_FILE)
        # The chain proves no entry was changed; the recorded head proves none was cut off.
        Registry.load().audit_head()
    except SupplyChainError as error:
        return report(error)
    for entry in entries:
        print(f"{entry['time']}  {entry['actor']:16} {entry['action']:8} {entry['subject']}")
    print(f"audit trail intact: {len(entries)} entries")
    return 0


def _release(args: argparse.Namespace) -> int:
    members = [
        (kind, reference)
        for kind in KINDS
        for reference in getattr(args, kind.replace("-", "_")) or []
    ]
    try:
        release, changed = Registry.load().release(args.name, members)
    except SupplyChainError as error:
        return report(error)
    print(f"{'released' if changed else 'already current'}: {release['name']} {release['id']}")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    try:
        release = Registry.load().rollback()
    except SupplyChainError as error:
        return report(error)
    print(f"rolled back to: {release['name']} {release['id']}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    try:
        registry = Registry.load()
        release = registry.served()
    except SupplyChainError as error:
        return report(SupplyChainError(f"REFUSED: {error}"))
    failed = False
    # served() vouched for the release once; each member then gets load_verified's own check.
    for member in release["members"]:
        try:
            path = registry.verify_member(member)
        except SupplyChainError as error:
            print(f"REFUSED: {error}", file=sys.stderr)
            failed = True
        else:
            print(f"ready: {artifact_ref(member)} from {path}")
    return 1 if failed else 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    registry = subparsers.add_parser("registry", help="the artifact registry")
    commands = registry.add_subparsers(dest="registry_command", metavar="COMMAND", required=True)
    add = commands.add_parser("add", help="register a file as KIND NAME@VERSION")
    add.add_argument("kind", metavar="KIND")
    add.add_argument("name", metavar="NAME")
    add.add_argument("version", metavar="VERSION")
    add.add_argument("path", type=Path, metavar="PATH")
    add.add_argument("--sign", action="store_true", help="sign the file first (per the mode)")
    add.add_argument("--key", type=Path, metavar="PRIVATE.pem", help="sign with this key")
    add.add_argument("--password-env", metavar="VAR", help="variable holding the key password")
    add.set_defaults(handler=_add)
    for name, handler, description in (
        ("verify", _verify, "check every digest, signature and the audit trail"),
        ("list", _list, "list artifacts with their immutable IDs and the current release"),
        ("log", _log, "print the audit trail after checking its hash chain"),
    ):
        commands.add_parser(name, help=description).set_defaults(handler=handler)

    release = subparsers.add_parser("release", help="deploy artifact versions together")
    release.add_argument("name", metavar="NAME")
    for kind in KINDS:
        release.add_argument(f"--{kind}", action="append", metavar="NAME@VERSION")
    release.set_defaults(handler=_release)
    subparsers.add_parser("rollback", help="serve the previous release again").set_defaults(
        handler=_rollback
    )
    subparsers.add_parser(
        "deploy", help="verify the current release the way serving loads it"
    ).set_defaults(handler=_deploy)
