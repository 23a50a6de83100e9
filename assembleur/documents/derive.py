"""Stage 3 — derive: figures computed from the data, checks, and the document to render.

The programmation's actions are the one source of truth: counts of projets
and of distinct porteurs per thematique and per element of the strategy come from them, and
the chapter 3 lists are generated from them. Where the staff typed a figure
that the data also gives, :func:`verify` compares the two and returns one
warning per disagreement; the rapport always shows what the staff typed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..contenus import french, markup
from ..contenus.blocs import KINDS, Bloc, Loc
from ..contenus.blocs.actions import action_line  # noqa: F401  (part of this module's interface)
from ..contenus.contrat import Element
from ..contenus.decompte import Tally, by_element, porteur_key  # noqa: F401  (part of this module's interface)
from ..contenus.libelles import chart_libelle
from ..contenus.model import PLACEHOLDER, TO_FILL, Section, is_to_fill
from ..contenus.validate import Content, iter_blocks, to_fill
from ..errors import Problem
from ..project import PROJET
from . import charts

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


# a figure's label is the words around it in its clause: at most these many before it, and after it
LABEL_BEFORE, LABEL_AFTER = 8, 12


def _texts(value: Any) -> Iterator[str]:
    """Every text inside a block or a title, in the order of its keys."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def _rapport_texts(content: Content) -> Iterator[str]:
    """The texts of the rapport as typed (``{nom}`` not filled in), in reading order."""

    def section(titre: str, contenu: list[Bloc], sections: list[Section]) -> Iterator[str]:
        yield titre
        for block in contenu:
            yield from _texts(block.model_dump())
        for sub in sections:
            yield from section(sub.titre, sub.contenu, sub.sections)

    rapport = content.rapport
    yield from section(rapport.introduction.titre, rapport.introduction.contenu, [])
    for chapitre in content.chapitres:
        yield from section(chapitre.titre, chapitre.contenu, chapitre.sections)
    yield from section(rapport.conclusion.titre, rapport.conclusion.contenu, [])


def figure_labels(content: Content) -> dict[str, str]:
    """What names each key figure for a reader: the words around it where the rapport first cites it.

    The clause as printed, cut to a few words on each side of the figure: « Sur le
    territoire de l'agglomération, 71 emplois francs ont été signés au cours de l'année 2019 ».
    A figure the text never cites has no label.
    """
    known, labels = figures(content), {}
    for text in _rapport_texts(content):
        for name in dict.fromkeys(m[1] for m in PLACEHOLDER.finditer(text)):
            if name in known and name not in labels:
                labels[name] = _clause(text, name, known)
    return labels


def _clause(text: str, name: str, known: dict[str, Figure]) -> str:
    """The clause of ``text`` that cites ``{name}`` (between , ; : . ! ?), in plain words, cut around the figure."""
    marked = PLACEHOLDER.sub(lambda m: "\x00" if m[1] == name else str(known.get(m[1], m[0])), text)
    plain = re.sub(r"[ \t\r\n]+", " ", markup.plain(marked)).strip()  # the no-break spaces of figures stay
    clause = next(c for c in re.split(r" ?[,;:.!?](?: |$)", plain) if "\x00" in c)
    words = clause.split(" ")
    at = next(index for index, word in enumerate(words) if "\x00" in word)
    start, end = max(0, at - LABEL_BEFORE), at + LABEL_AFTER
    cut = ["…"] * (start > 0) + words[start:end] + ["…"] * (end < len(words))
    return " ".join(cut).replace("\x00", str(known[name]))


# --- counts from the list of actions ----------------------------------------------


@dataclass
class Counts:
    """Counts computed from the actions, per thematique and per element of the strategy."""

    by_thematique: dict[str, Tally]
    by_element: dict[str, Tally]
    total: Tally


def count(content: Content) -> Counts:
    """Count projets and distinct porteurs of the year's actions."""
    by_thematique: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for action in content.programmation.actions:
        if action.thematique:
            by_thematique[action.thematique].add(action)
        total.add(action)
    return Counts(dict(by_thematique), by_element(content.contrat, content.programmation.actions), total)


def element_of_thematiques(content: Content, thematiques: Iterable[str], level: int) -> Element | None:
    """The element of ``level`` of a set of thematiques, when all their actions share one."""
    wanted, strategie = set(thematiques), content.contrat.strategie
    found = {strategie.ancestor(a.strategie, level) for a in content.programmation.actions if a.thematique in wanted}
    return found.pop() if len(found) == 1 else None


# --- verification -----------------------------------------------------------------


@dataclass
class Verification:
    """What the checks of ``verifier`` work with: the content, the counts, the typed figures, the warnings."""

    content: Content
    counts: Counts
    known: dict[str, Figure]  # the key figures that are typed (not « À COMPLÉTER »)
    warnings: list[Problem] = field(default_factory=list)
    _blocks: list[tuple[str, Loc, Bloc]] = field(init=False)  # every block of the chapters, in reading order

    def __post_init__(self) -> None:
        self._blocks = [
            (self.content.chapter_sources[chapitre.numero], loc, block)
            for chapitre in self.content.chapitres
            for loc, block in iter_blocks(chapitre.contenu, chapitre.sections)
        ]

    @property
    def by_element(self) -> dict[str, Tally]:
        return self.counts.by_element

    @property
    def by_thematique(self) -> dict[str, Tally]:
        return self.counts.by_thematique

    def warn(self, stem: str, loc: Loc, message: str) -> None:
        """A warning at ``loc`` of the file ``stem``."""
        source = self.content.sources[stem]
        line, col = source.position(loc)
        self.warnings.append(Problem(source.path, message, line, col))

    def blocks(self, kind: type[Bloc]) -> list[tuple[str, Loc, Any]]:
        """Every block of ``kind`` in the chapters, in reading order, with its file stem and key path."""
        return [(stem, loc, block) for stem, loc, block in self._blocks if isinstance(block, kind)]

    def element_of_thematiques(self, thematiques: Iterable[str], level: int) -> Element | None:
        return element_of_thematiques(self.content, thematiques, level)


def _check_figures(verification: Verification) -> None:
    """The key figures of programmation.yaml agree with each other and with the list of actions."""
    known, total = verification.known, verification.counts.total.projets
    retenus = known.get("projets_retenus")
    # the State's specific credits (programme 147) go to every projet retained by the programmation:
    # « projets_<code> » of such a funder is compared with the projets retained
    for financeur in verification.content.contrat.financeurs:
        name = f"projets_{financeur.code}"
        funded = known.get(name)
        if financeur.type == "etat_credits_specifiques" and retenus and funded and retenus.value != funded.value:
            verification.warn(
                "programmation",
                ("chiffres", name),
                f"{funded} projets accompagnés par « {financeur.nom} » ({name}), "
                f"mais {retenus} projets retenus (projets_retenus).",
            )
    if retenus and retenus.value != total:
        verification.warn(
            "programmation",
            ("chiffres", "projets_retenus"),
            f"{retenus} projets retenus annoncés, mais la liste des actions en compte {total}.",
        )


def _check_blocks(verification: Verification) -> None:
    """Each block of the chapters, in reading order, then each kind's checks across its blocks."""
    for stem, loc, block in verification.blocks(Bloc):
        block.check(verification, stem, loc)
    for kind in sorted(KINDS.values(), key=lambda kind: kind.conclusion_rank):
        kind.conclude(verification)


# A figure about people in the text of a chapter: a number, then within two words a noun for people.
# Simple on purpose: it finds « 500 enfants », « 101 jeunes »; not « 77 sont issus… », nor a year (« 2017 auprès des
# habitants »). A text that names women, men, girls or boys anywhere is taken as split.
PEOPLE = re.compile(
    r"(?<![\w.,])(?!(?:19|20)\d\d\b)\d[\d\u202f\u00a0 ]*\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?:habitant|jeune|personne|bénéficiaire|enfant|élève|participant|demandeur|salarié|adulte|résident"
    r"|allocataire|stagiaire|collégien|lycéen|étudiant|senior|retraité)e?s?\b",
    re.IGNORECASE,
)
BY_SEX = re.compile(r"\b(?:femmes?|hommes?|filles?|garçons?)\b|\b[FH]\s*/\s*[HF]\b", re.IGNORECASE)
SEX_MESSAGE = (
    "« {chiffre} » : un chiffre sur des personnes, sans répartition par sexe ; le rapport présente ses données "
    "par sexe (CGCT, art. L.1111-2) : donnez les femmes et les hommes, ou ajoutez un bloc « par_sexe »."
)


def _check_by_sex(verification: Verification) -> None:
    """Each paragraph or list of the chapters that counts people without naming women and men (one warning)."""
    for stem, loc, block in verification.blocks(Bloc):
        texts = getattr(block, "liste", None) or [getattr(block, "paragraphe", None) or ""]
        text = " ".join(t for t in texts if isinstance(t, str))
        match = PEOPLE.search(text)
        if match and not BY_SEX.search(text):
            verification.warn(stem, (*loc, block.genre), SEX_MESSAGE.format(chiffre=" ".join(match[0].split())))


def _check_protocole(verification: Verification) -> None:
    """Two articles of the protocole with the same number (the signed text is kept as it is)."""
    protocole = verification.content.protocole
    if protocole is None:
        return
    numbered: dict[str, str] = {}
    for index, section in enumerate(protocole.sections):
        match = re.match(r"^Article\s+(\d+)\b", section.titre)
        if not match:
            continue
        if match[1] in numbered:
            verification.warn(
                "protocole",
                ("sections", index, "titre"),
                f"deux articles portent le numéro {match[1]} (« {numbered[match[1]]} » et « {section.titre} ») ; "
                "le texte signé est conservé tel quel.",
            )
        else:
            numbered[match[1]] = section.titre


def verify(content: Content) -> list[Problem]:
    """Compare every typed figure the data also gives; one warning per disagreement.

    First the values still « À COMPLÉTER », then the key figures, the blocks
    (each kind's checks, see :mod:`assembleur.contenus.blocs`), the protocole.
    """
    known = {name: figure for name, figure in figures(content).items() if figure.kind != TO_FILL}
    verification = Verification(content, count(content), known, to_fill(content.sources))
    _check_figures(verification)
    _check_blocks(verification)
    _check_by_sex(verification)
    _check_protocole(verification)
    return verification.warnings


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
    chart_values: str = "montant"  # how the chart's values read: "montant", "pourcentage" or "nombre"
    description: str = ""  # a chart's alternative text


@dataclass
class Document:
    """Everything the rapport template needs, already French-formatted."""

    cover: dict[str, Any]
    body: list[Item]


def text_cell(text: Any, **options: Any) -> Cell:
    """A one-line table cell."""
    return Cell([str(text)], **options)


class Builder:
    """Turns content blocks into the flat, French-formatted items of a document (a :class:`~.blocs.Page`)."""

    group_shade = GROUP_SHADE

    def __init__(self, content: Content) -> None:
        self.content = content
        self.known = figures(content)
        self.items: list[Item] = []
        self.charts: dict[str, list[tuple[str, Decimal]]] = {}
        self._collect_chart_data()

    def text(self, raw: str) -> str:
        return french.typography(fill(raw, self.known))

    def add(self, kind: str, raw: str = "", **options: Any) -> None:
        self.items.append(Item(kind, self.text(raw) if raw else "", **options))

    def cell(self, text: Any, **options: Any) -> Cell:
        """A table cell: one line, or one line per element of a list."""
        return Cell([str(line) for line in text], **options) if isinstance(text, list) else text_cell(text, **options)

    def _collect_chart_data(self) -> None:
        for chapitre in self.content.chapitres:
            for _, block in iter_blocks(chapitre.contenu, chapitre.sections):
                data = block.chart_data(self.text)
                if data is not None:
                    self.charts[block.genre] = data

    def chart(
        self, name: str, data: list[tuple[str, Decimal]] | None = None, values: str = "", subject: str = ""
    ) -> None:
        """A chart with its alternative text (its figures, in words): drawn from the data of the ``name`` block,
        or from ``data`` (``values``: "montant", "pourcentage" or "nombre") showing ``subject``."""
        libelles, annee = self.content.rapport.libelles, self.content.rapport.annee
        if data is None:  # a graphique names a kind that feeds a chart: validated
            data, values = self.charts[name], KINDS[name].chart.values
        subject = subject or libelles.text(chart_libelle(name), annee)
        figures = charts.describe(data, values)
        description = (
            libelles.text("graphique_description", annee, sujet=subject, **figures)
            if figures
            else libelles.text("graphique_sans_donnees", annee, sujet=subject)
        )
        plain = markup.plain(description)
        self.items.append(Item("graphique", chart=name, chart_data=data, chart_values=values, description=plain))

    def table(
        self, rows: list[list[Cell]], header_rows: int = 1, widths: list[float] | None = None, can_split: bool = False
    ) -> None:
        for row in rows:
            for cell in row:
                cell.lines = [self.text(line) for line in cell.lines]
        self.items.append(Item("tableau", table=Table(rows, header_rows, widths, can_split)))

    def blocks(self, blocks: Iterable[Bloc]) -> None:
        for block in blocks:
            block.render(self)

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
        "collectivite": content.pilote.nom,
        "sigle": content.pilote.sigle,
        "titre": french.typography(rapport.titre),
        "annee": rapport.annee,
        "date_arret": french.format_long_date(rapport.date_arret),
        "date": rapport.date_arret,
        "projet": version == PROJET,
        "mention_version": mention or ("version projet" if version == PROJET else "version définitive"),
    }


def build_document(content: Content, version: str = PROJET, mention: str = "") -> Document:
    """The rapport as a cover and a flat list of French-formatted items."""
    rapport = content.rapport
    builder = Builder(content)
    builder.add("titre_introduction", rapport.introduction.titre)
    builder.blocks(rapport.introduction.contenu)
    for chapitre in content.chapitres:
        if chapitre.seulement_si_dsu and not content.contrat.has_dsu:
            continue
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
