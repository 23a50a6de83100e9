"""« assembleur importer programmation » and « exporter programmation » on the 2019 project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .aides import edit
from .tableurs import anct_rows, local_rows, write_csv, write_xlsx

PROGRAMMATION = Path("contenus/2019/programmation.yaml")
# the content's table: the ANCT's sub-themes (or a sheet's labels) → an element of the contract's strategy
CORRESPONDANCES = 'correspondances:\n  "2.1 Emploi": "2.1"\n  "1.1 Éducation": "10.1"\n\n'


@pytest.fixture
def correspondances(contenus: Path) -> Path:
    edit(contenus / "programmation.yaml", "\nporteurs:\n", f"\n{CORRESPONDANCES}porteurs:\n")
    return contenus / "programmation.yaml"


def test_the_anct_csv_is_tried_then_imported_then_imported_again_without_change(
    projet: Path, correspondances: Path, cli
) -> None:
    write_csv(projet / "subventions.csv", anct_rows())
    before = correspondances.read_bytes()

    tried = cli("importer", "programmation", "subventions.csv", "2019", "--contrat", "CV062001", "--essai")

    assert tried.exit_code == 0, tried.output
    assert tried.stdout.splitlines() == [
        "subventions.csv, en-tête ligne 1 : 5 action(s) lue(s), 2 ligne(s) d'un autre contrat ou d'une autre année "
        "laissée(s) de côté.",
        f"Actions (essai, rien n'a été écrit dans {PROGRAMMATION}) : 2 ajoutée(s), 3 modifiée(s), 0 inchangée(s), "
        "1 à classer.",
        "- ajoutée : Tremplin numérique",
        "- ajoutée : Jardins partagés",
        "- modifiée : Business 4 (numéro Dauphin PRJ-2019-0001 ; Etat - CGET : aucun → 12\u202f500\u00a0€)",
        "- modifiée : Lectures à partager (numéro Dauphin PRJ-2019-0002 ; Etat - CGET : aucun → 3\u202f000,50\u00a0€)",
        "- modifiée : Médicasport (numéro Dauphin PRJ-2019-0003 ; Etat - CGET : aucun → 8\u202f000\u00a0€)",
        "- à classer : Jardins partagés",
        "- porteur ajouté à la liste : Maison de l'emploi",
        "- porteur ajouté à la liste : Les Jardiniers du Coron",
        "Total Etat - CGET : 29\u202f200,50\u00a0€",
    ]
    assert correspondances.read_bytes() == before

    done = cli("importer", "programmation", "subventions.csv", "2019", "--contrat", "CV062001")

    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[1].startswith(f"Actions ({PROGRAMMATION} complété) : 2 ajoutée(s), 3 modifiée(s)")
    assert done.stdout.splitlines()[-1] == str(PROGRAMMATION)
    text = correspondances.read_text(encoding="utf-8")
    assert (
        '  - {titre: "Business 4", commune: Interco, porteur: Club des Entrepreneurs ESS, strategie: "1.2", '
        "thematique: Emploi et développement économique, dauphin: PRJ-2019-0001, montants: {cget: 12500}}\n"
    ) in text
    assert (
        '  - {titre: "Jardins partagés", porteur: Les Jardiniers du Coron, strategie: "à classer", '
        "dauphin: PRJ-2019-0005, montants: {cget: 1200}}\n"
    ) in text
    assert text.count("# ") == before.decode("utf-8").count("# ")  # every comment kept
    imported = correspondances.read_bytes()

    again = cli("importer", "programmation", "subventions.csv", "2019", "--contrat", "CV062001")

    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[1] == (
        f"Actions ({PROGRAMMATION} est déjà à jour) : 0 ajoutée(s), 0 modifiée(s), 5 inchangée(s), 1 à classer."
    )
    assert correspondances.read_bytes() == imported

    checked = cli("verifier", "2019")
    assert checked.exit_code == 0, checked.output
    assert (
        f"- {PROGRAMMATION}, ligne 233, colonne 78 [actions › 125 › strategie] : l'action « Jardins partagés » est "
        '« à classer » : donnez-lui son élément de la stratégie (strategie: "…"), ou ajoutez son thème aux '
        "« correspondances » avant de la réimporter."
    ) in checked.stderr.splitlines()


def test_a_csv_with_one_unreadable_amount_is_refused_naming_its_line(projet: Path, cli) -> None:
    rows = anct_rows()
    rows[4][8] = "4 5OO,00"
    write_csv(projet / "subventions.csv", rows)
    before = (projet / PROGRAMMATION).read_bytes()

    refused = cli("importer", "programmation", "subventions.csv", "2019", "--contrat", "CV062001")

    assert refused.exit_code == 1
    assert refused.stderr == (
        "Erreur : 1 erreur dans le tableau :\n"
        "- subventions.csv, ligne 5 : colonne « Mt engagé » : montant illisible « 4 5OO,00 » ; écrivez par exemple "
        "« 12 500,00 € »\n"
        "Rien n'a été écrit. Corrigez ces lignes dans le tableau (ou dans les contenus), puis relancez.\n"
    )
    assert (projet / PROGRAMMATION).read_bytes() == before


def test_a_local_workbook_with_a_title_other_spellings_and_a_total_row(projet: Path, cli) -> None:
    rows = [row[:3] + row[4:] for row in local_rows()]  # no quartier column: the 2015 contract lists none
    rows[4][2] = "Auchel"
    write_xlsx(projet / "suivi.xlsx", rows)

    done = cli("importer", "programmation", "suivi.xlsx", "2019")

    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[:2] == [
        "suivi.xlsx, feuille « Programmation », en-tête ligne 3 : 3 action(s) lue(s), ligne de total vérifiée.",
        f"Actions ({PROGRAMMATION} complété) : 1 ajoutée(s), 2 modifiée(s), 0 inchangée(s), 1 à classer.",
    ]
    text = (projet / PROGRAMMATION).read_text(encoding="utf-8")
    assert 'strategie: "10.1", thematique: Education, montants: {cget: 3000.5, region: 1000}}' in text
    assert '  - {titre: "Atelier vélo", commune: Béthune, porteur: Vélo Solidaire, strategie: "à classer", ' in text
    assert cli("verifier", "2019").exit_code == 0


def test_the_export_holds_every_action_once_with_its_amount_and_imports_back_unchanged(
    projet: Path, correspondances: Path, cli
) -> None:
    from openpyxl import load_workbook

    write_csv(projet / "subventions.csv", anct_rows())
    assert cli("importer", "programmation", "subventions.csv", "2019", "--contrat", "CV062001").exit_code == 0
    imported = correspondances.read_bytes()

    exported = cli("exporter", "programmation", "programmation-2019.xlsx", "2019")

    assert exported.exit_code == 0, exported.output
    assert exported.stdout == "programmation-2019.xlsx\n"
    rows = [[cell.value for cell in row] for row in load_workbook(projet / "programmation-2019.xlsx").active]
    header, actions, total = rows[0], rows[1:-1], rows[-1]
    assert len(actions) == 125  # the 123 actions of 2019 and the 2 imported, each once
    titles = [(row[1], row[2], row[3]) for row in actions]
    assert len(set(titles)) == len(titles)
    amounts = {row[1]: row[header.index("Montant Etat - CGET (€)")] for row in actions if row[0]}
    assert amounts == {
        "Business 4": 12500,
        "Lectures à partager": 3000.5,
        "Médicasport": 8000,
        "Tremplin numérique": 4500,
        "Jardins partagés": 1200,
    }
    assert total[1] == "Total"
    assert exported.stderr == (
        "125 actions exportées ; le classeur se réimporte par « assembleur importer programmation "
        "programmation-2019.xlsx 2019 ».\n"
    )

    back = cli("importer", "programmation", "programmation-2019.xlsx", "2019")

    assert back.exit_code == 0, back.output
    assert back.stdout.splitlines()[1] == (
        f"Actions ({PROGRAMMATION} est déjà à jour) : 0 ajoutée(s), 0 modifiée(s), 125 inchangée(s), 1 à classer."
    )
    assert correspondances.read_bytes() == imported


def test_an_action_left_to_classify_stops_a_definitif(projet: Path, correspondances: Path, cli) -> None:
    write_csv(projet / "subventions.csv", anct_rows())
    assert cli("importer", "programmation", "subventions.csv", "2019", "--contrat", "CV062001").exit_code == 0

    refused = cli("dossier", "2019", "--version", "definitif")

    assert refused.exit_code == 1
    assert "l'action « Jardins partagés » est « à classer »" in refused.stderr
    assert "Chaque action importée reçoit son élément de la stratégie avant la version définitive." in refused.stderr
    assert not (projet / "sortie").exists() or not list((projet / "sortie").rglob("*.pdf"))


def test_a_theme_mapped_to_no_element_is_named(projet: Path, correspondances: Path, cli) -> None:
    edit(correspondances, '"1.1 Éducation": "10.1"', '"1.1 Éducation": "10.9"')

    refused = cli("verifier", "2019")

    assert refused.exit_code == 1
    assert (
        "« 1.1 Éducation » renvoie à « 10.9 », qui n'est pas un élément de la stratégie de contrat.yaml ; "
        in refused.stderr
    )


def test_a_wrong_export_name_is_a_usage_error(projet: Path, cli) -> None:
    refused = cli("exporter", "programmation", "programmation.csv", "2019")
    assert refused.exit_code == 64
    assert (
        refused.stderr
        == "Erreur : programmation.csv : le classeur doit finir par .xlsx.\nPar exemple : programmation-2019.xlsx\n"
    )


HOSTILE = {
    "chiffre.xlsx": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le"),
        "chiffre.xlsx est un classeur protégé par un mot de passe : il ne peut pas être lu.",
    ),
    "image.csv": (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image.csv n'est ni un classeur Excel (.xlsx) ni un texte CSV"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_by_the_real_command_in_time(projet: Path, name: str) -> None:
    data, expected = HOSTILE[name]
    (projet / name).write_bytes(data)
    before = (projet / PROGRAMMATION).read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "assembleur", "importer", "programmation", name, "2019"],
        cwd=projet,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"Erreur : {expected}")
    assert "Traceback" not in result.stderr
    assert (projet / PROGRAMMATION).read_bytes() == before


@pytest.mark.libreoffice
def test_the_dossier_is_still_built_after_an_import(projet: Path, correspondances: Path, cli) -> None:
    write_csv(projet / "subventions.csv", anct_rows())
    assert cli("importer", "programmation", "subventions.csv", "2019", "--contrat", "CV062001").exit_code == 0

    built = cli("dossier", "2019")

    assert built.exit_code == 0, built.output
    assert any(line.endswith(".pdf") for line in built.stdout.splitlines())
