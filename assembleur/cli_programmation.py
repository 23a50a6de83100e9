"""The commands « assembleur importer programmation » and « assembleur exporter programmation ».

Apart from :mod:`assembleur.cli` to keep it short: they join its groups
``importer`` and ``exporter``, and print as every command does (the report
and the files written on stdout, messages on stderr). Like every command,
they only parse, call the library (:mod:`assembleur.programmation.importer`)
and print; errors are caught in one place, by :mod:`assembleur.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .cli import YearArgument, _say, _wrote, exporter_app, importer_app
from .project import resolve_year


@importer_app.command("programmation")
def importer_programmation(
    fichier: Annotated[Path, typer.Argument(metavar="FICHIER", help="Le tableau : .xlsx, .ods ou .csv.")],
    annee: YearArgument = None,
    contrat: Annotated[str | None, typer.Option(metavar="CODE", help="Garde les lignes d'un contrat (CV…).")] = None,
    feuille: Annotated[str | None, typer.Option(metavar="NOM", help="La feuille du classeur.")] = None,
    essai: Annotated[bool, typer.Option("--essai", help="Montre ce qui changerait, sans rien écrire.")] = False,
) -> None:
    """Importe la programmation d'un tableau dans programmation.yaml : ajoute, met à jour, ne supprime rien."""
    from .programmation import importer  # the report on stdout, ending with the file written if one was

    year = resolve_year(Path.cwd(), annee)
    typer.echo("\n".join(importer.import_report(year, fichier, contrat, feuille, essai)))


@exporter_app.command("programmation")
def exporter_programmation(
    fichier: Annotated[Path, typer.Argument(metavar="FICHIER.xlsx", help="Le classeur Excel à écrire.")],
    annee: YearArgument = None,
) -> None:
    """Écrit la programmation dans un classeur Excel : une ligne par action, une colonne par financeur."""
    from .programmation import importer

    _say(importer.export_programmation(resolve_year(Path.cwd(), annee), fichier))
    _wrote(fichier)
