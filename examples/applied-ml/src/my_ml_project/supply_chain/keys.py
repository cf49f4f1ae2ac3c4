"""ECDSA P-256 key pairs and signatures in cosign's blob format.

A signature file holds the base64 DER ECDSA signature over the SHA-256 of the file, which
is what `cosign verify-blob --key pub.pem --signature FILE.sig --insecure-ignore-tlog=true FILE`
accepts (cosign 2.x otherwise looks the signature up in Rekor, where these are never logged).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from .config import SupplyChainError, write_atomic

PRIVATE_SUFFIX = ".key.pem"
PUBLIC_SUFFIX = ".pub.pem"
_PREHASHED_ECDSA = ec.ECDSA(Prehashed(hashes.SHA256()))


def key_paths(prefix: Path) -> tuple[Path, Path]:
    """The private and public key files `generate_key` writes for a prefix."""
    return (
        prefix.with_name(prefix.name + PRIVATE_SUFFIX),
        prefix.with_name(prefix.name + PUBLIC_SUFFIX),
    )


def generate_key(prefix: Path, password: bytes | None) -> tuple[Path, Path]:
    """Write a new key pair; the private key is encrypted when a password is given."""
    private_path, public_path = key_paths(prefix)
    for path in (private_path, public_path):
        if path.exists():
            raise SupplyChainError(f"{path}: already exists; refusing to overwrite a key")
    key = ec.generate_private_key(ec.SECP256R1())
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_path.parent.mkdir(parents=True, exist_ok=True)
    # Created with owner-only permissions from the start, never world-readable.
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as stream:
        stream.write(private_pem)
    write_atomic(public_path, public_pem)
    return private_path, public_path


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SupplyChainError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise SupplyChainError(f"{path}: cannot read the {what}: {exc.strerror}") from None


def load_private_key(path: Path, password: bytes | None) -> ec.EllipticCurvePrivateKey:
    data = _read(path, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=password or None)
    except TypeError:
        raise SupplyChainError(
            f"{path}: the key is encrypted; pass --password-env VAR"
            if not password
            else f"{path}: the key is not encrypted; drop --password-env"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise SupplyChainError(f"{path}: not a PEM private key, or wrong password") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise SupplyChainError(f"{path}: not an ECDSA P-256 private key")
    return key


def load_public_key(path: Path) -> ec.EllipticCurvePublicKey:
    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise SupplyChainError(f"{path}: not a PEM public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise SupplyChainError(f"{path}: not an ECDSA P-256 public key")
    return key


def fingerprint(key: ec.EllipticCurvePublicKey) -> str:
    """Identify a key by the SHA-256 of its DER SubjectPublicKeyInfo."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "key:sha256:" + hashlib.sha256(der).hexdigest()


def sign_digest(key: ec.EllipticCurvePrivateKey, digest: bytes) -> bytes:
    """The base64 signature text for a file whose SHA-256 is `digest`."""
    return base64.b64encode(key.sign(digest, _PREHASHED_ECDSA))


def verify_digest(key: ec.EllipticCurvePublicKey, digest: bytes, signature: bytes) -> None:
    try:
        der = base64.b64decode(signature.strip(), validate=True)
    except binascii.Error:
        raise SupplyChainError("signature file is not base64") from None
    try:
        key.verify(der, digest, _PREHASHED_ECDSA)
    except InvalidSignature:
        raise SupplyChainError(
            f"signature does not match the file for key {fingerprint(key)} "
            "(file changed, or signed with another key)"
        ) from None
