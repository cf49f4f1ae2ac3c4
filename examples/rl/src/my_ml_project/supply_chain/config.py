"""The signing policy in security/signing.toml and the error type every command reports."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_FILE = Path("security/signing.toml")
MODES = ("keyless", "key", "none")
# Every path these commands use is relative to the repository root.
ROOT_HINT = " (run this from the repository root)"


class SupplyChainError(Exception):
    """An expected failure; its message is one line for the user, without a traceback."""


@dataclass(frozen=True)
class SigningConfig:
    mode: str
    identity: str  # regular expression the certificate identity must match in full
    issuer: str
    trust_config: Path
    public_key: Path

    def require_signing(self) -> None:
        """Refuse to sign or verify when the repository has signing switched off."""
        if self.mode == "none":
            raise SupplyChainError(
                f'signing is off (mode = "none" in {CONFIG_FILE}): set mode = "key" '
                '(then run `keygen`) or mode = "keyless" (Sigstore) there to enable it'
            )


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise SupplyChainError(f"{path}: [{name}] must be a table")
    return table


def _string(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise SupplyChainError(f"{where}: {key} must be a non-empty string")
    return value


def load_config(root: Path = Path()) -> SigningConfig:
    """Read and check the signing policy; relative paths in it resolve against `root`."""
    path = root / CONFIG_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SupplyChainError(f"{path}: signing config not found{ROOT_HINT}") from None
    except OSError as exc:
        raise SupplyChainError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SupplyChainError(f"{path}: invalid TOML: {exc}") from None
    mode = data.get("mode")
    if mode not in MODES:
        raise SupplyChainError(f"{path}: mode must be one of {', '.join(MODES)}, not {mode!r}")
    keyless = _table(data, "keyless", path)
    key = _table(data, "key", path)
    identity = _string(keyless, "identity", f"{path} [keyless]")
    try:
        re.compile(identity)
    except re.error as exc:
        raise SupplyChainError(f"{path} [keyless]: identity is not a valid regex: {exc}") from None
    return SigningConfig(
        mode=mode,
        identity=identity,
        issuer=_string(keyless, "issuer", f"{path} [keyless]"),
        trust_config=root / _string(keyless, "trust_config", f"{path} [keyless]"),
        public_key=root / _string(key, "public_key", f"{path} [key]"),
    )


def sha256_file(path: Path) -> bytes:
    """SHA-256 of a file, streamed: model files do not fit in memory."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").digest()
    except FileNotFoundError:
        raise SupplyChainError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise SupplyChainError(f"{path}: is a directory, not a file") from None
    except OSError as exc:  # a parent that is a file, no permission, ...
        raise SupplyChainError(f"{path}: cannot read: {exc.strerror}") from None


def public_mode() -> int:
    """rw-r--r-- under the usual umask: what a new file gets from open(), not mkstemp's 0600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, data: bytes) -> None:
    """Write a public file through a temporary file and rename it: no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, public_mode())
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def fsync_directory(path: Path) -> None:
    """Make a rename or unlink in `path` durable: it lives in the directory, not the file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def report(error: SupplyChainError) -> int:
    """Print a command's failure as one line and return its exit code."""
    print(f"error: {error}", file=sys.stderr)
    return 1
