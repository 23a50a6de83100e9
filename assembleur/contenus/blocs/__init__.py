"""The kinds of block of the chapters, one module each, found through :data:`KINDS`.

Importing this package registers the kinds shipped with assembleur, in the
order editors and messages list them. See :mod:`.base` for what a kind holds.
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any, Union

from pydantic import BaseModel, Discriminator, Tag

from .base import KINDS, Bloc, Loc, Page, References, Verification, register

__all__ = ["KINDS", "Bloc", "Loc", "Page", "References", "Verification", "any_bloc", "register"]

# the shipped kinds, one module each, in the order editors and messages list them
SHIPPED = (
    "paragraphe",
    "intertitre",
    "liste",
    "tableau",
    "graphique",
    "repartition_piliers",
    "financement",
    "contributions_cget",
    "porteurs",
    "fonds_de_concours",
    "orientations",
    "axes_transversaux",
    "actions",
    "bilan",
)
for _module in SHIPPED:
    importlib.import_module(f"{__name__}.{_module}")  # registers its kind


def _kind_of(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return next(key for key, kind in KINDS.items() if isinstance(value, kind))
    if isinstance(value, dict):
        keys = [key for key in value if key in KINDS]
        if len(keys) == 1:
            return keys[0]
    return None


def any_bloc() -> Any:
    """The type of one block of a ``contenu``: a union of the kinds registered so far, told apart by their key."""
    tagged = tuple(Annotated[kind, Tag(key)] for key, kind in KINDS.items())
    return Annotated[
        Union[tagged],  # noqa: UP007  (a union built from a tuple of types)
        Discriminator(_kind_of, custom_error_type="bloc_inconnu", custom_error_message="bloc sans genre reconnu"),
    ]
