"""Stage 3 — derive: figures computed from the data, checks, and the document to render.

The programmation's actions are the one source of truth: counts of projets
and of distinct porteurs per thematique and per pilier come from them, and
the chapter 3 lists are generated from them. Where the staff typed a figure
that the data also gives, :func:`verify` compares the two and returns one
warning per disagreement; the rapport always shows what the staff typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..contenus import french
from ..contenus.model import (
    INTERCO,
    PILIER_NAMES,
    PLACEHOLDER,
    TO_FILL,
    Action,
    Actions,
    AxesTransversaux,
    Bilan,
    BilanDonnees,
    ContributionsCget,
    Financement,
    FondsDeConcours,
    Graphique,
    Intertitre,
    Liste,
    Orientations,
    Paragraphe,
    Porteurs,
    RepartitionPiliers,
    Section,
    Tableau,
    is_to_fill,
)
from ..contenus.validate import Content, iter_blocks, to_fill
from ..errors import Problem

# Porteurs named after the local body that carries the action: "Ville" in
# Auchel and "Ville" in Lillers are two porteurs, so the commune is part of the name.
LOCAL_PORTEURS = {"ville", "ccas", "conseil citoyen"}


# --- figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A key figure of ``programmation.yaml``: its value and how to write it."""

    value: Decimal
    kind: str  # "nombre", "montant" or "pourcentage"

    def __str__(self) -> str:
        if self.kind == TO_FILL:
            return TO_FILL
        if self.kind == "montant":
            return french.format_amount(self.value)
        if self.kind == "pourcentage":
            return french.format_percent(self.value)
        return french.format_number(self.value)


def read_figure(raw: Any) -> Figure:
    """Read a ``chiffres`` entry: a bare number, an amount (``€``) or a percentage (``%``)."""
    if is_to_fill(raw):
        return Figure(Decimal(0), TO_FILL)
    if isinstance(raw, str) and "%" in raw:
        return Figure(french.parse_percent(raw), "pourcentage")
    if isinstance(raw, str) and ("€" in raw or "eur" in raw.lower()):
        return Figure(french.parse_amount(raw), "montant")
    return Figure(french.parse_amount(raw), "nombre")


def figures(content: Content) -> dict[str, Figure]:
    """Every key figure, read and typed."""
    return {name: read_figure(raw) for name, raw in content.programmation.chiffres.items()}


def fill(text: str, known: dict[str, Figure]) -> str:
    """Replace each ``{nom}`` by its figure, French-formatted."""
    return PLACEHOLDER.sub(lambda m: str(known[m[1]]), text)


# --- counts from the list of actions ----------------------------------------------


def porteur_key(action: Action, commune: str) -> str:
    """The identity of the porteur of ``action`` in ``commune``, for counting distinct porteurs."""
    if action.porteur is None:
        return f"(porteur de {commune})"  # e.g. each commune's PRE is carried by its own structure
    name = unicodedata.normalize("NFKD", action.porteur.strip().lower())
    name = "".join(c for c in name if not unicodedata.combining(c))  # "Prévert" and "Prevert" are one porteur
    return f"{name} — {commune}" if name in LOCAL_PORTEURS else name


@dataclass
class Tally:
    """Projets and distinct porteurs of a set of actions."""

    projets: int = 0
    porteurs: set[str] = field(default_factory=set)

    def add(self, action: Action) -> None:
        for commune in action.communes:
            self.projets += 1
            self.porteurs.add(porteur_key(action, commune))


@dataclass
class Counts:
    """Counts computed from the actions, per thematique and per pilier."""

    by_thematique: dict[str, Tally]
    by_pilier: dict[str, Tally]
    total: Tally


def count(content: Content) -> Counts:
    """Count projets and distinct porteurs of the year's actions."""
    pilier_of = {p.numero: p.pilier for p in content.feuille_de_route.priorites}
    by_thematique: dict[str, Tally] = defaultdict(Tally)
    by_pilier: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for action in content.programmation.actions:
        by_thematique[action.thematique].add(action)
        by_pilier[pilier_of[action.priorite]].add(action)
        total.add(action)
    return Counts(dict(by_thematique), dict(by_pilier), total)


def pilier_of_thematiques(content: Content, thematiques: Iterable[str]) -> str | None:
    """The pilier of a set of thematiques, when all their actions share one."""
    pilier_of = {p.numero: p.pilier for p in content.feuille_de_route.priorites}
    wanted = set(thematiques)
    piliers = {pilier_of[a.priorite] for a in content.programmation.actions if a.thematique in wanted}
    return piliers.pop() if len(piliers) == 1 else None


# --- verification -----------------------------------------------------------------


def _amount(value: Decimal) -> str:
    return french.format_amount(value)


def _percent(value: Decimal) -> str:
    return french.format_percent(value)


def verify(content: Content) -> list[Problem]:
    """Compare every typed figure the data also gives; one warning per disagreement."""
    warnings: list[Problem] = to_fill(content.sources)
    counts = count(content)
    known = {name: figure for name, figure in figures(content).items() if figure.kind != TO_FILL}

    def warn(stem: str, loc: tuple[Any, ...], message: str) -> None:
        source = content.sources[stem]
        line, col = source.position(loc)
        warnings.append(Problem(source.path, message, line, col))

    retenus = known.get("projets_retenus")
    cget = known.get("projets_cget")
    if retenus and cget and retenus.value != cget.value:
        warn(
            "programmation",
            ("chiffres", "projets_cget"),
            f"{cget} projets accompagnés par le CGET (projets_cget), mais {retenus} projets retenus (projets_retenus).",
        )
    if retenus and retenus.value != counts.total.projets:
        warn(
            "programmation",
            ("chiffres", "projets_retenus"),
            f"{retenus} projets retenus annoncés, mais la liste des actions en compte {counts.total.projets}.",
        )

    porteur_blocks: list[tuple[str, tuple[Any, ...], Porteurs]] = []
    pilier_bilans: dict[str, tuple[str, tuple[Any, ...], BilanDonnees]] = {}
    theme_bilans: list[tuple[str, tuple[Any, ...], BilanDonnees, str | None]] = []
    repartition: dict[str, int] = {}
    for chapitre in content.chapitres:
        stem = content.chapter_sources[chapitre.numero]
        for loc, block in iter_blocks(chapitre.contenu, chapitre.sections):
            if isinstance(block, Financement):
                total = sum((p.part for p in block.financement.parts), Decimal(0))
                if total != 100:
                    warn(
                        stem,
                        (*loc, "financement"),
                        f"les parts du financement totalisent {_percent(total)}, et non 100 %.",
                    )
            elif isinstance(block, ContributionsCget):
                data = block.contributions_cget
                total = sum((ligne.montant for ligne in data.lignes), Decimal(0))
                if total != data.total:
                    warn(
                        stem,
                        (*loc, "contributions_cget", "total"),
                        f"les contributions du CGET par thématique totalisent {_amount(total)}, "
                        f"et non {_amount(data.total)}.",
                    )
            elif isinstance(block, FondsDeConcours):
                data = block.fonds_de_concours
                total = sum((ligne.montant_fdc for ligne in data.lignes), Decimal(0))
                if total != data.total:
                    warn(
                        stem,
                        (*loc, "fonds_de_concours", "total"),
                        f"les lignes du fonds de concours totalisent {_amount(total)}, et non {_amount(data.total)}.",
                    )
            elif isinstance(block, Porteurs):
                porteur_blocks.append((stem, loc, block))
            elif isinstance(block, RepartitionPiliers):
                for index, ligne in enumerate(block.repartition_piliers):
                    repartition[ligne.pilier] = ligne.projets
                    computed = counts.by_pilier.get(ligne.pilier, Tally()).projets
                    if ligne.pilier != "pilotage" and computed != ligne.projets:
                        warn(
                            stem,
                            (*loc, "repartition_piliers", index, "projets"),
                            f"{ligne.projets} projets annoncés pour le pilier « {PILIER_NAMES[ligne.pilier]} », "
                            f"mais la liste des actions en compte {computed}.",
                        )
                total = sum(repartition.values())
                if retenus and total != retenus.value:
                    warn(
                        stem,
                        (*loc, "repartition_piliers"),
                        f"la répartition par pilier totalise {total} projets, et non {retenus} (projets_retenus).",
                    )
            elif isinstance(block, Bilan):
                data = block.bilan
                scope = data.pilier or pilier_of_thematiques(content, data.thematiques or [])
                if data.pilier:
                    pilier_bilans[data.pilier] = (stem, loc, data)
                    tally = counts.by_pilier.get(data.pilier, Tally())
                    label = f"le pilier « {PILIER_NAMES[data.pilier]} »"
                else:
                    theme_bilans.append((stem, loc, data, scope))
                    tally = Tally()
                    for thematique in data.thematiques or []:
                        part = counts.by_thematique.get(thematique, Tally())
                        tally.projets += part.projets
                        tally.porteurs |= part.porteurs
                    label = f"« {', '.join(data.thematiques or [])} »"
                if tally.projets != data.projets:
                    warn(
                        stem,
                        (*loc, "bilan", "projets"),
                        f"{data.projets} projets soutenus annoncés pour {label}, "
                        f"mais la liste des actions en compte {tally.projets}.",
                    )
                if len(tally.porteurs) != data.porteurs:
                    warn(
                        stem,
                        (*loc, "bilan", "porteurs"),
                        f"{data.porteurs} porteurs de projets annoncés pour {label}, "
                        f"mais la liste des actions en compte {len(tally.porteurs)} différents.",
                    )

    for pilier, (stem, loc, data) in pilier_bilans.items():
        if pilier in repartition and repartition[pilier] != data.projets:
            warn(
                stem,
                (*loc, "bilan", "projets"),
                f"le chapitre 2 annonce {repartition[pilier]} projets pour le pilier « {PILIER_NAMES[pilier]} », "
                f"ce bilan en annonce {data.projets}.",
            )
        parts = [d for _, _, d, scope in theme_bilans if scope == pilier]
        if not parts:
            continue
        for name, label, show in (
            ("projets", "projets soutenus", str),
            ("droit_commun", "subventions de droit commun", _amount),
            ("specifiques", "subventions de crédits spécifiques", _amount),
        ):
            total = sum(getattr(d, name) for d in parts)
            if total != getattr(data, name):
                warn(
                    stem,
                    (*loc, "bilan", name),
                    f"les bilans par thématique du pilier « {PILIER_NAMES[pilier]} » totalisent {show(total)} "
                    f"{label}, et non {show(getattr(data, name))}.",
                )

    seen: dict[str, str] = {}
    deposes = 0
    for stem, loc, block in porteur_blocks:
        data = block.porteurs
        deposes += data.total
        listed = sum(ligne.projets for ligne in data.lignes)
        if listed != data.total:
            warn(
                stem,
                (*loc, "porteurs", "total"),
                f"« {data.titre} » : les lignes totalisent {listed} projets, et non {data.total}.",
            )
        for index, ligne in enumerate(data.lignes):
            name = re.sub(r"\s+", " ", ligne.nom.strip().upper())
            if name in seen:
                warn(
                    stem,
                    (*loc, "porteurs", "lignes", index, "nom"),
                    f"le porteur « {ligne.nom} » figure deux fois ({seen[name]} et ici) ; fusionnez les deux lignes.",
                )
            else:
                line, _ = content.sources[stem].position((*loc, "porteurs", "lignes", index))
                seen[name] = f"ligne {line}"
    if porteur_blocks and "projets_deposes" in known and known["projets_deposes"].value != deposes:
        warn(
            "programmation",
            ("chiffres", "projets_deposes"),
            f"{known['projets_deposes']} projets déposés annoncés, "
            f"mais les tableaux des porteurs en totalisent {deposes}.",
        )
    if content.protocole is not None:
        numbered: dict[str, str] = {}
        for index, section in enumerate(content.protocole.sections):
            match = re.match(r"^Article\s+(\d+)\b", section.titre)
            if not match:
                continue
            if match[1] in numbered:
                warn(
                    "protocole",
                    ("sections", index, "titre"),
                    f"deux articles portent le numéro {match[1]} (« {numbered[match[1]]} » et « {section.titre} ») ; "
                    "le texte signé est conservé tel quel.",
                )
            else:
                numbered[match[1]] = section.titre
    return warnings


# --- the document to render -------------------------------------------------------

GROUP_SHADE = "DCE6F2"  # light blue behind a row that heads a group of rows


@dataclass
class Cell:
    """A table cell: one or more lines of text (with inline markup)."""

    lines: list[str]
    colspan: int = 1
    rowspan: int = 1
    bold: bool = False
    align: str = "left"  # "left", "right" or "center"
    shade: str = ""  # background colour (hex), for rows that group the ones below


@dataclass
class Table:
    """A table to render: rows of cells, the first ``header_rows`` repeated on each page."""

    rows: list[list[Cell]]
    header_rows: int = 1
    widths: list[float] | None = None  # relative column widths
    can_split: bool = False  # may a row break across pages (long cells)?


@dataclass
class Item:
    """One element of the rapport's body, in reading order.

    ``kind`` is the paragraph kind the template knows: ``titre1``, ``titre2``,
    ``titre3``, ``intertitre``, ``priorite``, ``paragraphe``, ``puce``,
    ``symbole``, ``note``, ``tableau`` or ``graphique``.
    """

    kind: str
    text: str = ""
    symbol: str = ""
    table: Table | None = None
    chart: str = ""
    chart_data: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass
class Document:
    """Everything the rapport template needs, already French-formatted."""

    cover: dict[str, Any]
    body: list[Item]


def text_cell(text: Any, **options: Any) -> Cell:
    """A one-line table cell."""
    return Cell([str(text)], **options)


def action_line(action: Action, separator: str = " à ") -> str:
    """An action as the rapport lists it: « Titre à Commune (Porteur) »."""
    places = [c for c in action.communes if c != INTERCO]
    line = action.titre
    if places:
        line += separator + ", ".join(places)
    elif separator != " à ":
        line += separator + INTERCO
    if action.porteur:
        line += f" ({action.porteur})"
    return line


class Builder:
    """Turns content blocks into the flat, French-formatted items of a document."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.known = figures(content)
        self.items: list[Item] = []
        self.charts: dict[str, list[tuple[str, Decimal]]] = {}
        self.sous_priorites = {s.code: s.titre for p in content.feuille_de_route.priorites for s in p.sous_priorites}
        self._collect_chart_data()

    def text(self, raw: str) -> str:
        return french.typography(fill(raw, self.known))

    def add(self, kind: str, raw: str = "", **options: Any) -> None:
        self.items.append(Item(kind, self.text(raw) if raw else "", **options))

    def _collect_chart_data(self) -> None:
        for chapitre in self.content.chapitres:
            for _, block in iter_blocks(chapitre.contenu, chapitre.sections):
                if isinstance(block, Financement):
                    self.charts["financement"] = [(self.text(p.financeur), p.part) for p in block.financement.parts]
                elif isinstance(block, ContributionsCget):
                    self.charts["contributions_cget"] = [
                        (self.text(ligne.libelle), ligne.montant) for ligne in block.contributions_cget.lignes
                    ]

    def table(
        self, rows: list[list[Cell]], header_rows: int = 1, widths: list[float] | None = None, can_split: bool = False
    ) -> None:
        for row in rows:
            for cell in row:
                cell.lines = [self.text(line) for line in cell.lines]
        self.items.append(Item("tableau", table=Table(rows, header_rows, widths, can_split)))

    def blocks(self, blocks: Iterable[Any]) -> None:
        for block in blocks:
            self.block(block)

    def block(self, block: Any) -> None:
        if isinstance(block, Paragraphe):
            self.add("paragraphe", block.paragraphe)
        elif isinstance(block, Intertitre):
            self.add("intertitre", block.intertitre)
        elif isinstance(block, Liste):
            for element in block.liste:
                if block.symbole:
                    self.add("symbole", element, symbol=block.symbole)
                else:
                    self.add("puce", element)
        elif isinstance(block, Tableau):
            data = block.tableau
            if data.titre:
                self.add("intertitre", data.titre)
            rows = [[text_cell(h, bold=True) for h in data.entetes]] if data.entetes else []
            rows += [[text_cell(cell) for cell in ligne] for ligne in data.lignes]
            self.table(rows, header_rows=1 if data.entetes else 0)
            if data.note:
                self.add("note", data.note)
        elif isinstance(block, Graphique):
            self.items.append(Item("graphique", chart=block.graphique, chart_data=self.charts[block.graphique]))
        elif isinstance(block, RepartitionPiliers):
            for ligne in block.repartition_piliers:
                self.add("puce", f"**{ligne.libelle} : {ligne.projets} projet{'s' if ligne.projets > 1 else ''}**")
        elif isinstance(block, Financement):
            # a header row, so that a screen reader names each column (PDF/UA: every table has header cells)
            rows = [[text_cell("Financeur", bold=True), text_cell("Part", bold=True, align="right")]]
            rows += [
                [text_cell(p.financeur), text_cell(_percent(p.part), align="right")] for p in block.financement.parts
            ]
            self.table(rows, header_rows=1, widths=[3, 1])
            if block.financement.note:
                self.add("note", block.financement.note)
        elif isinstance(block, ContributionsCget):
            for ligne in block.contributions_cget.lignes:
                precision = f" ({ligne.precision})" if ligne.precision else ""
                self.add("puce", f"{_amount(ligne.montant)} {ligne.libelle}{precision}")
        elif isinstance(block, Porteurs):
            data = block.porteurs
            rows = [
                [text_cell(data.titre, bold=True), text_cell("Nombre de projets", bold=True, align="right")],
                [text_cell(""), text_cell(data.total, bold=True, align="right")],
            ]
            rows += [[text_cell(ligne.nom), text_cell(ligne.projets, align="right")] for ligne in data.lignes]
            self.table(rows, header_rows=1, widths=[4, 1])
        elif isinstance(block, FondsDeConcours):
            data = block.fonds_de_concours
            rows = [
                [text_cell(h, bold=True) for h in ("Commune", "Projet", "Montant opération", "Montant FDC en euros")]
            ]
            for ligne in data.lignes:
                fdc = french.format_number(ligne.montant_fdc)
                if ligne.precision:
                    fdc += f" ({ligne.precision})"
                rows.append(
                    [
                        text_cell(ligne.commune),
                        text_cell(ligne.projet),
                        text_cell(french.format_number(ligne.montant_operation), align="right"),
                        text_cell(fdc, align="right"),
                    ]
                )
            rows.append(
                [
                    text_cell("TOTAL FDC", bold=True, colspan=3),
                    text_cell(french.format_number(data.total), bold=True, align="right"),
                ]
            )
            self.table(rows, widths=[1.3, 3, 1.3, 1.5])
        elif isinstance(block, Orientations):
            rows = [[text_cell("ORIENTATIONS", bold=True), text_cell("OBJECTIFS OPERATIONNELS", bold=True)]]
            for pilier in block.orientations:
                rows.append([text_cell(pilier.pilier, bold=True, colspan=2, shade=GROUP_SHADE)])
                for orientation in pilier.orientations:
                    first = [
                        text_cell(orientation.intitule, rowspan=len(orientation.objectifs)),
                        text_cell(orientation.objectifs[0]),
                    ]
                    rows.append(first)
                    rows.extend([text_cell(objectif)] for objectif in orientation.objectifs[1:])
            self.table(rows, widths=[1, 1.4])
        elif isinstance(block, AxesTransversaux):
            rows = [[text_cell("AXES TRANSVERSAUX", bold=True), text_cell("ENJEUX/ORIENTATIONS", bold=True)]]
            rows += [[text_cell(axe.axe), Cell(list(axe.enjeux))] for axe in block.axes_transversaux]
            self.table(rows, widths=[1, 2])
        elif isinstance(block, Actions):
            self.actions(block.actions.thematiques)
        elif isinstance(block, Bilan):
            data = block.bilan
            rows = [
                [
                    text_cell(data.titre or "", bold=True),
                    text_cell(""),
                    text_cell("Subventions droit commun", bold=True),
                    text_cell(data.libelle_specifiques, bold=True),
                ],
                [
                    text_cell("Projets soutenus"),
                    text_cell(data.projets, align="right"),
                    text_cell(_amount(data.droit_commun), align="right"),
                    text_cell(_amount(data.specifiques), align="right"),
                ],
                [
                    text_cell("Porteurs de projets"),
                    text_cell(data.porteurs, align="right"),
                    text_cell(""),
                    text_cell(""),
                ],
            ]
            self.table(rows, widths=[2, 0.8, 1.6, 1.8])

    def actions(self, thematiques: list[str]) -> None:
        groups: dict[str, list[Action]] = {}
        for action in self.content.programmation.actions:
            if action.thematique in thematiques:
                groups.setdefault(action.sous_priorite, []).append(action)
        for code, actions in groups.items():
            if code in self.sous_priorites:
                self.add("priorite", f"Priorité {code} {self.sous_priorites[code]}")
            for action in actions:
                self.add("puce", action_line(action))

    def section(self, section: Section, level: int) -> None:
        title = f"{section.numero} {section.titre}" if section.numero else section.titre
        self.add(f"titre{min(level, 3)}", title)
        self.blocks(section.contenu)
        for sub in section.sections:
            self.section(sub, level + 1)


def common_cover(content: Content, version: str, mention: str = "") -> dict[str, Any]:
    """What every template of the year knows: title, year, collectivité, version."""
    rapport = content.rapport
    return {
        "collectivite": rapport.collectivite.nom,
        "sigle": rapport.collectivite.sigle,
        "titre": french.typography(rapport.titre),
        "annee": rapport.annee,
        "date_arret": french.format_long_date(rapport.date_arret),
        "date": rapport.date_arret,
        "projet": version == "projet",
        "mention_version": mention or ("version projet" if version == "projet" else "version définitive"),
    }


def build_document(content: Content, version: str = "projet", mention: str = "") -> Document:
    """The rapport as a cover and a flat list of French-formatted items."""
    rapport = content.rapport
    builder = Builder(content)
    builder.add("titre_introduction", rapport.introduction.titre)
    builder.blocks(rapport.introduction.contenu)
    for chapitre in content.chapitres:
        builder.add("titre1", f"{chapitre.numero} – {chapitre.titre}")
        builder.blocks(chapitre.contenu)
        for section in chapitre.sections:
            builder.section(section, 2)
    builder.add("titre1", rapport.conclusion.titre)
    builder.blocks(rapport.conclusion.contenu)
    cover = {
        **common_cover(content, version, mention),
        "bandeau": [builder.text(line) for line in rapport.collectivite.couverture],
        "signature_mention": builder.text(rapport.signature.mention),
        "signature_qualite": [builder.text(line) for line in rapport.signature.qualite],
        "signature_nom": builder.text(rapport.signature.nom),
    }
    return Document(cover, builder.items)


def count_items(items: Iterable[Item]) -> Counter[str]:
    """How many items of each kind a document has (used by tests and messages)."""
    return Counter(item.kind for item in items)
