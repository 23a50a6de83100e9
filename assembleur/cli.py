"""The ``assembleur`` command line: parses options, calls the library, reports in French.

Files written are printed on stdout, one per line; messages and progress go
to stderr. Every :class:`AssembleurError` is turned into its message and exit
code in one place (:class:`_Commands.invoke`); tracebacks only with ``--debug``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from .errors import AssembleurError, Problem
from .fabrication import freshness, versions
from .fabrication.options import DEFAULT_LIMIT_MIB, BuildOptions
from .project import OUTPUTS, Year, resolve_year

if TYPE_CHECKING:
    from .fabrication import build

# The document libraries are imported inside the commands that need them: an unchanged
# rebuild is answered before they load.

EXIT_INTERRUPTED = 130


class _Commands(TyperGroup):
    """Typer group that turns our errors into French messages and exit codes."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssembleurError as exc:
            if ctx.meta.get("debug"):
                traceback.print_exc(file=sys.stderr)
            _say(f"Erreur : {exc.message}")
            if exc.advice:
                _say(exc.advice)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _say("Interrompu : aucun fichier déjà produit n'a été modifié.")
            ctx.exit(EXIT_INTERRUPTED)


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Assemble le rapport annuel Politique de la Ville à partir des fichiers de contenus/ et gabarits/.",
)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _wrote(path: Path) -> None:
    """Print a written file on stdout, relative to the current folder when inside it."""
    absolute = path.absolute()
    shown = absolute.relative_to(Path.cwd()) if absolute.is_relative_to(Path.cwd()) else absolute
    typer.echo(str(shown))


def _report_build(checked: build.Checked, written: list[Path]) -> None:
    """After a build: its warnings on stderr, then each written file on stdout."""
    _report_warnings(checked.warnings)
    for path in written:
        _wrote(path)


def _report_warnings(warnings: list[Problem]) -> None:
    if not warnings:
        return
    count = len(warnings)
    _say(f"{count} avertissement{'s' if count > 1 else ''} (le rapport garde les chiffres tapés) :")
    for warning in warnings:
        _say(f"- {warning}")


TemplatesOption = Annotated[
    Path | None,
    typer.Option("--gabarits", help="Dossier des gabarits (.docx ou .odt). Par défaut : gabarits/ du projet."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--sortie", help="Dossier où écrire les fichiers. Par défaut : sortie/<année>/.")
]
VersionOption = Annotated[
    str,
    typer.Option("--version", help="projet (par défaut : numérotée v1, v2…, avec filigrane) ou definitif."),
]
ForcerOption = Annotated[
    bool, typer.Option("--forcer", help="Fabrique une nouvelle version projet même si rien n'a changé.")
]
RemplacerOption = Annotated[
    bool, typer.Option("--remplacer", help="Remplace une version définitive (l'ancienne est gardée sous un nom daté).")
]
YearArgument = Annotated[
    str | None,
    typer.Argument(help="L'année (2019) ou son dossier (contenus/2019). Par défaut : la plus récente."),
]


@app.callback()
def _options(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Affiche le détail technique des erreurs.")] = False,
) -> None:
    ctx.meta["debug"] = debug


@app.command()
def verifier(
    annee: YearArgument = None,
    manifeste: Annotated[
        Path | None, typer.Option("--manifeste", help="Vérifie des fichiers livrés d'après leur manifeste JSON.")
    ] = None,
    gabarits: TemplatesOption = None,
) -> None:
    """Vérifie les contenus d'une année et compare les chiffres tapés aux données."""
    from .fabrication import build, manifest

    if manifeste is not None:
        count = manifest.check_manifest(manifeste)
        _say(f"Les {count} fichiers du manifeste {manifeste} sont identiques à leur fabrication.")
        return
    year = resolve_year(Path.cwd(), annee)
    checked = build.check(year)
    scans = build.check_scans(year, checked)
    template_warnings = build.check_templates(year, checked, gabarits)
    actions = len(checked.content.programmation.actions)
    avis = f", {len(scans)} avis scanné{'s' if len(scans) > 1 else ''}" if checked.content.avis else ""
    _say(f"Contenus {year.annee} valides : {len(checked.content.chapitres)} chapitres, {actions} actions{avis}.")
    _report_warnings([*checked.warnings, *template_warnings])


@app.command()
def rapport(
    annee: YearArgument = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Produit aussi le PDF (avec LibreOffice).")] = False,
    sortie: OutputOption = None,
    version: VersionOption = versions.PROJET,
    remplacer: RemplacerOption = False,
    forcer: ForcerOption = False,
    surveiller: Annotated[
        bool,
        typer.Option("--surveiller", help="Refait un aperçu à chaque enregistrement d'un contenu ou d'un gabarit."),
    ] = False,
    gabarits: TemplatesOption = None,
) -> None:
    """Produit le rapport de l'année en Word (et en PDF avec --pdf)."""
    year = resolve_year(Path.cwd(), annee)
    folder = sortie or year.outputs
    if surveiller:
        from .fabrication import build, surveillance

        _say(f"Surveillance de {year.shown(year.contents)}/ et {year.shown(year.templates)}/ (Ctrl+C pour arrêter)…")
        options = BuildOptions(apercu=True, gabarits=gabarits)
        _report_build(*build.build_rapport(year, folder, pdf=pdf, options=options))
        try:
            surveillance.watch(year, lambda: build.build_rapport(year, folder, pdf=pdf, options=options)[1], _say)
        except KeyboardInterrupt:
            _say("Surveillance arrêtée.")
        return
    options = BuildOptions(version=_version(version), remplacer=remplacer, gabarits=gabarits)
    if not forcer and _unchanged(year, folder, options, options.record("rapport", pdf=pdf)):
        return
    if pdf:
        _warm_up()
    from .fabrication import build

    _say(f"Rapport {year.annee} : mise en page{' et conversion en PDF' if pdf else ''}…")
    _report_build(*build.build_rapport(year, folder, pdf=pdf, options=options))


@app.command()
def dossier(
    annee: YearArgument = None,
    sortie: OutputOption = None,
    version: VersionOption = versions.PROJET,
    sans_avis: Annotated[
        list[str] | None,
        typer.Option("--sans-avis", help="Joint le dossier définitif sans l'avis de cet organisme (répétable)."),
    ] = None,
    remplacer: RemplacerOption = False,
    forcer: ForcerOption = False,
    actes: Annotated[
        bool, typer.Option("--actes", help="Prépare aussi le dossier pour la Préfecture (@ctes).")
    ] = False,
    limite_actes: Annotated[
        float, typer.Option("--limite-actes", help="Taille maximale du dossier @ctes, en Mio.")
    ] = DEFAULT_LIMIT_MIB,
    ocr: Annotated[bool, typer.Option("--ocr", help="Ajoute une couche de texte (OCR) aux avis scannés.")] = False,
    pdfa: Annotated[bool, typer.Option("--pdfa", help="Produit un PDF/A-2b (version définitive seulement).")] = False,
    gabarits: TemplatesOption = None,
) -> None:
    """Produit le dossier complet en PDF : rapport, annexes, synthèse et scans des avis."""
    year = resolve_year(Path.cwd(), annee)
    folder = sortie or year.outputs
    _say(f"Dossier {year.annee} : vérification, mise en page, conversion en PDF et assemblage…")
    options = BuildOptions(
        version=_version(version),
        sans_avis=tuple(sans_avis or ()),
        remplacer=remplacer,
        actes=actes,
        limite_actes_mio=limite_actes,
        ocr=ocr,
        pdfa=pdfa,
        gabarits=gabarits,
    )
    if not forcer and _unchanged(year, folder, options, options.record("dossier")):
        return
    _warm_up()
    from .fabrication import build

    _report_build(*build.build_dossier(year, folder, options))


@app.command()
def avis(annee: YearArgument = None) -> None:
    """Montre où en est la consultation : avis reçus, en attente, réputés favorables."""
    from .contenus import consultation, french
    from .fabrication import build

    year = resolve_year(Path.cwd(), annee)
    checked = build.check(year)
    consulted = checked.content.avis
    if consulted is None:
        raise AssembleurError(
            f"L'année {year.annee} n'a pas de fichier avis.yaml.",
            "Créez contenus/<année>/avis.yaml (voir docs/contenus.md).",
        )
    end = consultation.deadline(consulted.consultation)
    sent = consulted.consultation.envoi
    if sent is None:
        typer.echo("Date d'envoi du projet : non renseignée (consultation.envoi dans avis.yaml).")
    else:
        typer.echo(
            f"Projet envoyé le {french.format_long_date(sent)} ; réponses attendues jusqu'au "
            f"{french.format_long_date(end)} inclus."
        )
    for statut in build.statuts(checked):
        organisme = statut.organisme
        if statut.etat == consultation.RECU:
            detail = (
                f"reçu le {statut.recu} — séance du {statut.seance}, {organisme.avis.sens} — {organisme.avis.fichier}"
            )
        else:
            detail = statut.sens
        typer.echo(f"- {organisme.nom} : {detail}")


@app.command()
def nouveau(
    annee: Annotated[int, typer.Argument(help="L'année à créer (2020).")],
    depuis: Annotated[int | None, typer.Option("--depuis", help="L'année modèle. Par défaut : la précédente.")] = None,
) -> None:
    """Crée les contenus d'une nouvelle année à partir de la précédente, ce qui change marqué « À COMPLÉTER »."""
    from .contenus import nouveau as nouveau_module

    for path in nouveau_module.start_year(Path.cwd(), annee, depuis):
        _wrote(path)
    _say(f"Année {annee} créée. « assembleur verifier {annee} » liste ce qui reste à compléter, fichier par fichier.")


@app.command()
def schema(
    dossier: Annotated[
        Path, typer.Option("--dossier", help="Où écrire les schémas. Par défaut : schemas/ dans le projet.")
    ] = Path("schemas"),
) -> None:
    """Écrit les schémas JSON des contenus, pour que l'éditeur complète et contrôle le YAML pendant la frappe."""
    from .contenus import schema as schema_module

    for path in schema_module.write_schemas(dossier):
        _wrote(path)
    _say(
        "Chaque fichier YAML désigne son schéma sur sa première ligne, par exemple :\n"
        f"{schema_module.modeline('rapport')}"
    )


convertisseur_app = typer.Typer(
    cls=_Commands, no_args_is_help=True, help="Le convertisseur LibreOffice gardé prêt entre les fabrications."
)
app.add_typer(convertisseur_app, name="convertisseur")


@convertisseur_app.command("etat")
def convertisseur_etat() -> None:
    """Dit si le convertisseur LibreOffice tourne."""
    from .pdf import libreoffice

    running = libreoffice.servers_running()
    typer.echo(
        f"Le convertisseur LibreOffice tourne ({running} LibreOffice prêt{'s' if running > 1 else ''})."
        if running
        else "Le convertisseur LibreOffice est arrêté."
    )


@convertisseur_app.command("arreter")
def convertisseur_arreter() -> None:
    """Arrête le convertisseur LibreOffice (il s'arrête aussi seul après une demi-heure sans travail)."""
    from .pdf import libreoffice

    stopped = libreoffice.stop_servers()
    _say("Convertisseur LibreOffice arrêté." if stopped else "Le convertisseur LibreOffice n'était pas lancé.")


cache_app = typer.Typer(cls=_Commands, no_args_is_help=True, help="Le cache des fabrications (.cache/assembleur/).")
app.add_typer(cache_app, name="cache")


@cache_app.command("vider")
def cache_vider() -> None:
    """Vide le cache (parties déjà fabriquées, gabarits ODT convertis, OCR) : la prochaine fabrication refait tout.

    Retire aussi de sortie/<année>/ les dossiers de travail des fabrications interrompues.
    """
    import shutil

    folder = Path.cwd() / ".cache" / "assembleur"
    kept = {p.name for p in folder.glob("*.verrou")}  # a running build's lock stays
    size = (
        sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name not in kept) if folder.exists() else 0
    )
    for path in folder.iterdir() if folder.exists() else []:
        if path.name in kept:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    _say(f"Cache vidé ({size / 1e6:.1f} Mo libérés).")
    _remove_abandoned_stagings(Path.cwd() / OUTPUTS)


def _remove_abandoned_stagings(outputs: Path) -> None:
    """Remove what killed builds left in ``sortie/<année>/``; a running build's folder stays."""
    from .files import remove_abandoned_stagings

    removed = [
        path for folder in sorted(outputs.glob("*")) if folder.is_dir() for path in remove_abandoned_stagings(folder)
    ]
    if removed:
        count = len(removed)
        _say(
            f"1 dossier de travail laissé par une fabrication interrompue a été retiré de {OUTPUTS}/."
            if count == 1
            else f"{count} dossiers de travail laissés par des fabrications interrompues ont été retirés de {OUTPUTS}/."
        )


def _unchanged(year: Year, folder: Path, options: BuildOptions, record: dict[str, Any]) -> bool:
    """A projet whose inputs and options equal the last build's: say so, print its files, build nothing."""
    if options.version != versions.PROJET or options.apercu:
        return False
    fingerprint = freshness.fingerprint(year, options.gabarits or year.templates, record)
    files = freshness.latest_identical(folder, year.annee, fingerprint)
    if files is None:
        return False
    from .files import remove_abandoned_stagings

    remove_abandoned_stagings(folder)  # what a killed build left, as a build would
    _say(f"Rien n'a changé depuis la dernière version projet : elle est reprise telle quelle ({files[-1].name}).")
    for path in files:
        _wrote(path)
    return True


def _warm_up() -> None:
    """Start LibreOffice before the document libraries load: it gets ready while they do."""
    from .pdf import convert

    convert.warm_up()


def _version(value: str) -> str:
    value = value.strip().lower().replace("é", "e")
    if value not in versions.VERSIONS:
        raise AssembleurError(f"Version inconnue « {value} ».", "Écrivez --version projet ou --version definitif.")
    return value


def main() -> None:
    """Entry point of the ``assembleur`` console script."""
    if os.environ.get("ASSEMBLEUR_MESURE"):  # the benchmark's probe: this process's own peak memory
        atexit.register(_report_memory)
    try:
        app()
    except SystemExit as exc:
        _leave(exc.code)
    _leave(0)


def _leave(code: int | str | None) -> None:
    """End the process without tearing the interpreter down.

    Freeing every loaded module costs a tenth of a second at each command, for
    nothing: every file is already written and closed by then. What Python's
    own exit does that matters is done here: the exit handlers, the flushing
    of the terminal output, a message given as exit code.
    """
    if isinstance(code, str):
        _say(code)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)


def _report_memory() -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    _say(f"mémoire maximale : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} Mo")
