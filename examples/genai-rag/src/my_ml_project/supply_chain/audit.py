"""An append-only, hash-chained audit trail (versioning/audit.jsonl).

Each line records who did what and when, the digest of the registry it left behind, plus the
hash of the line before it, so editing, deleting or reordering any past line breaks the chain
at that point, and a registry edited by hand no longer matches the last line.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import SupplyChainError

AUDIT_FILE = Path("versioning/audit.jsonl")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def actor() -> str:
    """Who is acting: the CI user when in CI, else the local account."""
    for variable in ("GITHUB_ACTOR", "GITLAB_USER_LOGIN"):
        if value := os.environ.get(variable):
            return value
    return getpass.getuser()


def entry_hash(entry: dict[str, Any]) -> str:
    body = {key: value for key, value in entry.items() if key != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def read_chain(path: Path) -> list[dict[str, Any]]:
    """All entries, after checking every line's hash and link; raise at the first break."""
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = []
    previous = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise SupplyChainError(f"{path}:{number}: not a JSON line") from None
        if not isinstance(entry, dict):
            raise SupplyChainError(f"{path}:{number}: not an audit entry")
        if entry.get("prev") != previous:
            raise SupplyChainError(
                f"{path}:{number}: chain broken (an earlier entry was changed or removed)"
            )
        if entry.get("hash") != entry_hash(entry):
            raise SupplyChainError(f"{path}:{number}: entry was modified after it was written")
        entries.append(entry)
        previous = entry["hash"]
    return entries


def make_entry(
    previous: str | None, action: str, subject: str, details: dict[str, Any], registry: str
) -> dict[str, Any]:
    """A new entry; `registry` is the digest of the registry content after this change."""
    entry: dict[str, Any] = {
        "time": now(),
        "actor": actor(),
        "action": action,
        "subject": subject,
        "details": details,
        "registry": registry,
        "prev": previous,
    }
    entry["hash"] = entry_hash(entry)
    return entry


def line(entry: dict[str, Any]) -> str:
    """The entry as the one line `append` writes."""
    return json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n"


def append_line(path: Path, text: str) -> None:
    """Append one line (`line(entry)`) and flush it to disk; past lines are never touched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
