"""Reading a programmation spreadsheet: formats, headers, amounts, total rows, refused rows, hostile files."""

from __future__ import annotations

import codecs
import io
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembleur import limites
from assembleur.errors import AssembleurError, ImportRefused, SpreadsheetError, ValueFormatError
from assembleur.programmation import colonnes, tableur
from assembleur.programmation.colonnes import parse_amount
from assembleur.programmation.lecture import read_programmation

from .tableurs import (
    ANCT_HEADER,
    CONTEXTE,
    ETAT,
    REGION,
    anct_row,
    anct_rows,
    local_rows,
    write_csv,
    write_ods,
    write_xlsx,
)


def test_the_anct_csv_of_two_contracts_is_read_for_one(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "subventions.csv", anct_rows())
    lecture = read_programmation(path, CONTEXTE, 2019, contrat="CV062001")
    assert [(ligne.numero, ligne.titre, ligne.montants) for ligne in lecture.lignes] == [
        ("PRJ-2019-0001", "Business 4", {"etat": Decimal("12500.00")}),
        ("PRJ-2019-0002", "Lectures à partager", {"etat": Decimal("3000.50")}),
        ("PRJ-2019-0003", "Médicasport", {"etat": Decimal("8000.00")}),
        ("PRJ-2019-0004", "Tremplin numérique", {"etat": Decimal("4500.00")}),
        ("PRJ-2019-0005", "Jardins partagés", {"etat": Decimal("1200.00")}),
    ]
    assert lecture.autres == 2  # another contract, another year
    assert lecture.financeurs == ["etat"]
    assert [ligne.noeud for ligne in lecture.lignes] == ["1.2", "10.3", "10.3", "1.2", None]  # 3.2: à classer
    assert lecture.lignes[0].porteur == "Club des Entrepreneurs ESS"
    assert lecture.ignorees == []


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ";"), ("utf-8", ","), ("utf-8", "\t"), ("utf-16", "\t"), ("cp1252", ",")],
)
def test_encodings_and_separators_are_detected(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = write_csv(tmp_path / "prog.csv", anct_rows(), encoding, delimiter)
    lecture = read_programmation(path, CONTEXTE, 2019, contrat="cv062001")
    assert [ligne.titre for ligne in lecture.lignes][1] == "Lectures à partager"
    assert lecture.lignes[1].montants == {"etat": Decimal("3000.50")}


@pytest.mark.parametrize("write", [write_xlsx, write_ods], ids=["xlsx", "ods"])
def test_a_local_workbook_with_a_title_other_spellings_and_a_total(tmp_path: Path, write) -> None:
    path = write(tmp_path / f"suivi.{write.__name__[-4:]}", local_rows(), before=["Notes"])
    lecture = read_programmation(path, CONTEXTE, 2019)
    assert lecture.header_line == 3
    assert lecture.where == Path(f"{path}, feuille « Programmation »")
    assert lecture.total
    assert [(a.titre, a.communes, a.quartiers, a.montants) for a in lecture.lignes] == [
        ("Business 4", ("Interco",), ("intercommunal",), {"etat": Decimal("12500.00")}),
        ("Lectures à partager", ("Auchel",), ("QP062001",), {"etat": Decimal("3000.50"), "region": Decimal("1000.00")}),
        (
            "Atelier vélo",
            ("Béthune",),
            ("QP062002", "QP062003"),
            {"etat": Decimal("2250.00"), "region": Decimal("750.00")},
        ),
    ]


def test_a_total_that_disagrees_is_refused_naming_its_cell(tmp_path: Path) -> None:
    rows = local_rows()
    rows[-1][4] = 17000
    path = write_xlsx(tmp_path / "suivi.xlsx", rows)
    with pytest.raises(ImportRefused) as refused:
        read_programmation(path, CONTEXTE, 2019)
    assert str(refused.value).splitlines()[:2] == [
        "1 erreur dans le tableau :",
        f"- {path}, feuille « Programmation », ligne 7 : colonne E (« Montant État (€) ») : la ligne de total "
        "donne 17\u202f000\u00a0€ mais les lignes au-dessus font 17\u202f750,50\u00a0€",
    ]


def test_one_unreadable_amount_is_refused_naming_file_line_and_column(tmp_path: Path) -> None:
    rows = anct_rows()
    rows[3][8] = "8 000,0,0"
    path = write_csv(tmp_path / "subventions.csv", rows)
    with pytest.raises(ImportRefused) as refused:
        read_programmation(path, CONTEXTE, 2019, contrat="CV062001")
    assert str(refused.value) == (
        "1 erreur dans le tableau :\n"
        f"- {path}, ligne 4 : colonne « Mt engagé » : montant illisible « 8 000,0,0 » ; écrivez par exemple "
        "« 12 500,00 € »\n"
        "Rien n'a été écrit. Corrigez ces lignes dans le tableau (ou dans les contenus), puis relancez."
    )


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    rows = local_rows()[:-1]
    rows[3][0] = None  # no title
    rows[4][4] = "beaucoup"
    rows[5][2] = "Bethune-Plage"
    rows[5][3] = "QP062002, QP999999"
    rows.append(["Lectures à partager", "Ville", "Auchel", None, 1, None])
    path = write_xlsx(tmp_path / "suivi.xlsx", rows)
    with pytest.raises(ImportRefused) as refused:
        read_programmation(path, CONTEXTE, 2019)
    where = f"{path}, feuille « Programmation »"
    assert [str(p) for p in refused.value.problems] == [
        f"{where}, ligne 4 : colonne A (« Intitulé de l'action ») : le titre de l'action manque",
        f"{where}, ligne 5 : colonne E (« Montant État (€) ») : montant illisible « beaucoup » ; écrivez par "
        "exemple « 12 500,00 € »",
        f"{where}, ligne 6 : colonne C (« Commune ») : commune inconnue « Bethune-Plage » ; vouliez-vous dire "
        "« Béthune » ?",
        f"{where}, ligne 6 : colonne D (« Quartiers ») : quartier « QP999999 » inconnu du contrat (quartiers : "
        "QP062001, QP062002, QP062003)",
        f"{where}, ligne 7 : colonne A (« Intitulé de l'action ») : deux lignes pour la même action (même titre, "
        "porteur et commune, déjà ligne 5)",
    ]


def test_two_rows_with_one_dauphin_number_are_refused(tmp_path: Path) -> None:
    rows = anct_rows()
    rows[2][0] = "PRJ-2019-0001"
    path = write_csv(tmp_path / "subventions.csv", rows)
    with pytest.raises(ImportRefused) as refused:
        read_programmation(path, CONTEXTE, 2019, contrat="CV062001")
    assert [p.message for p in refused.value.problems] == [
        "colonne « Libellé de l'action » : deux lignes pour la même action (numéro PRJ-2019-0001, déjà ligne 2)"
    ]


def test_a_strategy_column_named_after_the_last_level(tmp_path: Path) -> None:
    rows = [["Titre", "Sous-priorité", "Mt engagé"], ["A", "10.3", "1"], ["B", "à classer", "2"], ["C", "7.7", "3"]]
    path = write_csv(tmp_path / "p.csv", rows, "utf-8")
    with pytest.raises(ImportRefused) as refused:
        read_programmation(path, CONTEXTE, 2019)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}, ligne 4 : colonne « Sous-priorité » : « 7.7 » n'est pas un code de la stratégie du contrat"
    ]
    del rows[3]
    path = write_csv(tmp_path / "p.csv", rows, "utf-8")
    assert [a.noeud for a in read_programmation(path, CONTEXTE, 2019).lignes] == ["10.3", None]


def test_contract_filter_without_the_column_or_without_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "suivi.xlsx", local_rows())
    with pytest.raises(SpreadsheetError, match="n'a pas de colonne « Code contrat ville » : --contrat"):
        read_programmation(path, CONTEXTE, 2019, contrat="CV062001")
    path = write_csv(tmp_path / "subventions.csv", anct_rows())
    with pytest.raises(SpreadsheetError) as error:
        read_programmation(path, CONTEXTE, 2019, contrat="CV000000")
    assert error.value.message == (
        f"{path} n'a aucune ligne du contrat CV000000 pour 2019 (contrats présents : CV059042, CV062001)."
    )


def test_a_column_of_amounts_for_no_funder_is_refused(tmp_path: Path) -> None:
    rows = [["Libellé", "Porteur", "Montant Fondation X (€)"], ["A", "B", "1"]]
    path = write_csv(tmp_path / "p.csv", rows, "utf-8")
    with pytest.raises(ImportRefused) as refused:
        read_programmation(path, CONTEXTE, 2019)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}, ligne 1 : colonne « Montant Fondation X (€) » : ce montant ne va à aucun financeur du contrat "
        "(financeurs : État (crédits spécifiques), Région Hauts-de-France)"
    ]


def test_no_header_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [["a", "b"], ["1", "2"]], "utf-8")
    with pytest.raises(SpreadsheetError, match="aucune ligne d'en-tête reconnue dans les 30 premières lignes"):
        read_programmation(path, CONTEXTE, 2019)


def test_the_sheet_asked_for(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "suivi.xlsx", local_rows(), before=["Notes", "Autre"])
    assert len(read_programmation(path, CONTEXTE, 2019, feuille="programmation").lignes) == 3
    with pytest.raises(SpreadsheetError) as error:
        read_programmation(path, CONTEXTE, 2019, feuille="2019")
    assert error.value.message == (
        "Le tableau n'a pas de feuille « 2019 » (feuilles : « Notes », « Autre », « Programmation »)."
    )


# --- hostile and wrong files ---------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(400):
                part.write(b"\0" * (1 << 20))
    return buffer.getvalue()


CFB = tableur.CFB_MAGIC + b"\0" * 504
HOSTILE = {
    "encrypted.xlsx": (CFB + "EncryptionInfo".encode("utf-16-le"), "est un classeur protégé par un mot de passe"),
    "ancien.xls": (CFB + "Workbook".encode("utf-16-le"), "est un classeur Excel 97-2003 (.xls), qui n'est pas lu."),
    "vide.ods": (
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
        "aucune ligne d'en-tête reconnue",
    ),
    "casse.ods": (_zip({"content.xml": b"<pas du xml"}), "ne peut pas être lu comme un classeur OpenDocument"),
    "chiffre.ods": (
        _zip({"content.xml": b"<x/>", "META-INF/manifest.xml": b"<manifest:encryption-data/>"}),
        "est un classeur protégé par un mot de passe",
    ),
    "autre.xlsx": (
        _zip({"word/document.xml": b"<x/>"}),
        "ni un classeur OpenDocument (.ods) : c'est une autre archive.",
    ),
    "casse.xlsx": (b"PK\x03\x04" + b"\0" * 100, "est une archive endommagée"),
    "faux.xlsx": (_zip({"xl/workbook.xml": b"<pas du xml"}), "ne peut pas être lu comme un classeur Excel"),
    "bombe.xlsx": (_bomb(), "se décompresse en 400 Mio : ce n'est pas un tableau normal"),
    "image.csv": (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "n'est ni un classeur Excel (.xlsx) ni un texte CSV lisible"),
    "scan.csv": (b"%PDF-1.7\n", "est un PDF, pas un tableau."),
    "binaire.csv": (b"abc\x81\x8d\x8f;\n", "n'est ni un classeur Excel (.xlsx) ni un texte CSV lisible"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_what_is_not_a_readable_spreadsheet_gets_a_french_error(tmp_path: Path, name: str) -> None:
    data, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SpreadsheetError) as error:
        read_programmation(path, CONTEXTE, 2019)
    assert expected in error.value.message
    assert error.value.message.startswith(str(path))


def test_files_over_the_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "subventions.csv", anct_rows())
    monkeypatch.setattr(tableur, "MAX_SPREADSHEET_BYTES", 100)
    with pytest.raises(SpreadsheetError, match="plus que la limite de 0 Mio pour un tableau"):
        read_programmation(path, CONTEXTE, 2019)
    monkeypatch.undo()
    monkeypatch.setattr(tableur, "MAX_SPREADSHEET_ROWS", 5)
    with pytest.raises(SpreadsheetError, match=r"a plus de 5 lignes : ce n'est pas une programmation\."):
        read_programmation(path, CONTEXTE, 2019)


def test_a_workbook_whose_rows_jump_far_is_refused_in_time(tmp_path: Path) -> None:
    """A cell on the sheet's last row: openpyxl fills the gap with empty rows, which the bound counts."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Libellé", "Porteur"])
    workbook.active.cell(1_048_576, 1, "loin")
    workbook.save(tmp_path / "loin.xlsx")
    with pytest.raises(SpreadsheetError, match=r"lignes : ce n'est pas une programmation\."):
        read_programmation(tmp_path / "loin.xlsx", CONTEXTE, 2019)
    assert limites.MAX_SPREADSHEET_ROWS < 1_048_576


def test_a_bom_file_whose_body_is_broken(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"Libell\xe9;Porteur\n")
    with pytest.raises(SpreadsheetError, match="octet illisible ligne 1"):
        read_programmation(path, CONTEXTE, 2019)


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12 500,00", "12500.00"),
        ("12 500,00 €", "12500.00"),
        ("12\u00a0500,00\u00a0€", "12500.00"),
        ("12\u202f500", "12500.00"),
        ("12500.00", "12500.00"),
        ("12500,5", "12500.50"),
        ("1.712.989 €", "1712989.00"),
        ("12 500 euros", "12500.00"),
        ("", None),
        ("-", None),
        (12500, "12500.00"),
        (3000.5, "3000.50"),
        (0.1 + 0.2, "0.30"),
    ],
)
def test_amounts_read_the_french_way(text: object, amount: str | None) -> None:
    assert parse_amount(text) == (None if amount is None else Decimal(amount))


@pytest.mark.parametrize("text", ["12,500.00", "1 25 000", "12,505", "-5", "1e5", "douze", "12 k€", "NaN", "∞"])
def test_ambiguous_or_wrong_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueFormatError):
        parse_amount(text)


cents = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False)


def _grouped(amount: Decimal, space: str) -> str:
    integer, decimals = f"{amount:.2f}".split(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    return f"{space.join(groups)},{decimals}"


@given(amount=cents, space=st.sampled_from([" ", "\u00a0", "\u202f"]), euro=st.sampled_from(["", " €", "\u00a0€", "€"]))
def test_any_amount_written_the_french_way_reads_back(amount: Decimal, space: str, euro: str) -> None:
    assert parse_amount(_grouped(amount, space) + euro) == amount
    assert parse_amount(f"{amount:.2f}") == amount  # as a computer writes it
    assert parse_amount(float(amount)) == amount  # as a spreadsheet stores it


@given(st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.none(), st.booleans()))
def test_any_cell_gives_an_amount_or_our_error(value: object) -> None:
    try:
        amount = parse_amount(value)
    except ValueFormatError as exc:
        assert str(exc)
        return
    assert amount is None or (amount.is_finite() and amount >= 0 and amount == amount.quantize(colonnes.CENT))


def test_headers_are_recognised_whatever_their_typography() -> None:
    assert colonnes.field_of("Intitulé de l’action") == colonnes.TITRE
    assert colonnes.field_of("  LIBELLÉ DE L'ACTION ") == colonnes.TITRE
    assert colonnes.field_of("N° Dauphin") == colonnes.NUMERO
    assert colonnes.funder_of("Montant en €", [ETAT]) is None
    assert colonnes.funder_of("Mt engagé", [REGION, ETAT]) == ETAT
    assert colonnes.funder_of("Part Région", [ETAT, REGION]) == REGION
    assert colonnes.funder_of("Région Hauts-de-France (€)", [ETAT, REGION]) == REGION
    assert ANCT_HEADER[0] == "Numéro de l'action PRJ"
    assert anct_row("1", "a", "b", "1")[4] == "CV062001"


def test_an_entity_bomb_inside_a_sheet_is_refused(tmp_path: Path) -> None:
    """A « billion laughs » in the sheet's XML: the XML parser stops it; the user reads a French error."""
    path = write_xlsx(tmp_path / "suivi.xlsx", local_rows())
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    entities = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY {name} "{f"&{previous};" * 10}">' for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index("<worksheet")
    sheet = f"{sheet[:start]}<!DOCTYPE worksheet [{entities}]>{sheet[start:]}"
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        "</sheetData>", '<row r="99"><c r="A99" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData>'
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(SpreadsheetError) as error:
        read_programmation(path, CONTEXTE, 2019)
    assert error.value.message == f"{path}, feuille « Programmation » ne peut pas être lue (ParseError)."


def test_a_csv_with_a_title_sub_totals_and_a_grand_total(tmp_path: Path) -> None:
    rows = [
        ["Programmation 2019 ; version du 3 mars"],
        [],
        ["Titre", "Porteur", "Montant État"],
        ["A", "P", "1 000"],
        ["B", "P", "500,50"],
        ["Sous-total cohésion sociale", None, "1 500,50"],
        ["C", "Q", "99"],
        ["Total Festival", "Les Amis du Festival", "0"],  # an action named « Total… »: it has a porteur
        ["Total général", None, "1 599,50 €"],
    ]
    path = write_csv(tmp_path / "p.csv", rows, "utf-8")
    lecture = read_programmation(path, CONTEXTE, 2019)
    assert (lecture.header_line, [a.titre for a in lecture.lignes], lecture.total) == (
        3,
        ["A", "B", "C", "Total Festival"],
        True,
    )
    rows[-1][2] = "1 600"
    path = write_csv(tmp_path / "p.csv", rows, "utf-8")
    with pytest.raises(ImportRefused) as refused:
        read_programmation(path, CONTEXTE, 2019)
    assert [p.line for p in refused.value.problems] == [9]


def test_a_csv_cell_beyond_the_csv_module_limit_is_said_in_french(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text('Titre;Porteur\nA;"' + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError) as error:
        read_programmation(path, CONTEXTE, 2019)
    assert error.value.message == f"{path}, ligne 2 : ligne illisible (une cellule dépasse 131\u202f072 caractères)."


CELLS = st.one_of(
    st.sampled_from(["Libellé", "Porteur", "Mt engagé", "Montant Région", "TOTAL", "Quartiers", "Commune", ""]),
    st.text(max_size=12),
    st.sampled_from(["12 500,00", "1,5,5", "QP062001", "Auchel", '"', "\n", ";", "\x00"]),
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=600), st.lists(st.lists(CELLS, max_size=6), max_size=8)))
def test_any_file_gives_actions_or_our_french_error(data: bytes | list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tableau.csv"
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text("\n".join(";".join(row) for row in data), encoding="utf-8")
        try:
            lecture = read_programmation(path, CONTEXTE, 2019)
        except AssembleurError as exc:
            assert exc.message
            return
        assert all(ligne.titre for ligne in lecture.lignes)


def test_an_ods_sheet_asked_by_name_and_runs_of_cells(tmp_path: Path) -> None:
    rows = local_rows()
    rows[4][0] = "Lectures  à partager"  # two spaces: Calc writes the second as <text:s/>
    path = write_ods(tmp_path / "suivi.ods", rows, before=["Notes", "Autre"])
    lecture = read_programmation(path, CONTEXTE, 2019, feuille="Programmation")
    assert [a.titre for a in lecture.lignes] == ["Business 4", "Lectures à partager", "Atelier vélo"]
    assert lecture.lignes[1].montants == {"etat": Decimal("3000.50"), "region": Decimal("1000.00")}
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode()
    content = content.replace(
        '<table:table-cell table:number-columns-repeated="1016"/></table:table-row>',
        '<table:table-cell office:value-type="string" table:number-columns-repeated="100000"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>",
        1,
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", content)
    with pytest.raises(SpreadsheetError, match=r"une ligne a plus de 500 colonnes remplies\."):
        read_programmation(path, CONTEXTE, 2019)
    assert data


def test_a_run_of_filled_ods_rows_is_bounded(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "suivi.ods", local_rows()[:4])
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode()
    last = content.rindex("<table:table-row>", 0, content.rindex("number-rows-repeated"))
    content = content[:last] + '<table:table-row table:number-rows-repeated="1000000000">' + content[last + 17 :]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", content)
    with pytest.raises(SpreadsheetError, match="a plus de 20\u202f000 actions à importer"):
        read_programmation(path, CONTEXTE, 2019)


def test_an_entity_bomb_in_an_ods_is_refused(tmp_path: Path) -> None:
    entities = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY {name} "{f"&{previous};" * 10}">' for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    path = tmp_path / "bombe.ods"
    path.write_bytes(_zip({"content.xml": f"<!DOCTYPE x [{entities}]><x>&i;</x>".encode()}))
    with pytest.raises(SpreadsheetError) as error:
        read_programmation(path, CONTEXTE, 2019)
    assert error.value.message == f"{path} ne peut pas être lu comme un classeur OpenDocument (ParseError)."
