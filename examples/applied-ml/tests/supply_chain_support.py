"""A throwaway repository layout for the supply-chain tests: config, schema, empty registry."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRUST_CONFIG = REPO / "security" / "sigstore-trust-config.json"


def make_repo(root: Path, mode: str) -> Path:
    """Lay out security/ and versioning/ like this repository's, with signing `mode`."""
    (root / "security").mkdir(parents=True)
    (root / "security" / "signing.toml").write_text(
        f'mode = "{mode}"\n'
        "[keyless]\n"
        "identity = '^https://github\\.com/acme/repo/\\.github/workflows/release\\.yml@.+$'\n"
        'issuer = "https://token.actions.githubusercontent.com"\n'
        f'trust_config = "{TRUST_CONFIG.as_posix()}"\n'
        "[key]\n"
        'public_key = "security/signing.pub.pem"\n',
        encoding="utf-8",
    )
    (root / "versioning").mkdir()
    for name in ("registry.json", "registry.schema.json"):
        shutil.copy(REPO / "versioning" / name, root / "versioning" / name)
    return root
