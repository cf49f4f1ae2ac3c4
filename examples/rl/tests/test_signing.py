"""Signing and verification: key round trip, every refusal, offline keyless failure paths."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

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
