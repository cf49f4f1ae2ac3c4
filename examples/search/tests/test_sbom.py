"""`sbom validate`: the check `nox -s sbom` runs on the SBOM it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from my_ml_project.cli import main
from my_ml_project.supply_chain.config import SupplyChainError
from my_ml_project.supply_chain.sbom import validate

ROOT = {
    "type": "application",
    "name": "my-ml-project",
    "version": "0.1.0",
}
MINIMAL = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "metadata": {"component": ROOT},
    "components": [],
}


def test_valid_sbom_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(MINIMAL))
    assert main(["sbom", "validate", str(path)]) == 0
    assert "valid CycloneDX 1.6 SBOM" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (json.dumps({**MINIMAL, "version": "one"}), "$.version: 'one' is not of type 'integer'"),
        (json.dumps({**MINIMAL, "bomFormat": "SPDX"}), "$.bomFormat: 'SPDX' is not one of"),
        ("{", "not JSON"),
        (
            json.dumps({**MINIMAL, "specVersion": "1.5"}),
            "specVersion is '1.5', not '1.6': regenerate it with `uvx nox -s sbom`",
        ),
        (
            json.dumps({**MINIMAL, "metadata": {"component": {**ROOT, "version": ""}}}),
            "the root component (metadata.component) has no version",
        ),
    ],
)
def test_invalid_sbom_is_reported(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "bom.json"
    path.write_text(text)
    with pytest.raises(SupplyChainError, match=r"bom\.json") as error:
        validate(path)
    assert reason in str(error.value)
    assert "\n" not in str(error.value)


def test_missing_sbom_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sbom", "validate", str(tmp_path / "absent.json")]) == 1
    assert "SBOM not found" in capsys.readouterr().err
