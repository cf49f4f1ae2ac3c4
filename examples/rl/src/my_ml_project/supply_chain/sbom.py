"""`sbom validate FILE`: check a CycloneDX 1.6 JSON SBOM against the specification's schema.

`nox -s sbom` writes the SBOM with cyclonedx-py and validates it here, once: strict
validation costs seconds, so the generator's own validation is switched off.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .config import SupplyChainError, report

SPEC_VERSION = "1.6"


def validate(path: Path) -> None:
    """Raise SupplyChainError with the validator's message if the SBOM is not valid."""
    try:
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
    except ImportError:
        raise SupplyChainError(
            "SBOM validation needs cyclonedx-python-lib: run it through `uvx nox -s sbom`"
        ) from None
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SupplyChainError(f"{path}: SBOM not found") from None
    except OSError as exc:
        raise SupplyChainError(f"{path}: cannot read the SBOM: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SupplyChainError(f"{path}: not UTF-8 text, so not a JSON SBOM") from None
    try:
        error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    except json.JSONDecodeError as exc:
        raise SupplyChainError(f"{path}: not JSON: {exc}") from None
    if error is not None:
        # error.data is the jsonschema error: say where the document breaks the schema.
        where = getattr(error.data, "json_path", "$")
        message = getattr(error.data, "message", str(error).splitlines()[0])
        raise SupplyChainError(f"{path}: not a valid CycloneDX 1.6 SBOM: {where}: {message}")
    document = json.loads(text)
    # The 1.6 schema also accepts older documents: claim 1.6 only for what says it is 1.6.
    if document.get("specVersion") != SPEC_VERSION:
        raise SupplyChainError(
            f"{path}: specVersion is {document.get('specVersion')!r}, not {SPEC_VERSION!r}: "
            "regenerate it with `uvx nox -s sbom`"
        )
    # Valid but anonymous is not enough: consumers match an SBOM to its release by these.
    root = document.get("metadata", {}).get("component", {})
    missing = [field for field in ("name", "version") if not root.get(field)]
    if missing:
        raise SupplyChainError(
            f"{path}: the root component (metadata.component) has no {' or '.join(missing)}"
        )


def _validate(args: argparse.Namespace) -> int:
    try:
        validate(args.file)
    except SupplyChainError as error:
        return report(error)
    print(f"OK: {args.file} is a valid CycloneDX 1.6 SBOM")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    sbom = subparsers.add_parser("sbom", help="software bill of materials")
    commands = sbom.add_subparsers(dest="sbom_command", metavar="COMMAND", required=True)
    validate_parser = commands.add_parser("validate", help="validate a CycloneDX 1.6 JSON SBOM")
    validate_parser.add_argument("file", type=Path, metavar="FILE")
    validate_parser.set_defaults(handler=_validate)
