"""The contrat de ville as content: contrat.yaml, actions referring to it, counts along its dimensions."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from assembleur.contenus import decompte
from assembleur.contenus.contrat import possibles
from assembleur.documents import annexes, derive
from assembleur.errors import ContentError
from assembleur.fabrication import verification
from assembleur.project import Year

from .aides import DATA, PROJET_FIGE, edit

PROJET_2024 = DATA / "projet-2024"  # a hand-written 2024 contract: three levels, two quartiers, amounts


@pytest.fixture
def projet_2024(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(PROJET_2024 / "contenus", tmp_path / "contenus")
    shutil.copytree(PROJET_FIGE / "gabarits", tmp_path / "gabarits")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def table_lines(document: derive.Document) -> list[str]:
    """Every line of every table cell of a document, in order."""
    return [line for item in document.body if item.table for row in item.table.rows for c in row for line in c.lines]


def problems(root: Path, annee: int) -> list[str]:
    with pytest.raises(ContentError) as refused:
        verification.check(Year(root, annee))
    return [str(problem) for problem in refused.value.problems]


def test_possible_values_are_said_in_french() -> None:
    assert possibles("x", ["a"]) == "valeurs possibles : a"
    assert possibles("b", ["a", "b", "c"]) == "valeurs possibles : a, b ou c"
    assert possibles("D1", []) == "aucune valeur n'est déclarée"


def test_an_unknown_literal_lists_its_values_with_ou(annee: Year, contenus: Path) -> None:
    edit(contenus / "avis.yaml", "sens: favorable\n      recu: 25/11/2020", "sens: favorab\n      recu: 25/11/2020")
    [found] = problems(annee.root, 2019)
    assert found.endswith(
        "valeur « favorab » inconnue ; valeurs possibles : favorable, défavorable, réservé, prend acte ou approuve ; "
        "vouliez-vous dire « favorable » ?"
    )


def test_the_2024_contract_counts_along_every_dimension(projet_2024: Path) -> None:
    content = verification.check(Year(projet_2024, 2025)).content
    contrat, actions = content.contrat, content.programmation.actions
    assert contrat.contrat.generation == 2024 and contrat.strategie.niveaux[0] == "Défi"

    def table(par: str) -> dict[str, tuple[int, Decimal]]:
        return {label: (t.projets, t.montant) for (_, label), t in decompte.group(contrat, actions, par).items()}

    assert table("Défi") == {
        "Réussite éducative et jeunesse": (1, Decimal(15000)),
        "Emploi et activité économique": (2, Decimal(32000)),
        "Transition écologique et cadre de vie": (1, Decimal(200000)),
    }
    assert table("financeur") == {
        "État – ANCT (programme 147)": (3, Decimal(40000)),
        "Communauté d'agglomération du Val d'Exemple": (2, Decimal(54000)),
        "CAF": (1, Decimal(3000)),
        "Union européenne – FEDER": (1, Decimal(150000)),
    }
    assert table("quartier") == {
        "Les Tilleuls": (3, Decimal(227000)),
        "Le Port": (1, Decimal(12000)),
        "intercommunal": (1, Decimal(20000)),
    }
    assert table("nature") == {"Fonctionnement": (3, Decimal(47000)), "Investissement": (1, Decimal(200000))}
    assert table("2") == {
        "Prévenir le décrochage scolaire": (1, Decimal(15000)),
        "Rapprocher les demandeurs d'emploi des entreprises": (1, Decimal(12000)),
    }


def test_the_2024_contract_checks_its_figures_and_asks_for_data_by_sex(projet_2024: Path) -> None:
    checked = verification.check(Year(projet_2024, 2025))
    assert [(str(w.file), w.line, w.message) for w in checked.warnings] == [
        (
            "contenus/2025/chapitre2.yaml",
            14,
            "« 300 jeunes » : un chiffre sur des personnes, sans répartition par sexe ; le rapport présente ses "
            "données par sexe (CGCT, art. L.1111-2) : donnez les femmes et les hommes, ou ajoutez un bloc « par_sexe ».",
        )
    ]


def test_an_indicator_by_sex_that_does_not_add_up_is_warned(projet_2024: Path) -> None:
    edit(projet_2024 / "contenus/2025/chapitre2.yaml", "hommes: 198, total: 410", "hommes: 198, total: 411")
    messages = [w.message for w in verification.check(Year(projet_2024, 2025)).warnings]
    assert "« Demandeurs d'emploi de catégorie A », QN09901A : 212 femmes et 198 hommes font 410, et non 411." in (
        messages
    )


def test_the_2024_rapport_shows_the_contract_words(projet_2024: Path) -> None:
    content = verification.check(Year(projet_2024, 2025)).content
    texts = [item.text for item in derive.build_document(content).body]
    cells = table_lines(derive.build_document(content))
    assert "Défi D1" in cells and "Objectif opérationnel D1.1.1" in cells
    assert "Les Tilleuls" in cells and "2\u202f104" in cells  # the indicator by sex, the quartier named
    assert "Source\u00a0: France Travail, 2025." in texts
    assert "Projet de quartier – Les Tilleuls" in texts
    charts = [item for item in derive.build_document(content).body if item.kind == "graphique"]
    assert [c.chart_values for c in charts] == ["montant"]
    assert charts[0].description.startswith("Graphique en barres : les montants par défi.")
    grid = table_lines(annexes.build_grille(content))
    assert "Défi D3\u00a0: Transition écologique et cadre de vie" in grid  # an action attached to the first level
    assert "Tiers-lieu des Tilleuls - Les Tilleuls (Ville de Exempleville)" in grid


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "programmation.yaml",
            "strategie: D1.1.1",
            "strategie: D1.1.2",
            "[actions › 1 › strategie] : l'élément « D1.1.2 » n'existe pas dans la stratégie de contrat.yaml ; "
            "valeurs possibles : D1.1.1, D1.1, D2.1.1, D2.1 ou D2.",
        ),
        (
            "programmation.yaml",
            "quartiers: [QN09901A]",
            "quartiers: [QN09901B]",
            "[actions › 1 › quartiers] : le quartier « QN09901B » n'est pas dans contrat.yaml ; valeurs possibles : "
            "QN09901A, QN09902B, intercommunal ou hors QPV.",
        ),
        (
            "programmation.yaml",
            'montants: {anct: "12 000 €"',
            'montants: {acnt: "12 000 €"',
            "[actions › 1 › montants › acnt] : le financeur « acnt » n'est pas dans contrat.yaml ; valeurs possibles : "
            "anct, cave, caf ou feder.",
        ),
        (
            "contrat.yaml",
            "code: QN09902B",
            "code: QP099002",
            "[territoire › quartiers › 2 › code] : code de quartier « QP099002 » mal formé pour un contrat de 2024 : "
            "« QN » suivi de 6 caractères (par exemple QN062023).",
        ),
        (
            "contrat.yaml",
            "{code: D1.1, titre: Prévenir le décrochage scolaire, parent: D1}",
            "{code: D1.1, titre: Prévenir le décrochage scolaire, parent: D9}",
            "[strategie › elements › 2 › parent] : l'élément parent « D9 » n'est pas déclaré plus haut dans la "
            "stratégie ; valeurs possibles : D1.",
        ),
        (
            "contrat.yaml",
            "type: europe}",
            "type: eruope}",
            "[financeurs › 4 › type] : valeur « eruope » inconnue ; valeurs possibles : europe, epci, autre, "
            "departement ou region ; vouliez-vous dire « europe » ?",
        ),
        (
            "chapitre3.yaml",
            "par: Défi",
            "par: Défis",
            "[sections › 1 › contenu › 1] : répartition par « Défis » inconnue ; valeurs possibles : Défi, "
            "financeur, quartier, Orientation ou Objectif opérationnel.",
        ),
    ],
    ids=["element", "quartier", "financeur", "code-qpv", "parent", "type-financeur", "dimension"],
)
def test_unknown_references_name_the_closest_values(
    projet_2024: Path, file: str, old: str, new: str, message: str
) -> None:
    edit(projet_2024 / "contenus/2025" / file, old, new)
    found = problems(projet_2024, 2025)  # a quartier's code also stands in other files: one problem each
    assert any(f.startswith(f"contenus/2025/{file}, ligne ") and f.endswith(message) for f in found), found


def test_a_dsu_chapter_is_printed_only_when_a_commune_receives_the_dsu(projet_2024: Path) -> None:
    (projet_2024 / "contenus/2025/chapitre4.yaml").write_text(
        "numero: 4\ntitre: La dotation de solidarité urbaine\nseulement_si_dsu: oui\n"
        "contenu:\n  - paragraphe: Les actions financées par la DSU.\n",
        encoding="utf-8",
    )
    content = verification.check(Year(projet_2024, 2025)).content
    assert "4 – La dotation de solidarité urbaine" in [item.text for item in derive.build_document(content).body]
    edit(projet_2024 / "contenus/2025/contrat.yaml", 'insee: "99001", dsu: oui', 'insee: "99001", dsu: non')
    content = verification.check(Year(projet_2024, 2025)).content
    assert "4 – La dotation de solidarité urbaine" not in [item.text for item in derive.build_document(content).body]


@pytest.mark.libreoffice
def test_the_2024_dossier_is_built_for_real(projet_2024: Path, cli) -> None:
    result = cli("dossier", "2025")
    assert result.exit_code == 0, result.stderr
    pdf = projet_2024 / "sortie/2025/dossier-politique-de-la-ville-2025-projet-v1.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("Défi D1", "Les Tilleuls", "Le Port", "Femmes", "Hommes", "État – ANCT (programme 147)", "200 000 €"):
        assert words.replace(" ", "") in text.replace(" ", "").replace("\u202f", "").replace("\u00a0", ""), words
    assert not re.search(r"cget|cabbalr|b[ée]thune|pilier", text, re.IGNORECASE)
