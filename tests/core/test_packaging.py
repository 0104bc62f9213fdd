"""Packaging: the metadata is what current setuptools reads without a deprecation warning (the licence as an SPDX
expression, not a TOML table), and the build asks for a setuptools that understands it."""
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_licence_is_an_spdx_expression_and_setuptools_is_new_enough():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    licence = data["project"]["license"]
    assert isinstance(licence, str) and licence.startswith("LicenseRef-")  # no SPDX id exists for "proprietary"
    assert not any(c.startswith("License ::") for c in data["project"].get("classifiers", []))
    setuptools = next(r for r in data["build-system"]["requires"] if r.startswith("setuptools"))
    assert setuptools.replace(" ", "") in {"setuptools>=77", "setuptools>=77.0"}  # PEP 639 license expressions
