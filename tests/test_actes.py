"""@ctes as the platforms take it: the act's number, the collectivité's identity, the Préfecture's classification,
the ACTES names and the ACTES message (validated against the published schema).

The end-to-end builds (LibreOffice) are in test_versions.py (the définitif of the frozen project, with the
Préfecture's file) and test_deliberation.py (registering the act, then the définitif with a classification date).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from pydantic import ValidationError

from assembleur.contenus import acte, classification
from assembleur.contenus.contrat import Pilote
from assembleur.pdf import actes, actes_message

from .aides import (
    ACTES_DATA,
    CLASSIFICATION,
    actes_schema,
    blank_pdf,
    classify,
    edit,
    send_projet,
    sign_deliberation,
    signed_scan,
)

NS = {"actes": "http://www.interieur.gouv.fr/ACTES#v1.1-20040216"}
SAMPLE = (ACTES_DATA / CLASSIFICATION).read_bytes()
STEM = "062-200072460-20201215-2020_245-DE-1-1"


def refused_definitif(cli) -> list[str]:
    """The lines of the refusal of ``dossier --version definitif --actes`` (exit 1), after its first line."""
    result = cli("dossier", "2019", "--version", "definitif", "--actes")
    assert result.exit_code == 1
    return result.stderr.splitlines()[1:]


# --- the act's number ------------------------------------------------------------------------------------


def test_a_number_the_platforms_refuse_is_refused_with_its_accepted_spelling(
    projet: Path, contenus: Path, cli, tmp_path: Path
) -> None:
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(signed_scan())
    before = (contenus / "deliberation.yaml").read_bytes()
    files = sorted((projet / "annexes/2019").iterdir())
    result = cli("deliberation", "ajouter", str(scan), "--numero", "2020-245", "--seance", "15/12/2020", "2019")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Erreur : Le numéro « 2020-245 » n'est pas accepté : les plateformes @ctes (S²LOW) n'acceptent que des "
        "majuscules, des chiffres et « _ », 15 caractères au plus, sans « _ » au début ni à la fin.\n"
        "Écrivez-le « 2020_245 » (--numero 2020_245), comme il sera transmis à la Préfecture.\n"
    )
    assert (contenus / "deliberation.yaml").read_bytes() == before
    assert sorted((projet / "annexes/2019").iterdir()) == files
    accepted = cli("deliberation", "ajouter", str(scan), "--numero", "2020_245", "--seance", "15/12/2020", "2019")
    assert accepted.exit_code == 0, accepted.stderr
    assert "  numero: '2020_245'\n" in (contenus / "deliberation.yaml").read_text(encoding="utf-8")


def test_a_number_typed_without_quotes_is_refused_before_yaml_loses_its_underscore(contenus: Path, cli) -> None:
    path = contenus / "deliberation.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "acte:\n  fichier: d.pdf\n  numero: 2020_245\n  seance: 15/12/2020\n",
        encoding="utf-8",
    )
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert (
        "- contenus/2019/deliberation.yaml, ligne 61, colonne 11 [acte › numero] : écrivez le numéro entre "
        'guillemets (numero: "2020_245") : sans eux, YAML le lit comme le nombre 2020245.'
    ) in result.stderr.splitlines()


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("2020-245", "2020_245"),
        (" 2020 - 245 ", "2020_245"),
        ("d2020/12.3", "D2020_12_3"),
        ("Délib-n°45", "DELIB_N45"),
        ("_x_", "X"),
        ("2020-000245-ABCDEFGH", "2020_000245_ABC"),
        ("ABCDEFGHIJKLMN-OP", "ABCDEFGHIJKLMN"),  # trimmed to 15, then no « _ » at the end
        ("---", ""),
    ],
)
def test_the_suggested_number_is_the_accepted_spelling(typed: str, suggested: str) -> None:
    assert acte.numero_suggestion(typed) == suggested


@given(st.text(max_size=40))
def test_a_suggestion_is_always_accepted_or_empty(typed: str) -> None:
    suggestion = acte.numero_suggestion(typed)
    assert suggestion == "" or acte.NUMERO_PATTERN.match(suggestion)


def test_a_number_without_any_usable_character_gets_no_suggestion() -> None:
    assert acte.numero_refusal("---") == (
        "Le numéro « --- » n'est pas accepté : les plateformes @ctes (S²LOW) n'acceptent que des majuscules, des "
        "chiffres et « _ », 15 caractères au plus, sans « _ » au début ni à la fin.",
        "Donnez le numéro tel que votre service des assemblées l'a attribué (par exemple 2020_245).",
    )
    assert acte.numero_refusal("2020_245") is None and acte.numero_refusal("A") is None
    assert acte.numero_refusal("1234567890ABCDEF") is not None  # 16 characters


def test_a_seance_in_the_future_is_refused(projet: Path, contenus: Path, cli, tmp_path: Path) -> None:
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(signed_scan())
    result = cli("deliberation", "ajouter", str(scan), "--numero", "2020_245", "--seance", "15/12/2999", "2019")
    assert (result.exit_code, result.stderr) == (
        1,
        "Erreur : La date de la séance (15/12/2999) est dans le futur : les plateformes @ctes refusent un acte daté "
        "d'après sa transmission.\nDonnez la date à laquelle le conseil a délibéré (--seance JJ/MM/AAAA).\n",
    )


def test_an_objet_over_499_characters_is_refused_with_its_line(contenus: Path, cli) -> None:
    objet = "Rapport 2019 sur la mise en œuvre de la politique de la ville"
    edit(contenus / "deliberation.yaml", f"objet: {objet}\n", f"objet: {objet}{'.' * (500 - len(objet))}\n")
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert (
        "- contenus/2019/deliberation.yaml, ligne 16, colonne 8 [objet] : l'objet compte 500 caractères ; "
        "les plateformes @ctes en acceptent 499 au plus : raccourcissez-le." in result.stderr.splitlines()
    )


# --- the collectivité's identity -----------------------------------------------------------------------------


def _collectivite(**values) -> Pilote:
    return Pilote.model_validate({"nom": "C", "sigle": "C", **values})


@pytest.mark.parametrize(
    ("typed", "kept"), [(62, "062"), ("062", "062"), ("62", "062"), ("2a", "02A"), ("974", "974"), (6, "006")]
)
def test_the_departement_is_written_on_three_characters(typed, kept: str) -> None:
    assert _collectivite(departement=typed).departement == kept


@pytest.mark.parametrize("typed", ["2C", "62000", "162", "", "A62"])
def test_a_departement_acte_does_not_know_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="le département s'écrit sur 3 caractères comme @ctes l'attend"):
        _collectivite(departement=typed)


def test_the_siren_has_nine_digits_and_a_valid_luhn_key() -> None:
    assert _collectivite(siren=200072460).siren == "200072460"
    assert _collectivite(siren="200 072 460").siren == "200072460"
    with pytest.raises(ValidationError, match="a une clé fausse"):
        _collectivite(siren="200072461")
    with pytest.raises(ValidationError, match="un SIREN a 9 chiffres"):
        _collectivite(siren="20007246")


def test_a_wrong_siren_is_named_with_its_line(contenus: Path, cli) -> None:
    edit(contenus / "contrat.yaml", 'siren: "200072460"', 'siren: "200072461"')
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert (
        "- contenus/2019/contrat.yaml, ligne 21, colonne 12 [territoire › pilote › siren] : le SIREN « 200072461 » a une "
        "clé fausse (dernier chiffre) : vérifiez-le sur l'avis de situation INSEE." in result.stderr.splitlines()
    )


def test_a_registered_act_needs_the_siren_and_departement_before_any_conversion(
    projet: Path, contenus: Path, cli
) -> None:
    send_projet(contenus)
    sign_deliberation(projet)
    edit(contenus / "contrat.yaml", '    siren: "200072460"', "")
    edit(contenus / "contrat.yaml", '    departement: "062"\n', "")
    assert refused_definitif(cli) == [
        "Erreur : 2 erreurs dans le dossier @ctes :",
        "- contenus/2019/contrat.yaml, ligne 19, colonne 5 [territoire › pilote] : le SIREN de la collectivité "
        'manque : le dossier @ctes le porte dans le nom de chaque fichier ; ajoutez « siren: "123456789" » '
        "(ses 9 chiffres) sous « territoire › pilote ».",
        "- contenus/2019/contrat.yaml, ligne 19, colonne 5 [territoire › pilote] : le département de la "
        'collectivité manque : le dossier @ctes le porte dans le nom de chaque fichier ; ajoutez « departement: "062" » '
        "(3 caractères) sous « territoire › pilote ».",
        "Rien n'a été écrit. Corrigez ces points dans les fichiers indiqués, puis relancez.",
    ]
    assert not (projet / "sortie").exists()


def test_verifier_tells_what_the_actes_package_would_refuse_once_the_act_is_registered(
    projet: Path, contenus: Path, cli
) -> None:
    sign_deliberation(projet)
    edit(contenus / "contrat.yaml", '    siren: "200072460"', "")
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert (
        "- contenus/2019/contrat.yaml, ligne 19, colonne 5 [territoire › pilote] : le SIREN de la collectivité "
        'manque : le dossier @ctes le porte dans le nom de chaque fichier ; ajoutez « siren: "123456789" » '
        "(ses 9 chiffres) sous « territoire › pilote »."
    ) in result.stderr.splitlines()


# --- the Préfecture's classification ------------------------------------------------------------------------


def test_the_sample_classification_is_valid_and_read() -> None:
    schema = actes_schema()
    assert schema.validate(etree.parse(str(ACTES_DATA / CLASSIFICATION))), schema.error_log
    retour = classification.read(ACTES_DATA / CLASSIFICATION, Path(CLASSIFICATION))
    assert retour.date.isoformat() == "2020-06-15"
    assert retour.matieres["8.5"] == "Politique de la ville-habitat-logement"
    assert retour.matieres["8.5.1"] == "contrat de ville"
    assert retour.types_pieces[1] == {"99_DE": "Délibération", "99_AU": "Autre document", "22_RA": "Rapport"}
    assert retour.abreges == {1: "DE", 6: "AU"}


def test_a_prefecture_list_without_the_default_piece_type_is_refused(projet: Path, contenus: Path, cli) -> None:
    send_projet(contenus)
    sign_deliberation(projet)
    without = SAMPLE.replace(
        b'      <actes:TypePJNatureActe actes:CodeTypePJ="99_AU" actes:Libelle="Autre document"/>\n', b"", 1
    )
    classify(projet, without)
    assert refused_definitif(cli) == [
        "Erreur : 1 erreur dans le dossier @ctes :",
        "- contenus/2019/deliberation.yaml, ligne 18, colonne 3 [classification] : le type de pièce « 99_AU » "
        "(annexes) n'est pas dans la liste de la Préfecture pour les délibérations "
        "(annexes/2019/classification-exemple.xml) ; types acceptés : 99_DE (Délibération), 22_RA (Rapport). "
        "Choisissez-en un avec « type_piece_annexe: » sous « classification ».",
        "Rien n'a été écrit. Corrigez ces points dans les fichiers indiqués, puis relancez.",
    ]
    assert not (projet / "sortie").exists()
    # the type chosen among the Préfecture's is accepted
    edit(
        contenus / "deliberation.yaml",
        "  fichier: classification-exemple.xml\n",
        "  fichier: classification-exemple.xml\n  type_piece_annexe: 22_RA\n",
    )
    assert cli("verifier", "2019").exit_code == 0


def test_a_code_absent_from_the_prefecture_file_lists_the_closest(projet: Path, contenus: Path, cli) -> None:
    classify(projet)
    edit(contenus / "deliberation.yaml", 'code: "8.5"', 'code: "8.9"')
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "Erreur : 1 erreur dans le dossier @ctes :",
        "- contenus/2019/deliberation.yaml, ligne 18, colonne 9 [classification › code] : la classification "
        "« 8.9 » n'est pas dans le fichier de la Préfecture (annexes/2019/classification-exemple.xml) ; codes les "
        "plus proches : 8.6 (Emploi-formation professionnelle), 8.5 (Politique de la ville-habitat-logement), "
        "8.4 (Aménagement du territoire).",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<pas du xml", "le fichier de classification n'est pas un XML lisible"),
        (SAMPLE.split(b"?>", 1)[1], "le fichier de classification n'est pas un XML lisible"),  # Latin-1 read as UTF-8
        (b'<?xml version="1.0"?><Autre/>', "ce n'est pas un fichier de classification @ctes (RetourClassification)"),
        (SAMPLE.replace(b"2020-06-15", b"15/06/2020"), "n'a pas de date lisible (DateClassification)"),
        (
            SAMPLE.replace(b"?>", b'?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1),
            "le fichier de classification déclare un DOCTYPE, ce qu'aucune classification ne fait",
        ),
    ],
)
def test_an_unusable_classification_file_is_named(projet: Path, cli, data: bytes, expected: str) -> None:
    classify(projet, data)
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert "- annexes/2019/classification-exemple.xml" in result.stderr and expected in result.stderr
    assert "root:" not in result.stdout + result.stderr  # nothing of /etc/passwd was read into the message


def test_a_classification_file_outside_the_annexes_is_refused(projet: Path, contenus: Path, cli) -> None:
    classify(projet)
    edit(
        contenus / "deliberation.yaml", "fichier: classification-exemple.xml", "fichier: ../../contenus/2019/avis.yaml"
    )
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert "le fichier de classification doit se trouver dans annexes/2019/." in result.stderr


# --- the package and its message -------------------------------------------------------------------------------


def _pdfs(folder: Path, count: int) -> list[Path]:
    return [blank_pdf(folder / f"s{index}.pdf") for index in range(count)]


TRANSMISSION = actes.Transmission(
    nature="Délibération",
    classification_code="8.5.1",
    classification_libelle="contrat de ville",
    objet="Rapport sur la mise en œuvre – « 2019 »",
    numero="2020_245",
    date="2020-12-15",
    siren="200072460",
    departement="062",
    classification_date="2020-06-15",
    type_piece_annexe="22_RA",
)


def test_the_package_names_each_file_as_actes_does_and_the_message_validates(tmp_path: Path) -> None:
    sources = _pdfs(tmp_path, 3)
    pieces = [
        actes.Piece(1, "deliberation", "Délibération", sources[0], actes.PRINCIPAL),
        actes.Piece(2, "rapport", "Rapport", sources[1]),
        actes.Piece(3, "annexe-1", "Annexe 1", sources[2]),
    ]
    written = actes.build_package(pieces, tmp_path / "actes", TRANSMISSION)
    assert [path.name for path in written] == [
        f"{STEM}_0.xml",
        f"99_DE-{STEM}_1.pdf",
        f"22_RA-{STEM}_2.pdf",
        f"22_RA-{STEM}_3.pdf",
        "bordereau.csv",
    ]
    tree = etree.parse(str(written[0]))
    schema = actes_schema()
    assert schema.validate(tree), schema.error_log
    root = tree.getroot()
    levels = [root.find(f"actes:CodeMatiere{n}", NS).get(f"{{{NS['actes']}}}CodeMatiere") for n in (1, 2, 3)]
    assert levels == ["8", "5", "1"]
    assert root.findtext("actes:Objet", namespaces=NS) == "Rapport sur la mise en oeuvre - « 2019 »"
    assert "« 2019 »".encode("iso-8859-1") in written[0].read_bytes()  # ISO-8859-1, not character references
    rows = (tmp_path / "actes/bordereau.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[2] == "matieres;8;5;1"
    assert [row.split(";")[:4] for row in rows[10:]] == [
        ["0", f"{STEM}_0.xml", "message", ""],
        ["1", f"99_DE-{STEM}_1.pdf", "principal", "99_DE"],
        ["2", f"22_RA-{STEM}_2.pdf", "annexe", "22_RA"],
        ["3", f"22_RA-{STEM}_3.pdf", "annexe", "22_RA"],
    ]


def test_an_act_alone_has_an_empty_list_of_annexes(tmp_path: Path) -> None:
    data = actes_message.message(
        date="2020-12-15",
        numero="2020_245",
        nature_code=1,
        classification_code="8.5",
        objet="Objet",
        classification_date="2020-06-15",
        act=f"99_DE-{STEM}_1.pdf",
        annexes=[],
    )
    tree = etree.fromstring(data)
    schema = actes_schema()
    assert schema.validate(tree), schema.error_log
    assert tree.find("actes:Annexes", NS).get(f"{{{NS['actes']}}}Nombre") == "0"


def test_without_the_classification_date_the_files_keep_actes_names_but_no_message(tmp_path: Path) -> None:
    sources = _pdfs(tmp_path, 2)
    pieces = [actes.Piece(1, "d", "D", sources[0], actes.PRINCIPAL), actes.Piece(2, "r", "R", sources[1])]
    undated = actes.Transmission(**{**TRANSMISSION.__dict__, "classification_date": "", "sans_message": "pas de date"})
    written = actes.build_package(pieces, tmp_path / "actes", undated)
    assert [path.name for path in written] == [f"99_DE-{STEM}_1.pdf", f"22_RA-{STEM}_2.pdf", "bordereau.csv"]
    rows = (tmp_path / "actes/bordereau.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[7] == "message;non écrit : pas de date"


def test_a_registered_act_without_classification_date_is_told(projet: Path, contenus: Path) -> None:
    from assembleur.documents import transmission
    from assembleur.fabrication import verification
    from assembleur.project import Year

    sign_deliberation(projet)
    year = Year(projet, 2019)
    content = verification.check(year).content
    warnings = transmission.check(year, content, registered=True)
    assert [str(warning) for warning in warnings] == [
        "contenus/2019/deliberation.yaml, ligne 18, colonne 3 [classification] : le message ACTES n'est pas écrit : "
        "la date de la classification de la Préfecture n'est pas connue (donnez dans deliberation.yaml son fichier, "
        "classification › fichier, ou sa date, classification › date_version)."
    ]
    assert re.fullmatch(r"\d{3}-\d{9}-\d{8}-2020_245-DE-1-1", transmission.transmission(year, content).stem())


def test_a_new_year_keeps_the_prefecture_classification(projet: Path, cli) -> None:
    classify(projet)
    result = cli("nouveau", "2020")
    assert result.exit_code == 0, result.stderr
    assert "annexes/2020/classification-exemple.xml" in result.stdout.splitlines()
    assert (projet / "annexes/2020" / CLASSIFICATION).read_bytes() == SAMPLE
    assert "  fichier: classification-exemple.xml\n" in (projet / "contenus/2020/deliberation.yaml").read_text("utf-8")
