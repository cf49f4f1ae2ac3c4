"""Signing and verification: key round trip, every refusal, offline keyless failure paths."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier
from sigstore.errors import VerificationError

from my_ml_project.cli import main
from my_ml_project.supply_chain import keyless

from supply_chain_support import TRUST_CONFIG, make_repo

KEY = "security/signing.key.pem"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A key-mode repository with a key pair and a signed model file; the cwd is its root."""
    make_repo(tmp_path, "key")
    monkeypatch.chdir(tmp_path)
    assert main(["keygen"]) == 0
    Path("model.bin").write_bytes(b"weights" * 1000)
    assert main(["sign", "--key", KEY, "model.bin"]) == 0
    return tmp_path


def failure(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run a command that must fail; return its one-line reason."""
    capsys.readouterr()
    assert main(argv) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_key_signature_is_cosign_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "model.bin"]) == 0
    assert "OK: model.bin" in capsys.readouterr().out
    # Independently of our code: base64 DER ECDSA over SHA-256 of the file.
    public_key = serialization.load_pem_public_key(Path("security/signing.pub.pem").read_bytes())
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    der = base64.b64decode(Path("model.bin.sig").read_bytes(), validate=True)
    public_key.verify(der, Path("model.bin").read_bytes(), ec.ECDSA(hashes.SHA256()))


def test_keygen_refuses_to_overwrite(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = Path(KEY).read_bytes()
    assert "refusing to overwrite" in failure(capsys, ["keygen"])
    assert Path(KEY).read_bytes() == before


def test_tampered_file_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Path("model.bin").open("ab") as stream:
        stream.write(b"!")
    assert "signature does not match the file" in failure(capsys, ["verify", "model.bin"])


def test_signature_by_another_key_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keygen", "--prefix", "other"]) == 0
    argv = ["verify", "--key", "other.pub.pem", "model.bin"]
    assert "signature does not match the file" in failure(capsys, argv)


@pytest.mark.parametrize(
    ("prepare", "argv", "reason"),
    [
        ("rm-sig", ["verify", "model.bin"], "model.bin.sig: signature not found"),
        ("bad-sig", ["verify", "model.bin"], "signature file is not base64"),
        ("dir-sig", ["verify", "model.bin"], "model.bin.sig: cannot read: Is a directory"),
        ("none", ["verify", "--key", "missing.pub.pem", "model.bin"], "public key not found"),
        ("none", ["verify", "--key", "model.bin", "model.bin"], "not a PEM public key"),
        ("none", ["sign", "model.bin"], "pass --key PRIVATE.pem"),
        ("none", ["sign", "--key", KEY, "absent.bin"], "absent.bin: file not found"),
    ],
)
def test_key_mode_refusals(
    repo: Path, capsys: pytest.CaptureFixture[str], prepare: str, argv: list[str], reason: str
) -> None:
    if prepare == "rm-sig":
        Path("model.bin.sig").unlink()
    elif prepare == "bad-sig":
        Path("model.bin.sig").write_text("not base64!")
    elif prepare == "dir-sig":
        Path("model.bin.sig").unlink()
        Path("model.bin.sig").mkdir()
    assert reason in failure(capsys, argv)


def test_encrypted_key_needs_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(tmp_path, "key")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KEY_PASSWORD", "correct horse")
    assert main(["keygen", "--password-env", "KEY_PASSWORD"]) == 0
    Path("model.bin").write_bytes(b"weights")
    assert "pass --password-env" in failure(capsys, ["sign", "--key", KEY, "model.bin"])
    monkeypatch.setenv("KEY_PASSWORD", "wrong")
    argv = ["sign", "--key", KEY, "--password-env", "KEY_PASSWORD", "model.bin"]
    assert "wrong password" in failure(capsys, argv)
    assert not Path("model.bin.sig").exists()
    monkeypatch.setenv("KEY_PASSWORD", "correct horse")
    assert main(argv) == 0
    assert main(["verify", "model.bin"]) == 0


@pytest.mark.parametrize(
    ("bundle", "reason"),
    [
        (None, "Sigstore bundle not found"),
        (b"{not json", "not a valid Sigstore bundle"),
        (b'{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}', "not a valid"),
    ],
)
def test_keyless_refuses_missing_or_malformed_bundles(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    bundle: bytes | None,
    reason: str,
) -> None:
    make_repo(tmp_path, "keyless")
    monkeypatch.chdir(tmp_path)
    Path("model.bin").write_bytes(b"weights")
    if bundle is not None:
        Path("model.bin.sigstore.json").write_bytes(bundle)
    assert reason in failure(capsys, ["verify", "model.bin"])


def test_signing_off_explains_how_to_enable_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(tmp_path, "none")
    monkeypatch.chdir(tmp_path)
    Path("model.bin").write_bytes(b"weights")
    for argv in (["sign", "model.bin"], ["verify", "model.bin"]):
        assert 'set mode = "key"' in failure(capsys, argv)
    assert not Path("model.bin.sig").exists()


def test_pinned_trust_config_is_a_production_trust_root(tmp_path: Path) -> None:
    trust = keyless.load_trust_config(TRUST_CONFIG)
    assert trust.trusted_root.get_fulcio_certs()
    # The refresh command writes a config sigstore can load.
    target = tmp_path / "trust.json"
    assert keyless.write_trust_config(target)
    assert keyless.load_trust_config(target).trusted_root.get_fulcio_certs()
    assert not keyless.write_trust_config(target)


# --- keyless verification failures, offline: a made-up certificate, sigstore's checks stubbed --

GITHUB = "https://token.actions.githubusercontent.com"
RELEASE = "https://github.com/acme/repo/.github/workflows/release.yml@refs/tags/v1.0.0"
OIDC_ISSUER_OID = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")


def certificate(identity: str, issuer: str) -> x509.Certificate:
    """A self-signed certificate carrying a Fulcio-style identity and issuer."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sigstore")])
    start = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(minutes=10))
        .add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(identity)]), critical=False
        )
        .add_extension(x509.UnrecognizedExtension(OIDC_ISSUER_OID, issuer.encode()), critical=False)
        .sign(key, hashes.SHA256())
    )


class PolicyOnlyVerifier:
    """Stands in for sigstore's Verifier: applies the policy, then compares digests."""

    def __init__(self, trusted_root: object) -> None:
        self.trusted_root = trusted_root

    def verify_artifact(self, hashed: Any, bundle: Any, policy: Any) -> None:
        policy.verify(bundle.signing_certificate)
        if hashed.digest != bundle.digest:
            raise VerificationError("hashed input digest mismatch\n(details on a second line)")


@pytest.mark.parametrize(
    ("identity", "issuer", "tamper", "outcome"),
    [
        (RELEASE, GITHUB, False, f"OK: model.bin (signed by {RELEASE})"),
        (RELEASE, "https://gitlab.com", False, "wrong issuer: Certificate's OIDCIssuer"),
        (
            RELEASE.replace("acme", "mallory"),
            GITHUB,
            False,
            "wrong identity: signed by https://github.com/mallory/repo/.github/workflows/"
            "release.yml@refs/tags/v1.0.0, expected a match for ^https://github",
        ),
        (RELEASE, GITHUB, True, "file does not match its signature (hashed input digest mismatch)"),
    ],
)
def test_keyless_verification_failures_are_one_named_reason(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    identity: str,
    issuer: str,
    tamper: bool,
    outcome: str,
) -> None:
    make_repo(tmp_path, "keyless")
    monkeypatch.chdir(tmp_path)
    Path("model.bin").write_bytes(b"weights")
    bundle = SimpleNamespace(
        signing_certificate=certificate(identity, issuer),
        digest=hashlib.sha256(b"weights").digest(),
    )
    monkeypatch.setattr(keyless, "load_bundle", lambda path: bundle)
    monkeypatch.setattr(keyless, "Verifier", PolicyOnlyVerifier)
    if tamper:
        Path("model.bin").write_bytes(b"weights!")
    if outcome.startswith("OK"):
        assert main(["verify", "model.bin"]) == 0
        assert capsys.readouterr().out.strip() == outcome
    else:
        assert outcome in failure(capsys, ["verify", "model.bin"])


@pytest.mark.parametrize(
    ("trust_config", "reason"),
    [
        ("absent.json", "absent.json: trust config not found"),
        ("model.bin", "model.bin: not a Sigstore trust config"),
        (".", ".: cannot read: Is a directory"),
    ],
)
def test_keyless_refuses_an_unusable_trust_config(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    trust_config: str,
    reason: str,
) -> None:
    make_repo(tmp_path, "keyless")
    monkeypatch.chdir(tmp_path)
    Path("model.bin").write_bytes(b"weights")
    argv = ["verify", "--trust-config", trust_config, "model.bin"]
    assert reason in failure(capsys, argv)
