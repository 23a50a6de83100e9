"""Read the rows of a programmation spreadsheet into imported actions, refusing all the bad rows at once.

The header row is looked for among the first rows (a title may stand above
it); each column is recognised by :mod:`.colonnes`. ``--contrat`` keeps the
rows of one contract, the year keeps the rows of one year when the sheet has
a year column (the ANCT's file spans years and contracts). A total row is
skipped and checked against the sum of the rows above it. Every row is read
before anything is decided: an unreadable amount, a missing title, a commune,
quartier or strategy node the contract does not know, two rows for the same
action — all are listed in one :class:`ImportRefused`, with the file (and
sheet), the line, the column and the reason.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..contenus import french
from ..contenus.contrat import A_CLASSER, HORS_QPV, INTERCOMMUNAL
from ..errors import ImportRefused, Problem, SpreadsheetError, ValueFormatError
from ..limites import MAX_HEADER_SEARCH, MAX_IMPORTED_ACTIONS
from . import colonnes as c
from .colonnes import Financeur, normalise
from .tableur import Sheet, open_sheets

_WIDE = {"intercommunal": INTERCOMMUNAL, "interco": INTERCOMMUNAL, "hors qpv": HORS_QPV, "hors quartier": HORS_QPV}
QUARTIER_CODE = re.compile(r"Q[NP][0-9A-Z]{6}", re.IGNORECASE)
A_CLASSER_KEY = normalise(A_CLASSER)
_TOTAL = re.compile(r"^(sous )?(total|totaux)\b")
_LIST = re.compile(r"\s*[;,/\n]\s*")


@dataclass(frozen=True)
class Contexte:
    """What the contract and the year declare that reading a row needs (see :mod:`.contrat`)."""

    financeurs: tuple[Financeur, ...] = ()
    communes: tuple[str, ...] = ()  # their spelling in the content; empty: communes are not checked
    intercommunal: str | None = None  # the word the content uses for an intercommunal action (« Interco »)
    quartiers: dict[str, str] = field(default_factory=dict)  # code → name
    noeuds: frozenset[str] = frozenset()  # the strategy's node codes; empty: not checked
    niveaux: tuple[str, ...] = ()  # the strategy's level names: a column named after the last gives the node
    correspondances: dict[str, str] = field(default_factory=dict)  # theme or label (normalised) → node code


@dataclass
class Ligne:
    """One row of the spreadsheet, read: an action to merge into the programmation."""

    where: Path
    line: int
    titre: str
    numero: str | None = None
    porteur: str | None = None
    communes: tuple[str, ...] = ()
    quartiers: tuple[str, ...] = ()
    theme: str | None = None
    noeud: str | None = None  # None: « à classer »
    nature: str | None = None
    montants: dict[str, Decimal] = field(default_factory=dict)  # funder code → amount (zero amounts left out)

    def identity(self) -> tuple[str, ...]:
        """What makes two rows the same action: the Dauphin number, else title, porteur and communes."""
        if self.numero:
            return ("numero", normalise(self.numero))
        return ("titre", normalise(self.titre), normalise(self.porteur or ""), *sorted(map(normalise, self.communes)))

    def shown_identity(self) -> str:
        return f"numéro {self.numero}" if self.numero else "même titre, porteur et commune"


@dataclass
class Lecture:
    """What a spreadsheet gave: its rows as actions, and what was recognised or left aside."""

    where: Path  # the file, and the sheet of a workbook
    header_line: int
    colonnes: dict[str, str]  # field → its header as written
    financeurs: list[str]  # codes of the funders whose amounts the sheet gives
    ignorees: list[str]  # headers not recognised (their columns are not read)
    lignes: list[Ligne]
    autres: int = 0  # rows of another contract or year, left aside
    total: bool = False  # a total row was found and agrees
    noms: dict[str, str] = field(default_factory=dict)  # funder code → name, as messages say it


def read_programmation(
    path: Path,
    contexte: Contexte,
    annee: int | None = None,
    contrat: str | None = None,
    feuille: str | None = None,
    shown: Path | None = None,
) -> Lecture:
    """Read the programmation spreadsheet ``path``; raise :class:`ImportRefused` listing every refused row."""
    with open_sheets(path, shown or path) as sheets:
        for sheet in _candidates(sheets, feuille):
            rows = sheet.rows()
            header = _find_header(sheet, rows, contexte)
            if header is not None:
                return _read_rows(sheet, rows, header, contexte, annee, contrat)
    searched = f"la feuille « {feuille} »" if feuille else "le tableau"
    raise SpreadsheetError(
        f"{shown or path} : aucune ligne d'en-tête reconnue dans les {MAX_HEADER_SEARCH} premières lignes de "
        f"{searched} ; il faut au moins une colonne « {c.LABELS[c.TITRE]} » et une autre colonne connue.",
        "Donnez aux colonnes des noms comme « Libellé de l'action », « Porteur de projet », « Montant État (€) », "
        "ou ceux de l'export de l'ANCT (« Libellé de l'action », « Raison sociale longue », « Mt engagé »).",
    )


def _candidates(sheets: list[Sheet], feuille: str | None) -> list[Sheet]:
    if feuille is None:
        return sheets
    named = [sheet for sheet in sheets if sheet.name == feuille] or [
        sheet for sheet in sheets if sheet.name and normalise(sheet.name) == normalise(feuille)
    ]
    if not named:
        listed = ", ".join(f"« {sheet.name} »" for sheet in sheets if sheet.name) or "aucune (c'est un CSV)"
        raise SpreadsheetError(
            f"Le tableau n'a pas de feuille « {feuille} » (feuilles : {listed}).", "Corrigez --feuille."
        )
    return named[:1]


@dataclass
class _Header:
    line: int
    fields: dict[str, int]  # field → column index
    amounts: dict[str, int]  # funder code → column index
    names: list[str]  # every header, by column index
    ignored: list[str]


def _find_header(sheet: Sheet, rows: Iterator[tuple[int, list[Any]]], contexte: Contexte) -> _Header | None:
    for number, values in rows:
        if number > MAX_HEADER_SEARCH:
            break
        if not any(value is not None for value in values):
            continue
        header = _map_header(sheet, number, values, contexte)
        if header is not None:
            return header
    return None


def _map_header(sheet: Sheet, number: int, values: list[Any], contexte: Contexte) -> _Header | None:
    """The columns of a header row, or None when ``values`` is not one (a title, data)."""
    names = ["" if value is None else str(value) for value in values]
    levels = {normalise(contexte.niveaux[-1]): c.NOEUD} if contexte.niveaux else {}  # the deepest level's code
    fields: dict[str, list[int]] = {}
    amounts: dict[str, list[int]] = {}
    ignored, unknown_amounts = [], []
    for index, name in enumerate(names):
        if not name:
            continue
        funder = c.funder_of(name, contexte.financeurs)
        kind = c.field_of(name) or levels.get(normalise(name))
        if funder is not None:
            amounts.setdefault(funder.code, []).append(index)
        elif kind is not None:
            fields.setdefault(kind, []).append(index)
        else:
            ignored.append(name)
            if _looks_like_amount(name):
                unknown_amounts.append(index)
    if c.TITRE not in fields or len(fields) + len(amounts) < 2:
        return None
    problems = [
        f"{', '.join(sheet.column(i, names[i]) for i in columns)} donnent toutes {what}"
        for what, columns in [
            *((f"« {k} »", v) for k, v in fields.items()),
            *((f"les montants « {k} »", v) for k, v in amounts.items()),
        ]
        if len(columns) > 1
    ] + [
        f"{sheet.column(i, names[i])} : ce montant ne va à aucun financeur du contrat "
        f"(financeurs : {', '.join(f.nom for f in contexte.financeurs) or 'aucun déclaré'})"
        for i in unknown_amounts
    ]
    if problems:
        raise ImportRefused(
            [Problem(sheet.where(), problem, number) for problem in problems],
            "Chaque colonne doit avoir un nom qui la désigne seule ; un montant, le nom ou le code d'un financeur "
            "du contrat (« Montant État (€) », « Montant CAF »).",
        )
    return _Header(
        number,
        {k: v[0] for k, v in fields.items()},
        {k: v[0] for k, v in amounts.items()},
        names,
        ignored,
    )


def _looks_like_amount(name: str) -> bool:
    key = normalise(name)
    if key in c.IGNORED_AMOUNTS or any(key.startswith(f"{ignored} ") for ignored in c.IGNORED_AMOUNTS):
        return False
    words = key.split()
    return bool(words) and ((words[0] in c.AMOUNT_PREFIXES and len(words) > 1) or "€" in name)


@dataclass
class _Reading:
    sheet: Sheet
    header: _Header
    contexte: Contexte
    problems: list[Problem] = field(default_factory=list)

    def cell(self, values: list[Any], kind: str) -> Any:
        index = self.header.fields.get(kind)
        return values[index] if index is not None and index < len(values) else None

    def text(self, values: list[Any], kind: str) -> str | None:
        value = self.cell(values, kind)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number typed in a text column (a Dauphin number, a year)
        return None if value is None else re.sub(r"\s+", " ", str(value)).strip() or None

    def refuse(self, line: int, kind_or_code: str, message: str, amount: bool = False) -> None:
        index = (self.header.amounts if amount else self.header.fields).get(kind_or_code)
        column = f"{self.sheet.column(index, self.header.names[index])} : " if index is not None else ""
        self.problems.append(Problem(self.sheet.where(), f"{column}{message}", line))


def _read_rows(
    sheet: Sheet,
    rows: Iterator[tuple[int, list[Any]]],
    header: _Header,
    contexte: Contexte,
    annee: int | None,
    contrat: str | None,
) -> Lecture:
    if contrat and c.CONTRAT not in header.fields:
        raise SpreadsheetError(
            f"{sheet.where()} n'a pas de colonne « {c.LABELS[c.CONTRAT]} » : --contrat ne peut pas choisir ses lignes.",
            "Retirez --contrat si le tableau ne porte que votre contrat.",
        )
    reading = _Reading(sheet, header, contexte)
    lecture = Lecture(
        sheet.where(),
        header.line,
        {kind: header.names[index] for kind, index in header.fields.items()},
        list(header.amounts),
        header.ignored,
        [],
        noms={financeur.code: financeur.nom for financeur in contexte.financeurs},
    )
    sums: dict[str, Decimal] = dict.fromkeys(header.amounts, Decimal(0))
    seen: dict[tuple[str, ...], int] = {}
    contracts: set[str] = set()
    for number, values in rows:
        if not any(value is not None for value in values):
            continue
        if _is_total(reading, values):
            lecture.total = _check_total(reading, number, values, sums, lecture.autres == 0) or lecture.total
            continue
        code = reading.text(values, c.CONTRAT)
        contracts.add(code or "")
        other_contract = bool(contrat) and normalise(code or "") != normalise(contrat or "")
        if other_contract or not _of_year(reading, number, values, annee):
            lecture.autres += 1
            continue
        ligne = _read_row(reading, number, values)
        for funder, amount in ligne.montants.items():
            sums[funder] += amount
        if ligne.titre:
            first = seen.setdefault(ligne.identity(), number)
            if first != number:
                reading.refuse(
                    number, c.TITRE, f"deux lignes pour la même action ({ligne.shown_identity()}, déjà ligne {first})"
                )
            lecture.lignes.append(ligne)
        if len(lecture.lignes) > MAX_IMPORTED_ACTIONS:
            raise SpreadsheetError(
                f"{sheet.where()} a plus de {french.format_number(MAX_IMPORTED_ACTIONS)} actions à importer.",
                "Choisissez votre contrat avec --contrat, ou vérifiez que c'est le bon fichier.",
            )
    if reading.problems:
        raise ImportRefused(reading.problems)
    if not lecture.lignes:
        raise SpreadsheetError(*_nothing_kept(sheet, contrat, annee, contracts))
    return lecture


def _nothing_kept(sheet: Sheet, contrat: str | None, annee: int | None, contracts: set[str]) -> tuple[str, str]:
    if contrat:
        found = ", ".join(sorted(code for code in contracts if code)[:10]) or "aucun"
        return (
            f"{sheet.where()} n'a aucune ligne du contrat {contrat} pour {annee} (contrats présents : {found}).",
            "Vérifiez le code du contrat (« Code contrat ville », CV suivi de chiffres) et l'année.",
        )
    return (f"{sheet.where()} n'a aucune action à importer pour {annee}.", "Vérifiez le tableau et l'année.")


def _is_total(reading: _Reading, values: list[Any]) -> bool:
    """A « TOTAL », « Total général » or « Sous-total » row: not an action named « Total… », which has a porteur."""
    if reading.text(values, c.PORTEUR) or reading.text(values, c.NUMERO):
        return False
    first = next((value for value in values if value is not None), None)
    title = reading.text(values, c.TITRE)
    return any(isinstance(text, str) and _TOTAL.match(normalise(text)) for text in (first, title))


def _check_total(reading: _Reading, number: int, values: list[Any], sums: dict[str, Decimal], complete: bool) -> bool:
    """Check a total row against the sum of the rows above; True when it was checked and agrees."""
    first = next((value for value in values if value is not None), "")
    if normalise(str(first)).startswith("sous") or not complete:
        return False  # a sub-total, or rows left aside (another contract): the sum is not the file's
    agreed = True
    for funder, index in reading.header.amounts.items():
        value = values[index] if index < len(values) else None
        try:
            total = c.parse_amount(value)
        except ValueFormatError as exc:
            reading.refuse(number, funder, f"ligne de total : {exc}", amount=True)
            continue
        if total is not None and total != sums[funder]:
            agreed = False
            reading.refuse(
                number,
                funder,
                f"la ligne de total donne {_euros(total)} mais les lignes au-dessus font {_euros(sums[funder])}",
                amount=True,
            )
    return agreed


def _euros(amount: Decimal) -> str:
    return french.format_amount(amount)


def _of_year(reading: _Reading, number: int, values: list[Any], annee: int | None) -> bool:
    value = reading.cell(values, c.ANNEE)
    if annee is None or value is None:
        return True
    number_year = isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()
    if isinstance(value, dt.date):
        year = value.year
    elif number_year or (isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip())):
        year = int(value)
    else:
        reading.refuse(number, c.ANNEE, f"année illisible « {value} »")
        return True
    return year == annee


def _read_row(reading: _Reading, number: int, values: list[Any]) -> Ligne:
    contexte = reading.contexte
    titre = reading.text(values, c.TITRE)
    if not titre:
        reading.refuse(number, c.TITRE, "le titre de l'action manque")
    ligne = Ligne(
        reading.sheet.where(),
        number,
        titre or "",
        numero=reading.text(values, c.NUMERO),
        porteur=reading.text(values, c.PORTEUR),
        theme=reading.text(values, c.SOUS_THEME) or reading.text(values, c.THEME),
    )
    for funder, index in reading.header.amounts.items():
        try:
            amount = c.parse_amount(values[index] if index < len(values) else None)
        except ValueFormatError as exc:
            reading.refuse(number, funder, str(exc), amount=True)
            continue
        if amount:
            ligne.montants[funder] = amount
    ligne.communes = _communes(reading, number, reading.text(values, c.COMMUNE))
    ligne.quartiers = _quartiers(reading, number, reading.text(values, c.QUARTIERS))
    ligne.nature = _nature(reading, number, reading.text(values, c.NATURE))
    node = reading.text(values, c.NOEUD)
    if node is not None and normalise(node) == A_CLASSER_KEY:
        node = None  # an action exported « à classer » comes back unclassified
    if node is not None and contexte.noeuds and node not in contexte.noeuds:
        reading.refuse(number, c.NOEUD, f"« {node} » n'est pas un code de la stratégie du contrat")
    ligne.noeud = node or _mapped(contexte, reading.text(values, c.SOUS_THEME), reading.text(values, c.THEME))
    return ligne


def _mapped(contexte: Contexte, *labels: str | None) -> str | None:
    """The strategy node a theme maps to, by the content's table: the sub-theme first, then the theme."""
    for label in labels:
        if not label:
            continue
        for candidate in (label, *_LIST.split(label)[:1]):
            node = contexte.correspondances.get(normalise(candidate))
            if node:
                return node
    return None


def _communes(reading: _Reading, number: int, text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    known = {normalise(name): name for name in reading.contexte.communes}
    if reading.contexte.intercommunal:
        known.setdefault(normalise(reading.contexte.intercommunal), reading.contexte.intercommunal)
        known.setdefault("intercommunal", reading.contexte.intercommunal)
    found = []
    for name in filter(None, _LIST.split(text)):
        if not known:
            found.append(name)
        elif normalise(name) in known:
            found.append(known[normalise(name)])
        else:
            near = difflib.get_close_matches(name, list(known.values()), n=1, cutoff=0.6)
            hint = f" ; vouliez-vous dire « {near[0]} » ?" if near else " (communes du contrat : voir les contenus)"
            reading.refuse(number, c.COMMUNE, f"commune inconnue « {name} »{hint}")
    return tuple(dict.fromkeys(found))


def _quartiers(reading: _Reading, number: int, text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    known = reading.contexte.quartiers
    by_name = {normalise(name): code for code, name in known.items()}
    found = []
    for token in filter(None, _LIST.split(text)):
        key = normalise(token)
        if key in _WIDE:
            found.append(_WIDE[key])
        elif QUARTIER_CODE.fullmatch(token) and token.upper() in known:
            found.append(token.upper())
        elif key in by_name:
            found.append(by_name[key])
        else:
            listed = ", ".join(known) or "aucun déclaré"
            reading.refuse(number, c.QUARTIERS, f"quartier « {token} » inconnu du contrat (quartiers : {listed})")
    return tuple(dict.fromkeys(found))


def _nature(reading: _Reading, number: int, text: str | None) -> str | None:
    if not text:
        return None
    key = normalise(text)
    if key.startswith("fonct"):
        return "fonctionnement"
    if key.startswith("invest"):
        return "investissement"
    reading.refuse(number, c.NATURE, f"nature « {text} » inconnue ; écrivez fonctionnement ou investissement")
    return None
