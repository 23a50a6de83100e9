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
- :meth:`Bloc.chart_data`: the data a ``graphique`` of that name draws.

The hooks receive the objects they work with (a :class:`Page`, a
:class:`Verification`, :class:`References`), described here as protocols and
made by ``documents/`` and ``validate``: a kind imports nothing above ``contenus``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from .. import french
from ..types import Modele

KINDS: dict[str, type[Bloc]] = {}  # YAML key → kind, in the order of registration

Loc = tuple[Any, ...]  # a key path inside a file: ("sections", 0, "contenu", 2)


class Bloc(Modele):
    """Base of the kinds of block; a subclass is one kind, registered with :func:`register`."""

    genre: ClassVar[str]  # the YAML key that starts a block of this kind
    descriptions: ClassVar[dict[str, str]] = {}  # key → French description, for editors
    conclusion_rank: ClassVar[int] = 0  # order of the kinds' conclusions in ``verifier``

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
        """The labelled values a ``graphique: <genre>`` draws, when this kind feeds a chart."""
        return None


def register(kind: type[Bloc]) -> type[Bloc]:
    """Class decorator: make ``kind`` known under its ``genre`` (the model is built with the kinds known then)."""
    if kind.genre not in kind.model_fields:
        raise TypeError(f"{kind.__name__}: the key « {kind.genre} » must be a field of the block")
    if kind.genre in KINDS:
        raise TypeError(f"two kinds of block register « {kind.genre} »: {KINDS[kind.genre].__name__}, {kind.__name__}")
    KINDS[kind.genre] = kind
    return kind


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
        self, name: str, data: list[tuple[str, Decimal]] | None = None, kind: str = "", subject: str = ""
    ) -> None: ...
