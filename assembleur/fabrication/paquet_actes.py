"""The @ctes package of a dossier: which PDFs go to the prefecture, in which order, under which names.

The dossier's own parts are cut out again as separate PDFs around the signed délibération;
:mod:`assembleur.pdf.actes` then writes the folder, its bordereau and checks its size.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..contenus import french, markup, validate
from ..documents import transmission as act_transmission
from ..errors import Problem
from ..project import Year
from .verification import act_registered

if TYPE_CHECKING:
    from ..pdf.assemble import Part
    from ..pdf.finish import Metadata
    from .build import Outline, Run

REGISTER_ADVICE = (
    "Après la séance, enregistrez la délibération signée : "
    "assembleur deliberation ajouter FICHIER --numero NUMERO --seance JJ/MM/AAAA {annee}."
)


def missing_act(year: Year, content: validate.Content) -> Problem:
    """The signed délibération is not recorded: where it would be."""
    where = content.sources["deliberation"].path if "deliberation" in content.sources else year.contents
    return Problem(
        where,
        "la délibération signée du conseil communautaire n'est pas enregistrée : "
        "le dossier @ctes d'une version définitive part avec elle, en document principal.",
    )


def check_transmission(run: Run) -> None:
    """Before any conversion: the collectivité's identity, the act's number, the Préfecture's classification."""
    run.checked.warnings += act_transmission.check(run.year, run.content, act_registered(run.checked))


def build_package(run: Run, stage: Path, outline: Outline, metadata: Metadata, signed: Path | None) -> list[Path]:
    """The @ctes package: the signed délibération, then the rapport and each annex as separate PDFs, a bordereau.

    In order: the délibération (principal), the rapport, the annexes 1 and 2, the synthèse of the avis with
    the observations and their suites, then each avis and each contribution. A projet without a registered
    délibération puts the rapport first, as the principal document. Returns the files written in ``stage``.
    """
    from ..pdf import actes, assemble, finish

    content = run.content
    parts = outline.parts
    pieces: list[actes.Piece] = []

    def add(short: str, title: str, source: Path) -> None:
        role = actes.PRINCIPAL if not pieces else actes.ANNEXE
        pieces.append(actes.Piece(len(pieces) + 1, short, title, source, role))

    def bundle(part: Part, name: str) -> Path:
        return assemble.assemble(
            [part],
            stage / name,
            finish.Metadata(**{**metadata.__dict__, "title": part.title}),
            watermark=not run.final,
            pdfa_from=parts[0].path if run.options.pdfa else None,
            note=run.note,
        )

    deliberation = content.deliberation
    acte = deliberation.acte if deliberation else None
    if acte is not None and signed is not None:
        run.inputs.append(signed)
        seance = french.format_long_date(acte.seance)
        title = markup.plain(
            content.rapport.libelles.text("actes_deliberation", content.rapport.annee, numero=acte.numero, date=seance)
        )
        add("deliberation", title, signed)
    add("rapport", parts[0].title, parts[0].path)
    shorts = {"A1-": "annexe-1-grille-des-actions", "A2-": "annexe-2-protocole"}
    for part in parts[1:]:
        if part is not outline.avis:
            add(shorts[part.label], part.title, part.path)
    if outline.avis is not None:
        # the synthèse, and the observations with their suites
        synthese = outline.synthese
        title = " ; ".join(child.title for child in synthese)  # each as typed in the libellés
        add("synthese-des-avis", title, bundle(assemble.Part(title, None, children=synthese), "synthese-reunie.pdf"))
        for group in outline.avis.children[len(synthese) :]:  # each avis and contribution, in the dossier's order
            for part in group.children:
                short = actes.ascii_name(part.title)  # "avis-auchel", "contribution-region-…"
                add(short, part.title, bundle(part, f"{short}-{len(pieces)}.pdf"))
    transmission = act_transmission.transmission(run.year, content)
    run.inputs += act_transmission.inputs(run.year, content)
    return actes.build_package(pieces, stage / run.names["actes"], transmission, run.options.limite_actes_mio)
