"""What a kind of block is, and the registry that finds the kinds by their YAML key.

A kind of block (``paragraphe``, ``fonds_de_concours``…) is one class: a
pydantic model whose only required key is its ``genre``, registered with
:func:`register`. Besides its model, the class holds everything that concerns
that kind, as hooks the upper layers call:

- ``descriptions``: the French descriptions of its keys, for the JSON Schemas;
- :meth:`Bloc.check_references`: errors found against the other files (validation);
- :meth:`Bloc.check` then :meth:`Bloc.conclude`: the typed figures compared with the
  data, block by block, then once every block has been seen (``verifier``'s warnings);
- :meth:`Bloc.render`: the block as items of a document;
- :attr:`Bloc.chart` and :meth:`Bloc.chart_data`: a kind that sets ``chart`` feeds a
  ``graphique`` of its name (:func:`chart_kinds`), and gives the data it draws;
- :meth:`Bloc.projets_announced`: the projets per element of the strategy a block announces, which
  other kinds compare with theirs (:func:`announced`).

The hooks receive the objects they work with (a :class:`Page`, a
:class:`Verification`, :class:`References`), described here as protocols and
made by ``documents/`` and ``validate``: a kind imports nothing above ``contenus``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Literal, Protocol

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from .. import french
from ..types import Modele, suggest

KINDS: dict[str, type[Bloc]] = {}  # YAML key → kind, in the order of registration

Loc = tuple[Any, ...]  # a key path inside a file: ("sections", 0, "contenu", 2)


@dataclass(frozen=True)
class Chart:
    """What a kind that feeds a ``graphique`` says of its chart."""

    subject: str  # the default of the libellé ``graphique_<genre>``: what the chart shows (alternative text)
    description: str  # that libellé's description, for editors
    values: Literal["montant", "pourcentage"] = "montant"  # how its values read: amounts or shares


class Bloc(Modele):
    """Base of the kinds of block; a subclass is one kind, registered with :func:`register`."""

    genre: ClassVar[str]  # the YAML key that starts a block of this kind
    descriptions: ClassVar[dict[str, str]] = {}  # key → French description, for editors
    conclusion_rank: ClassVar[int] = 0  # order of the kinds' conclusions in ``verifier``
    chart: ClassVar[Chart | None] = None  # set by a kind whose blocks feed a ``graphique`` (see chart_data)

    def check_references(self, references: References) -> list[str]:
        """Errors of this block against the other files (unknown thématique…), located at the block."""
        return []

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        """Compare the figures this block types with the data; warn through ``verification``."""

    @classmethod
    def conclude(cls, verification: Verification) -> None:
        """Checks across every block of this kind, once all were checked."""

    def render(self, page: Page) -> None:
        """Add this block to the document being built."""
        raise NotImplementedError(f"le genre de bloc « {self.genre} » ne sait pas se mettre en page")

    def chart_data(self, text: Callable[[str], str]) -> list[tuple[str, Decimal]] | None:
        """The labelled values a ``graphique: <genre>`` draws, when this kind feeds a chart (sets ``chart``)."""
        return None

    def projets_announced(self) -> dict[str, int]:
        """The projets per element of the strategy this block announces (a répartition), for the other kinds."""
        return {}


def register(kind: type[Bloc]) -> type[Bloc]:
    """Class decorator: make ``kind`` known under its ``genre`` (the model is built with the kinds known then)."""
    if kind.genre not in kind.model_fields:
        raise TypeError(f"{kind.__name__}: the key « {kind.genre} » must be a field of the block")
    if kind.genre in KINDS:
        raise TypeError(f"two kinds of block register « {kind.genre} »: {KINDS[kind.genre].__name__}, {kind.__name__}")
    if (kind.chart is None) != (kind.chart_data is Bloc.chart_data):
        raise TypeError(f"{kind.__name__}: a kind that feeds a chart sets both « chart » and « chart_data »")
    KINDS[kind.genre] = kind
    return kind


def chart_kinds() -> list[str]:
    """The kinds whose blocks feed a chart (``graphique: <genre>``), in the order of registration."""
    return [genre for genre, kind in KINDS.items() if kind.chart is not None]


def _known_chart(value: Any) -> Any:
    kinds = chart_kinds()
    if not isinstance(value, str) or value not in kinds:
        # pydantic's own error for a value outside a Literal, so that validation words it the same way
        expected = " or ".join(filter(None, [", ".join(map(repr, kinds[:-1])), ", ".join(map(repr, kinds[-1:]))]))
        raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})
    return value


class ChartKind(str):
    """The type of a ``graphique``'s key: one of :func:`chart_kinds`, read when a block is validated.

    Not a ``Literal``: the kinds that feed a chart may register after the ``graphique`` kind.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(_known_chart, core_schema.str_schema())

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"enum": chart_kinds(), "type": "string"}


def announced(verification: Verification, until: Bloc | None = None) -> dict[str, int]:
    """Projets per element as announced, up to the block ``until`` (a later line of an element replaces it)."""
    projets: dict[str, int] = {}
    for _, _, block in verification.blocks(Bloc):
        projets.update(block.projets_announced())
        if block is until:
            break
    return projets


def announcing_chapter(verification: Verification) -> int | None:
    """The number of the chapter whose block first announces projets per element of the strategy."""
    for stem, _, block in verification.blocks(Bloc):
        if block.projets_announced():
            return next(n for n, s in verification.content.chapter_sources.items() if s == stem)
    return None


def element_label(content: Any, code: str) -> str:
    """« Titre » (niveau), as the warnings name an element of the strategy."""
    strategie = content.contrat.strategie
    return f"« {strategie.element(code).titre} » ({strategie.level_name(code).lower()})"


def unknown_thematiques(wanted: list[str], references: References) -> list[str]:
    """One error per thématique that no action has."""
    return [
        f"aucune action de programmation.yaml n'a la thématique « {thematique} »"
        f"{suggest(thematique, references.thematiques)}"
        for thematique in wanted
        if thematique not in references.thematiques
    ]


def check_total(
    verification: Verification, stem: str, loc: Loc, what: str, amounts: Iterable[Decimal], typed: Decimal
) -> None:
    """Warn, at ``loc``, when the amounts of a table's lines do not add up to the total typed under them."""
    total = sum(amounts, Decimal(0))
    if total != typed:
        verification.warn(
            stem, loc, f"{what} totalisent {french.format_amount(total)}, et non {french.format_amount(typed)}."
        )


@dataclass(frozen=True)
class References:
    """What a block may be checked against at validation."""

    thematiques: list[str]  # the thématiques of the year's actions, sorted
    genres: set[str]  # the kinds of block present in the chapters
    elements: list[str] = field(default_factory=list)  # the codes of the strategy's elements (contrat.yaml)
    dimensions: list[str] = field(default_factory=list)  # what a repartition may be by (decompte.dimensions)
    financeurs: list[str] = field(default_factory=list)  # the codes of the funders (contrat.yaml)
    quartiers: list[str] = field(default_factory=list)  # the codes of the quartiers prioritaires (contrat.yaml)


class Tally(Protocol):
    projets: int
    porteurs: set[str]


class Verification(Protocol):
    """What ``verifier`` gives the kinds (made by ``documents.derive``)."""

    content: Any  # the year's validated content (validate.Content)
    by_element: dict[str, Tally]  # projets and distinct porteurs counted from the actions, per element
    by_thematique: dict[str, Tally]
    known: dict[str, Any]  # the key figures typed in programmation.yaml (value, str())

    def warn(self, stem: str, loc: Loc, message: str) -> None: ...

    def blocks(self, kind: type[Bloc]) -> list[tuple[str, Loc, Any]]:
        """Every block of ``kind`` in the chapters, in reading order, with its file stem and key path."""
        ...

    def element_of_thematiques(self, thematiques: Iterable[str], level: int) -> Any:
        """The element of the strategy at ``level`` that all the actions of these thématiques share, if any."""
        ...


class Page(Protocol):
    """What a block is rendered into (made by ``documents.derive``)."""

    content: Any  # the year's validated content (validate.Content)
    group_shade: str  # background of a table row that heads a group of rows

    def add(self, kind: str, raw: str = "", **options: Any) -> None: ...

    def cell(self, text: Any, **options: Any) -> Any: ...

    def table(
        self, rows: list[list[Any]], header_rows: int = 1, widths: list[float] | None = None, can_split: bool = False
    ) -> None: ...

    def chart(
        self, name: str, data: list[tuple[str, Decimal]] | None = None, values: str = "", subject: str = ""
    ) -> None: ...
