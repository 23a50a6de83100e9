"""The kinds of block of the chapters, one module each, found through :data:`KINDS`.

Importing this package imports every module beside this one, each of which
registers its kind: the shipped ones in the order of :data:`SHIPPED` (the
order editors and messages list them), any other after them, by name. Adding a
kind is adding a module; the kinds share nothing but :mod:`.base`, which says what a kind holds.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Annotated, Any, Union

from pydantic import BaseModel, Discriminator, Tag

from .base import KINDS, Bloc, Chart, Loc, Page, References, Verification, chart_kinds, register

__all__ = [
    "KINDS",
    "Bloc",
    "Chart",
    "Loc",
    "Page",
    "References",
    "Verification",
    "any_bloc",
    "chart_kinds",
    "register",
]

# the shipped kinds, in the order editors and messages list them (that of the 2019 schemas)
SHIPPED = (
    "paragraphe",
    "intertitre",
    "liste",
    "tableau",
    "graphique",
    "repartition",
    "financement",
    "montants",
    "porteurs",
    "fonds_de_concours",
    "orientations",
    "axes_transversaux",
    "actions",
    "bilan",
    "par_sexe",
    "strategie_du_contrat",
)
_MODULES = sorted(
    (module.name for module in pkgutil.iter_modules(__path__) if module.name != "base"),
    key=lambda name: (SHIPPED.index(name) if name in SHIPPED else len(SHIPPED), name),
)
for _module in _MODULES:
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
