"""Keyless signing with Sigstore, and offline verification against a pinned trust root.

Signing needs the network (Fulcio, Rekor and an OIDC token: ambient in CI, a browser
elsewhere). Verification reads only the bundle, the file and the pinned trust config.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from cryptography.x509 import (
    Certificate,
    OtherName,
    RFC822Name,
    SubjectAlternativeName,
    UniformResourceIdentifier,
)
from sigstore.errors import Error as SigstoreError
from sigstore.errors import VerificationError
from sigstore.hashes import Hashed
from sigstore.models import Bundle, ClientTrustConfig, InvalidBundle
from sigstore.verify import Verifier, policy

# sigstore's own message types (installed with sigstore) name the digest algorithm.
from sigstore_models.common.v1 import HashAlgorithm

from .config import SupplyChainError, sha256_file, write_atomic

# Sigstore's production TUF repository, as embedded in the installed sigstore wheel.
_EMBEDDED_ROOT = "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
_TRUST_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
# Fulcio encodes some identities as this X.509 "other name".
_SIGSTORE_OTHERNAME_OID = "1.3.6.1.4.1.57264.1.7"


def embedded_trust_config() -> str:
    """The production trust config built from the root the installed sigstore embeds."""
    store = resources.files("sigstore._store") / _EMBEDDED_ROOT
    config = {
        "mediaType": _TRUST_CONFIG_MEDIA_TYPE,
        "trustedRoot": json.loads((store / "trusted_root.json").read_text(encoding="utf-8")),
        "signingConfig": json.loads(
            (store / "signing_config.v0.2.json").read_text(encoding="utf-8")
        ),
    }
    return json.dumps(config, indent=2) + "\n"


def write_trust_config(path: Path) -> bool:
    """Rewrite the pinned trust config; return whether it changed."""
    text = embedded_trust_config()
    ClientTrustConfig.from_json(text)  # refuse to pin something sigstore cannot read
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    write_atomic(path, text.encode())
    return True


def load_trust_config(path: Path) -> ClientTrustConfig:
    try:
        return ClientTrustConfig.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SupplyChainError(f"{path}: trust config not found") from None
    except OSError as exc:
        raise SupplyChainError(f"{path}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SupplyChainError(f"{path}: not a Sigstore trust config: {first_line}") from None


def certificate_identities(cert: Certificate) -> set[str]:
    """Every identity (e-mail, URI, Sigstore other name) in the certificate's SAN."""
    san = cert.extensions.get_extension_for_class(SubjectAlternativeName).value
    identities = set(san.get_values_for_type(RFC822Name))
    identities.update(san.get_values_for_type(UniformResourceIdentifier))
    identities.update(
        other.value.decode()
        for other in san.get_values_for_type(OtherName)
        if other.type_id.dotted_string == _SIGSTORE_OTHERNAME_OID
    )
    return identities


class IdentityPattern:
    """A Sigstore verification policy: issuer equal to `issuer`, identity matching a regex."""

    def __init__(self, identity: str, issuer: str) -> None:
        self._identity = re.compile(identity)
        self._issuer = issuer

    def verify(self, cert: Certificate) -> None:
        try:
            policy.OIDCIssuer(self._issuer).verify(cert)
        except VerificationError as exc:
            raise VerificationError(f"wrong issuer: {exc}") from None
        identities = certificate_identities(cert)
        if not any(self._identity.fullmatch(identity) for identity in identities):
            found = ", ".join(sorted(identities)) or "none"
            raise VerificationError(
                f"wrong identity: signed by {found}, expected a match for {self._identity.pattern}"
            )


def load_bundle(bundle_file: Path) -> Bundle:
    try:
        raw = bundle_file.read_bytes()
    except FileNotFoundError:
        raise SupplyChainError(f"{bundle_file}: Sigstore bundle not found") from None
    except OSError as exc:
        raise SupplyChainError(f"{bundle_file}: cannot read: {exc.strerror}") from None
    try:
        return Bundle.from_json(raw)
    except (InvalidBundle, ValueError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SupplyChainError(
            f"{bundle_file}: not a valid Sigstore bundle: {first_line}"
        ) from None


def verify_digest(
    bundle_file: Path, digest: bytes, trust: ClientTrustConfig, identity: str, issuer: str
) -> str:
    """Verify a bundle for a file with this SHA-256 against the policy; return the signer."""
    bundle = load_bundle(bundle_file)
    verifier = Verifier(trusted_root=trust.trusted_root)
    hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=digest)
    try:
        verifier.verify_artifact(hashed, bundle, IdentityPattern(identity, issuer))
    except VerificationError as exc:
        message = str(exc).splitlines()[0]
        if "digest mismatch" in message or "invalid for input" in message:
            message = f"file does not match its signature ({message})"
        raise SupplyChainError(message) from None
    return ", ".join(sorted(certificate_identities(bundle.signing_certificate)))


def sign_files(paths: list[Path]) -> list[Path]:
    """Sign each file with a short-lived Sigstore certificate; write FILE.sigstore.json."""
    # Imported here: signing pulls in the network clients, verification does not need them.
    from sigstore.oidc import IdentityToken, Issuer, detect_credential
    from sigstore.sign import SigningContext

    # Sign the streamed digest, not the bytes: model files need not fit in memory.
    payloads = [
        (path, Hashed(algorithm=HashAlgorithm.SHA2_256, digest=sha256_file(path))) for path in paths
    ]
    try:
        # Signing uses fresh (TUF-updated) service URLs, not the pinned verification root.
        trust = ClientTrustConfig.production()
        # Ambient OIDC credentials: GitHub Actions (id-token: write) or GitLab (SIGSTORE_ID_TOKEN).
        ambient = detect_credential()
        token = (
            IdentityToken(ambient)
            if ambient
            else Issuer(trust.signing_config.get_oidc_url()).identity_token()
        )
        written = []
        with SigningContext.from_trust_config(trust).signer(token) as signer:
            for path, payload in payloads:
                bundle = signer.sign_artifact(payload)
                target = path.with_name(path.name + ".sigstore.json")
                write_atomic(target, bundle.to_json().encode())
                written.append(target)
    except SigstoreError as exc:
        raise SupplyChainError(f"keyless signing failed: {str(exc).splitlines()[0]}") from None
    except OSError as exc:
        raise SupplyChainError(f"keyless signing needs network access to Sigstore: {exc}") from None
    return written
