"""`sign`, `verify`, `keygen` and `refresh-trust-root`, per security/signing.toml.

Keyless signatures are Sigstore bundles (FILE.sigstore.json); key signatures are cosign-style
base64 signatures (FILE.sig). Verification is offline in both cases.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from my_ml_project.supply_chain import keys
from my_ml_project.supply_chain.config import (
    CONFIG_FILE,
    SigningConfig,
    SupplyChainError,
    load_config,
    report,
    sha256_file,
    write_atomic,
)

KEY_SIGNATURE_SUFFIX = ".sig"
BUNDLE_SUFFIX = ".sigstore.json"
SIGNATURE_TYPES = ("key", "sigstore")


@dataclass(frozen=True)
class Policy:
    """Who may have signed: a public key for key signatures, identity and issuer for keyless."""

    public_key: Path
    identity: str
    issuer: str
    trust_config: Path

    @classmethod
    def from_config(cls, config: SigningConfig) -> Policy:
        return cls(config.public_key, config.identity, config.issuer, config.trust_config)


def signature_path(path: Path, signature_type: str) -> Path:
    suffix = KEY_SIGNATURE_SUFFIX if signature_type == "key" else BUNDLE_SUFFIX
    return path.with_name(path.name + suffix)


def verify_signature(
    signature_type: str, signature_file: Path, digest: bytes, policy: Policy
) -> str:
    """Check a signature over a file with this SHA-256; return the signer it proves."""
    if signature_type == "key":
        try:
            signature = signature_file.read_bytes()
        except FileNotFoundError:
            raise SupplyChainError(f"{signature_file}: signature not found") from None
        except OSError as exc:
            raise SupplyChainError(f"{signature_file}: cannot read: {exc.strerror}") from None
        public_key = keys.load_public_key(policy.public_key)
        keys.verify_digest(public_key, digest, signature)
        return keys.fingerprint(public_key)
    # Imported on use (here and below): sigstore is slow to import and key mode needs none of it.
    from my_ml_project.supply_chain import keyless

    trust = keyless.load_trust_config(policy.trust_config)
    return keyless.verify_digest(signature_file, digest, trust, policy.identity, policy.issuer)


def sign_keyless(paths: list[Path]) -> list[Path]:
    """Write FILE.sigstore.json for every file (needs the network and an OIDC identity)."""
    from my_ml_project.supply_chain import keyless

    for path in paths:
        sha256_file(path)  # fail on a missing file before asking for an identity
    return keyless.sign_files(paths)


def sign_with_key(paths: list[Path], private_key: Path, password: bytes | None) -> list[Path]:
    """Write FILE.sig for every file, or nothing if any file cannot be read."""
    key = keys.load_private_key(private_key, password)
    signatures = [(path, keys.sign_digest(key, sha256_file(path))) for path in paths]
    written = []
    for path, signature in signatures:
        target = signature_path(path, "key")
        write_atomic(target, signature)
        written.append(target)
    return written


def password_from_env(variable: str | None) -> bytes | None:
    """The key password held in environment variable `variable` (never on the command line)."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise SupplyChainError(f"environment variable {variable} (the key password) is not set")
    return value.encode()


def _keygen(args: argparse.Namespace) -> int:
    try:
        private, public = keys.generate_key(args.prefix, password_from_env(args.password_env))
    except SupplyChainError as error:
        return report(error)
    print(f"wrote {private} (secret: never commit it) and {public}")
    return 0


def _sign(args: argparse.Namespace) -> int:
    try:
        config = load_config()
        config.require_signing()
        if args.key is not None:
            written = sign_with_key(args.files, args.key, password_from_env(args.password_env))
        elif config.mode == "key":
            raise SupplyChainError(
                "key mode signs with a private key: pass --key PRIVATE.pem (create one with keygen)"
            )
        else:
            written = sign_keyless(args.files)
    except SupplyChainError as error:
        return report(error)
    for path in written:
        print(f"wrote {path}")
    return 0


def _policy(args: argparse.Namespace, config: SigningConfig) -> Policy:
    identity = config.identity
    if args.cert_identity is not None:
        identity = re.escape(args.cert_identity)
    elif args.cert_identity_regexp is not None:
        identity = args.cert_identity_regexp
        try:
            re.compile(identity)
        except re.error as exc:
            raise SupplyChainError(f"--cert-identity-regexp is not a valid regex: {exc}") from None
    return Policy(
        public_key=args.key or config.public_key,
        identity=identity,
        issuer=args.cert_oidc_issuer or config.issuer,
        trust_config=args.trust_config or config.trust_config,
    )


def _verify(args: argparse.Namespace) -> int:
    try:
        config = load_config()
        config.require_signing()
        policy = _policy(args, config)
    except SupplyChainError as error:
        return report(error)
    identity_flags = args.cert_identity or args.cert_identity_regexp or args.cert_oidc_issuer
    use_key = args.key is not None or (config.mode == "key" and not identity_flags)
    signature_type = "key" if use_key else "sigstore"
    failed = 0
    for path in args.files:
        try:
            signer = verify_signature(
                signature_type, signature_path(path, signature_type), sha256_file(path), policy
            )
        except SupplyChainError as error:
            # Most messages already start with the file they are about.
            reason = str(error).removeprefix(f"{path}: ")
            print(f"FAIL: {path}: {reason}", file=sys.stderr)
            failed += 1
        else:
            print(f"OK: {path} (signed by {signer})")
    return 1 if failed else 0


def _refresh_trust_root(args: argparse.Namespace) -> int:
    from my_ml_project.supply_chain import keyless

    try:
        target = args.output or load_config().trust_config
        changed = keyless.write_trust_config(target)
    except SupplyChainError as error:
        return report(error)
    print(f"{'updated' if changed else 'unchanged'}: {target}")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    password_help = "environment variable holding the private key's password"  # noqa: S105
    keygen = subparsers.add_parser(
        "keygen", help="create an ECDSA P-256 signing key pair (PREFIX.key.pem, PREFIX.pub.pem)"
    )
    keygen.add_argument("--prefix", type=Path, default=Path("security/signing"))
    keygen.add_argument("--password-env", metavar="VAR", help=password_help)
    keygen.set_defaults(handler=_keygen)

    sign = subparsers.add_parser(
        "sign", help=f"sign files (keyless with Sigstore, or --key), per {CONFIG_FILE}"
    )
    sign.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sign.add_argument("--key", type=Path, metavar="PRIVATE.pem", help="sign with this key")
    sign.add_argument("--password-env", metavar="VAR", help=password_help)
    sign.set_defaults(handler=_sign)

    verify = subparsers.add_parser(
        "verify", help=f"verify files' signatures offline, per {CONFIG_FILE}"
    )
    verify.add_argument("files", nargs="+", type=Path, metavar="FILE")
    verify.add_argument("--key", type=Path, metavar="PUBLIC.pem", help="verify FILE.sig")
    identity = verify.add_mutually_exclusive_group()
    identity.add_argument("--cert-identity", help="exact signer identity expected")
    identity.add_argument("--cert-identity-regexp", help="regex the signer identity must match")
    verify.add_argument("--cert-oidc-issuer", help="OIDC issuer expected")
    verify.add_argument("--trust-config", type=Path, help="Sigstore trust config to verify with")
    verify.set_defaults(handler=_verify)

    refresh = subparsers.add_parser(
        "refresh-trust-root",
        help="rewrite the pinned Sigstore trust config from the installed sigstore",
    )
    refresh.add_argument("--output", type=Path, help="default: trust_config in the config")
    refresh.set_defaults(handler=_refresh_trust_root)
