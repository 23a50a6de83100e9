"""Stage 2 — validate: check the loaded YAML against the typed model.

Every problem of every file is collected before anything is reported, each
with its file, line, column, key path, what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ContentError, Problem
from .blocs import KINDS, References
from .contrat import A_CLASSER, Contrat, Pilote, check_actions, check_contrat, possibles
from .decompte import dimensions
from .load import SourceFile
from .model import (
    PLACEHOLDER,
    Avis,
    Bloc,
    Chapitre,
    Deliberation,
    FeuilleDeRoute,
    Programmation,
    Protocole,
    Rapport,
    Section,
    is_to_fill,
)
from .types import suggest as _suggest

REQUIRED_FILES = {
    "contrat": Contrat,
    "rapport": Rapport,
    "programmation": Programmation,
}
OPTIONAL_FILES = {
    "feuille_de_route": FeuilleDeRoute,
    "protocole": Protocole,
    "avis": Avis,
    "deliberation": Deliberation,
}
KNOWN_FILES = {**REQUIRED_FILES, **OPTIONAL_FILES}
CHAPTER_PREFIX = "chapitre"
TO_FILL_MESSAGE = "à compléter : tapez la valeur de l'année à la place de « À COMPLÉTER »."
# error types raised by our own validators (model.py): their message is already French
CUSTOM_ERRORS = {
    "cle_inconnue",
    "montant",
    "pourcentage",
    "date",
    "code",
    "chiffre_inconnu",
    "chiffre",
    "bilan_portee",
    "libelle",
    "sens_manquant",
    "siren",
    "departement",
    "actes",
}


@dataclass
class Content:
    """A year's validated content, with its source files for positions."""

    contrat: Contrat
    rapport: Rapport
    chapitres: list[Chapitre]
    programmation: Programmation
    feuille_de_route: FeuilleDeRoute | None = None
    protocole: Protocole | None = None
    avis: Avis | None = None
    deliberation: Deliberation | None = None
    sources: dict[str, SourceFile] = field(default_factory=dict)
    chapter_sources: dict[int, str] = field(default_factory=dict)  # chapter number → file stem

    @property
    def pilote(self) -> Pilote:
        """The collectivité that pilots the contract and publishes the rapport (contrat.yaml)."""
        return self.contrat.pilote


def _describe(value: Any) -> str:
    if value is None:
        return "rien"
    if isinstance(value, bool):
        return "vrai/faux"
    if isinstance(value, dict):
        return "une rubrique de clés"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, int | float):
        return f"le nombre {value}"
    text = str(value)
    return f"« {text[:60]}… »" if len(text) > 60 else f"« {text} »"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    found = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"la clé obligatoire « {err['loc'][-1]} » manque ; ajoutez-la."
    if kind in {"string_type"}:
        return f"attendu : un texte ; trouvé : {_describe(found)}."
    if kind == "string_too_short":
        return "ce texte est vide ; écrivez-le ou retirez la ligne."
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"attendu : un nombre entier ; trouvé : {_describe(found)}."
    if kind in {"greater_than_equal", "greater_than"}:
        return f"attendu : un nombre d'au moins {ctx.get('ge', ctx.get('gt'))} ; trouvé : {_describe(found)}."
    if kind in {"less_than_equal", "less_than"}:
        return f"nombre invraisemblable ({found}) ; attendu : au plus {ctx.get('le', ctx.get('lt'))}."
    if kind == "list_type":
        return f"attendu : une liste (des lignes commençant par « - ») ; trouvé : {_describe(found)}."
    if kind == "too_short":
        return "cette liste est vide ; elle doit avoir au moins un élément."
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"attendu : une rubrique de clés (« clé: valeur ») ; trouvé : {_describe(found)}."
    if kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", "")
        choices = expected.replace(" or ", ", ").split(", ")
        return _sentence(
            f"valeur {_describe(found)} inconnue ; {possibles(str(found), choices)}{_suggest(str(found), choices)}"
        )
    if kind == "bloc_inconnu":
        kinds = list(KINDS)
        if isinstance(found, dict):
            keys = [str(k) for k in found]
            guess = _suggest(keys[0], kinds) if keys else ""
            return (
                f"bloc inconnu (clés : {', '.join(keys) or 'aucune'}){guess} "
                f"Un bloc commence par l'un de ces genres : {', '.join(kinds)}."
            )
        return f"un bloc doit commencer par son genre, par exemple « - paragraphe: … » ; trouvé : {_describe(found)}."
    if kind in {"date_type", "date_parsing", "date_from_datetime_parsing"}:
        return f"attendu : une date comme « 29/09/2020 » ; trouvé : {_describe(found)}."
    if kind in {"value_error", "assertion_error"}:
        return _sentence(str(err["msg"]).removeprefix("Value error, "))
    if kind in CUSTOM_ERRORS:
        return _sentence(err["msg"])
    return f"valeur refusée : {_describe(found)}."


def _path(loc: tuple[Any, ...]) -> str:
    steps: list[str] = []
    for step in loc:
        text = str(step + 1) if isinstance(step, int) else str(step)
        if isinstance(step, str) and (step in {"str", "int", "float"} or "[" in step or (steps and steps[-1] == text)):
            continue  # union branch and tag names that pydantic adds to paths
        steps.append(text)
    return " › ".join(steps)


def _problems(source: SourceFile, exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        if err["type"] == "cle_inconnue":
            line, col = source.key_position(loc, err["ctx"]["cle"])
        elif err["type"] == "missing":
            line, col = source.position(loc[:-1])
        else:
            line, col = source.position(loc)
        path = _path(loc)
        key = (line, col, path.split(" › ")[-1] if err["type"] != "missing" else path)
        if key in seen:  # a value refused by each branch of a union: say it once
            continue
        seen.add(key)
        message = TO_FILL_MESSAGE if is_to_fill(err.get("input")) else _message(err)
        problems.append(Problem(source.path, message, line, col, path))
    return problems


def _validate_file(source: SourceFile, model: type[BaseModel], context: dict[str, Any]) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(source.data, context=context), []
    except ValidationError as exc:
        return None, _problems(source, exc)


def _walk_strings(node: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_strings(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_strings(value, (*loc, index))
    elif isinstance(node, str):
        yield loc, node


def to_fill(sources: dict[str, SourceFile]) -> list[Problem]:
    """Every value still marked « À COMPLÉTER », by file and line."""
    return [
        Problem(source.path, TO_FILL_MESSAGE, *source.position(loc), _path(loc))
        for source in sources.values()
        for loc, text in _walk_strings(source.data)
        if is_to_fill(text)
    ]


def iter_blocks(
    blocks: list[Bloc], sections: list[Section], loc: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every block of a chapter or section, depth first, with its key path."""
    for index, block in enumerate(blocks):
        yield (*loc, "contenu", index), block
    for index, section in enumerate(sections):
        yield from iter_blocks(section.contenu, section.sections, (*loc, "sections", index))


@dataclass
class CrossReferences:
    """What the checks that span files work with: the validated files, their sources, the problems found."""

    contrat: Contrat
    programmation: Programmation
    feuille_de_route: FeuilleDeRoute | None
    chapitres: list[Chapitre]
    chapter_sources: dict[int, str]  # chapter number → file stem
    sources: dict[str, SourceFile]
    problems: list[Problem] = field(default_factory=list)

    def at(self, stem: str, loc: tuple[Any, ...], message: str) -> None:
        """A problem at ``loc`` of the file ``stem``."""
        self.at_source(self.sources[stem], loc, message)

    def at_source(self, source: SourceFile, loc: tuple[Any, ...], message: str) -> None:
        """A problem at ``loc`` of ``source``."""
        line, col = source.position(loc)
        self.problems.append(Problem(source.path, message, line, col, _path(loc)))

    def reporter(self, stem: str) -> Callable[[tuple[Any, ...], str], None]:
        """:meth:`at` for one file, as the checks of :mod:`.contrat` take it."""
        return lambda loc, message: self.at(stem, loc, message)


def _check_contrat(refs: CrossReferences) -> None:
    """The strategy is a tree of declared levels, codes are unique, quartiers are of the contract's generation."""
    check_contrat(refs.contrat, refs.reporter("contrat"))


def _check_feuille(refs: CrossReferences) -> None:
    """The feuille de route details elements of the strategy, each once, each under its parent."""
    if refs.feuille_de_route is None:
        return
    strategie = refs.contrat.strategie
    codes = [e.code for e in strategie.elements]
    seen: set[str] = set()
    for p_index, priorite in enumerate(refs.feuille_de_route.priorites):
        details = [(("priorites", p_index, "numero"), priorite.numero, None)]
        details += [
            (("priorites", p_index, "sous_priorites", s_index, "code"), sous.code, priorite.numero)
            for s_index, sous in enumerate(priorite.sous_priorites)
        ]
        for loc, code, parent in details:
            if code in seen:
                refs.at("feuille_de_route", loc, f"« {code} » est détaillé deux fois dans la feuille de route.")
            elif code not in codes:
                refs.at(
                    "feuille_de_route",
                    loc,
                    f"« {code} » n'est pas un élément de la stratégie de contrat.yaml ; {possibles(code, codes)}.",
                )
            elif parent is not None and strategie.element(code).parent != parent:
                refs.at(
                    "feuille_de_route",
                    loc,
                    f"« {code} » n'est pas sous « {parent} » dans la stratégie de contrat.yaml.",
                )
            seen.add(code)


def _check_actions(refs: CrossReferences) -> None:
    """Each action's element, quartiers, commune and funders are those of contrat.yaml; its porteur is listed."""
    programmation = refs.programmation
    check_actions(refs.contrat, programmation.actions, refs.reporter("programmation"))
    for index, action in enumerate(programmation.actions):
        porteur = action.porteur
        if programmation.porteurs is None or not porteur or porteur in programmation.porteurs or is_to_fill(porteur):
            continue
        refs.at(
            "programmation",
            ("actions", index, "porteur"),
            f"le porteur « {porteur} » n'est pas dans la liste « porteurs » du fichier"
            f"{_suggest(porteur, list(programmation.porteurs))} (ou ajoutez-le à la liste).",
        )


def _check_correspondances(refs: CrossReferences) -> None:
    """Each theme of the imported spreadsheets maps to an element of the strategy."""
    elements = [element.code for element in refs.contrat.strategie.elements]
    for label, code in refs.programmation.correspondances.items():
        if code not in elements:
            refs.at(
                "programmation",
                ("correspondances", label),
                f"« {label} » renvoie à « {code} », qui n'est pas un élément de la stratégie de contrat.yaml ; "
                f"{possibles(code, elements)}.",
            )


def unclassified(content: Content) -> list[Problem]:
    """The actions imported « à classer » (no theme mapped them): a warning for a projet, an error for a définitif."""
    source = content.sources["programmation"]
    return [
        Problem(
            source.path,
            f"l'action « {action.titre} » est « {A_CLASSER} » : donnez-lui son élément de la stratégie "
            '(strategie: "…"), ou ajoutez son thème aux « correspondances » avant de la réimporter.',
            *source.position(("actions", index, "strategie")),
            _path(("actions", index, "strategie")),
        )
        for index, action in enumerate(content.programmation.actions)
        if action.strategie == A_CLASSER
    ]


def _check_blocks(refs: CrossReferences) -> None:
    """Each block's own checks against the rest of the content (see :mod:`assembleur.contenus.blocs`)."""
    chapter_blocks = [
        (refs.chapter_sources[chapitre.numero], loc, block)
        for chapitre in refs.chapitres
        for loc, block in iter_blocks(chapitre.contenu, chapitre.sections)
    ]
    contrat = refs.contrat
    references = References(
        thematiques=sorted({a.thematique for a in refs.programmation.actions if a.thematique}),
        genres={block.genre for _, _, block in chapter_blocks},
        elements=[e.code for e in contrat.strategie.elements],
        dimensions=dimensions(contrat),
        financeurs=[f.code for f in contrat.financeurs],
        quartiers=[q.code for q in contrat.territoire.quartiers],
    )
    for stem, loc, block in chapter_blocks:
        for message in block.check_references(references):
            refs.at(stem, loc, message)


def _check_placeholders(refs: CrossReferences) -> None:
    """Each ``{chiffre}`` written in a text of any file is declared in programmation.yaml."""
    figures = refs.programmation.chiffres
    for source in refs.sources.values():
        for loc, text in _walk_strings(source.data):
            if source is refs.sources.get("rapport") and loc[:1] == ("libelles",):
                continue  # a libellé names its own values (checked by the model)
            for match in PLACEHOLDER.finditer(text):
                if match[1] not in figures:
                    refs.at_source(
                        source,
                        loc,
                        f"chiffre inconnu « {{{match[1]}}} »{_suggest(match[1], list(figures))} ; "
                        "les chiffres se déclarent dans programmation.yaml, rubrique « chiffres ».",
                    )


# the checks that span files, in the order their problems are listed
REFERENCE_CHECKS = (
    _check_contrat,
    _check_feuille,
    _check_actions,
    _check_correspondances,
    _check_blocks,
    _check_placeholders,
)


def _check_references(refs: CrossReferences) -> list[Problem]:
    """Checks that span files: the contract, codes, communes, thématiques, chiffres."""
    for check in REFERENCE_CHECKS:
        check(refs)
    return refs.problems


def is_old_shape(sources: dict[str, SourceFile]) -> bool:
    """Is this year written for the model before contrat.yaml (its communes listed in programmation.yaml)?"""
    programmation = sources.get("programmation")
    return "contrat" not in sources and programmation is not None and "communes" in (programmation.data or {})


def _cross_check(
    results: dict[str, Any], chapitres: list[Chapitre], chapter_sources: dict[int, str], sources: dict[str, SourceFile]
) -> list[Problem]:
    """The checks that span files, once the files they need are valid."""
    needed = ("contrat", "programmation", *(["feuille_de_route"] if "feuille_de_route" in sources else []))
    if any(results.get(stem) is None for stem in needed):
        return []
    refs = CrossReferences(
        results["contrat"],
        results["programmation"],
        results.get("feuille_de_route"),
        chapitres,
        chapter_sources,
        sources,
    )
    return _check_references(refs)


def _refuse_old_shape(sources: dict[str, SourceFile], folder: Path | None) -> None:
    """A year of the model before contrat.yaml is not read: say which command rewrites it."""
    if not is_old_shape(sources):
        return
    year = folder.name if folder else ""
    raise ContentError(
        [
            Problem(
                folder / "contrat.yaml" if folder else None,
                "cette année est écrite selon l'ancien modèle (sans contrat.yaml, les communes dans "
                "programmation.yaml) ; elle ne se lit plus telle quelle : lancez "
                f"« assembleur migrer {year} --essai » pour voir les changements, puis "
                f"« assembleur migrer {year} » pour la réécrire (commentaires et chiffres gardés).",
            )
        ]
    )


def _unique(problems: list[Problem]) -> list[Problem]:
    """One problem per position: a value refused by the model is not reported again by a later check."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for problem in problems:
        key = (problem.file, problem.line, problem.column) if problem.line else (problem.file, problem.message)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def validate(sources: dict[str, SourceFile]) -> Content:
    """Check every file of a year; return the content or raise :class:`ContentError`."""
    problems: list[Problem] = []
    anywhere = next(iter(sources.values())).path.parent if sources else None
    _refuse_old_shape(sources, anywhere)
    for stem in REQUIRED_FILES:
        if stem not in sources:
            problems.append(
                Problem(
                    anywhere / f"{stem}.yaml" if anywhere else None,
                    "fichier obligatoire absent ; créez-le (voir docs/contenus.md).",
                )
            )
    chapter_stems = sorted(s for s in sources if s.startswith(CHAPTER_PREFIX))
    if not chapter_stems:
        problems.append(Problem(anywhere, "aucun fichier chapitreN.yaml : le rapport n'a pas de chapitre."))
    for stem, source in sources.items():
        if stem not in KNOWN_FILES and not stem.startswith(CHAPTER_PREFIX):
            expected = [*KNOWN_FILES, "chapitre1"]
            problems.append(
                Problem(
                    source.path,
                    f"fichier inattendu{_suggest(stem, expected)} ; les fichiers reconnus sont : "
                    f"{', '.join(f'{s}.yaml' for s in KNOWN_FILES)} et chapitreN.yaml.",
                )
            )
    if problems:
        raise ContentError(problems)

    figures: dict[str, Any] = {}
    raw_figures = sources["programmation"].data.get("chiffres")
    if isinstance(raw_figures, dict):
        figures = dict(raw_figures)
    context = {"chiffres": figures}

    results: dict[str, Any] = {}
    for stem, model in KNOWN_FILES.items():
        if stem in sources:
            results[stem], found = _validate_file(sources[stem], model, context)
            problems.extend(found)
    chapitres: list[Chapitre] = []
    chapter_sources: dict[int, str] = {}
    for stem in chapter_stems:
        chapitre, found = _validate_file(sources[stem], Chapitre, context)
        problems.extend(found)
        if chapitre is None:
            continue
        if chapitre.numero in chapter_sources:
            line, col = sources[stem].position(("numero",))
            problems.append(
                Problem(
                    sources[stem].path,
                    f"le chapitre n°{chapitre.numero} existe déjà dans {chapter_sources[chapitre.numero]}.yaml.",
                    line,
                    col,
                    "numero",
                )
            )
            continue
        chapter_sources[chapitre.numero] = stem
        chapitres.append(chapitre)
    problems.extend(_cross_check(results, chapitres, chapter_sources, sources))
    if problems:
        # with errors, « verifier » still lists every value left « À COMPLÉTER » (the warnings come later)
        raise ContentError(_unique(problems + to_fill(sources)))
    return Content(
        contrat=results["contrat"],
        rapport=results["rapport"],
        chapitres=sorted(chapitres, key=lambda c: c.numero),
        programmation=results["programmation"],
        feuille_de_route=results.get("feuille_de_route"),
        protocole=results.get("protocole"),
        avis=results.get("avis"),
        deliberation=results.get("deliberation"),
        sources=sources,
        chapter_sources=chapter_sources,
    )
