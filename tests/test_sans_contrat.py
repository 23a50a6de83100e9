"""No contrat de ville in the code: its collectivité, piliers, funders and communes are content."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .aides import REPO

CONTRACT_WORDS = re.compile(r"cget|cabbalr|b[ée]thune|cohesion_sociale|cadre_de_vie|pilier|200072460", re.IGNORECASE)


def test_no_python_string_of_the_package_names_a_contract() -> None:
    found = []
    for path in sorted((REPO / "assembleur").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CONTRACT_WORDS.search(node.value):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def test_the_shipped_templates_carry_no_contract_word() -> None:
    import zipfile

    for folder in (REPO / "gabarits", REPO / "assembleur" / "modeles" / "gabarits"):
        for template in sorted(Path(folder).glob("*.docx")):
            with zipfile.ZipFile(template) as archive:
                text = " ".join(
                    archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml")
                )
            assert not CONTRACT_WORDS.search(re.sub(r"<[^>]+>", "", text)), template
