"""The ``assembleur`` command line: parses options, calls the library, reports in French.

Files written are printed on stdout, one per line; messages and progress go
to stderr. Every failure is turned into a French message and an exit code in
one place, :class:`_Commands`: an :class:`AssembleurError` gives its own
message and code, a wrong command line gives ``ExitCode.USAGE``, anything else is
a crash (``ExitCode.CRASH``) whose detail goes to a crash log. Tracebacks are
printed only with ``--debug``. Click's help and usage errors are in French
(:mod:`.cli_francais`).
"""

from __future__ import annotations

import atexit
import contextlib
import difflib
import itertools
import os
import shlex
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer import _click as click  # Typer's own copy of Click: its help and errors are translated here
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

from . import cli_francais
from .errors import AssembleurError, ExitCode, Problem, UsageProblem
from .fabrication import versions
from .fabrication.options import BuildOptions
from .pdf.actes import DEFAULT_LIMIT_MIB
from .project import OUTPUTS, Year, resolve_year

if TYPE_CHECKING:
    from .fabrication import verification

# The document libraries are imported inside the commands that need them: an unchanged
# rebuild is answered before they load.

PROGRAM = "assembleur"


class _Commands(TyperGroup):
    """Typer group that speaks French and turns every failure into a message and an exit code."""

    context_class = cli_francais.Context

    def __init__(self, *, subcommand_metavar: str | None = None, **attrs: Any) -> None:
        super().__init__(subcommand_metavar=subcommand_metavar or "COMMANDE [ARGUMENTS]...", **attrs)
        for command in self.commands.values():  # each command makes its own context, for its help
            command.context_class = cli_francais.Context

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-") and not ctx.resilient_parsing:
            near = difflib.get_close_matches(name, list(self.commands), 1)
            hint = f" ; vouliez-vous dire « {near[0]} » ?" if near else "."
            raise click_errors.UsageError(f"La commande « {name} » n'existe pas{hint}", ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
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
            ctx.exit(ExitCode.INTERRUPTED)

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        """Run the command line; end the process with its exit code.

        Click's own handling (``standalone_mode``) is turned off: its messages
        are English, and it gives a wrong command line the code of a machine
        problem (2).
        """
        arguments = list(sys.argv[1:] if args is None else args)
        extra.pop("standalone_mode", None)
        try:
            result = super().main(arguments, prog_name or PROGRAM, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError as exc:  # « assembleur » alone: the help, on stderr
            _say(exc.ctx.get_help())
            result = ExitCode.USAGE
        except click_errors.UsageError as exc:
            _say(f"Erreur : {cli_francais.usage_message(exc)}")
            if exc.ctx is not None:
                _say(exc.ctx.get_usage())
                _say(f"Pour l'aide : {exc.ctx.command_path} {exc.ctx.help_option_names[0]}")
            result = ExitCode.USAGE
        except click_errors.ClickException as exc:  # not raised by assembleur's options; kept for safety
            _say(f"Erreur : {exc.format_message()}")
            result = ExitCode.USAGE
        except typer.Abort:
            _say("Interrompu : aucun fichier déjà produit n'a été modifié.")
            result = ExitCode.INTERRUPTED
        except Exception as exc:
            root_options = itertools.takewhile(lambda argument: argument.startswith("-"), arguments)
            result = _crash(exc, arguments, debug="--debug" in root_options)
        sys.exit(result if isinstance(result, int) else ExitCode.SUCCESS)


def _crash(exc: Exception, arguments: list[str], debug: bool) -> ExitCode:
    """An unexpected error: its detail in a crash log, a French message saying where."""
    from . import plantage

    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    log = plantage.write_log(exc, shlex.join([PROGRAM, *arguments]), Path.cwd())
    for line in plantage.message(exc, log, None if log is None else _shown(log)):
        _say(line)
    return ExitCode.CRASH


app = typer.Typer(
    name=PROGRAM,  # also when run as « python -m assembleur » or by the tests
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["--help", "-h"]},
    help="Assemble le rapport annuel Politique de la Ville à partir des fichiers de contenus/ et gabarits/.",
)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _wrote(path: Path) -> None:
    """Print a written file on stdout, relative to the current folder when inside it."""
    typer.echo(str(_shown(path)))


def _shown(path: Path) -> Path:
    absolute = path.absolute()
    return absolute.relative_to(Path.cwd()) if absolute.is_relative_to(Path.cwd()) else absolute


def _report_build(checked: verification.Checked, written: list[Path]) -> None:
    """After a build: its warnings on stderr, then each written file on stdout."""
    _report_files(checked.warnings, written)


def _report_files(warnings: list[Problem], written: list[Path]) -> None:
    _report_warnings(warnings)
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
    typer.Option(
        "--gabarits", metavar="DOSSIER", help="Dossier des gabarits (.docx ou .odt). Par défaut : gabarits/ du projet."
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--sortie", metavar="DOSSIER", help="Dossier où écrire les fichiers. Par défaut : sortie/<année>/."),
]
VersionOption = Annotated[
    str,
    typer.Option(
        "--version", metavar="VERSION", help="projet (par défaut : numérotée v1, v2…, avec filigrane) ou definitif."
    ),
]
ForcerOption = Annotated[
    bool, typer.Option("--forcer", help="Fabrique une nouvelle version projet même si rien n'a changé.")
]
RemplacerOption = Annotated[
    bool, typer.Option("--remplacer", help="Remplace une version définitive (l'ancienne est gardée sous un nom daté).")
]
YearArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="ANNEE", help="L'année (2019) ou son dossier (contenus/2019). Par défaut : la plus récente."
    ),
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
        Path | None,
        typer.Option("--manifeste", metavar="FICHIER", help="Vérifie des fichiers livrés d'après leur manifeste JSON."),
    ] = None,
    gabarits: TemplatesOption = None,
) -> None:
    """Vérifie les contenus d'une année et compare les chiffres tapés aux données."""
    from .fabrication import manifest, verification

    if manifeste is not None:
        count = manifest.check_manifest(manifeste)
        _say(f"Les {count} fichiers du manifeste {manifeste} sont identiques à leur fabrication.")
        return
    year = resolve_year(Path.cwd(), annee)
    checked, scans, warnings = verification.verify(year, gabarits)
    _say(verification.summary(year, checked, scans))
    _report_warnings(warnings)


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
        typer.Option(
            "--sans-avis", metavar="NOM", help="Joint le dossier définitif sans l'avis de cet organisme (répétable)."
        ),
    ] = None,
    remplacer: RemplacerOption = False,
    forcer: ForcerOption = False,
    actes: Annotated[
        bool, typer.Option("--actes", help="Prépare aussi le dossier pour la Préfecture (@ctes).")
    ] = False,
    limite_actes: Annotated[
        float,
        typer.Option(
            "--limite-actes",
            metavar="MIO",
            show_default=False,
            help=f"Taille maximale du dossier @ctes, en Mio ({DEFAULT_LIMIT_MIB:g} par défaut).",
        ),
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


class _DefaultSubcommand(_Commands):
    """A group whose bare use runs one of its commands: ``assembleur avis 2019`` is ``assembleur avis etat 2019``."""

    default = ""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


class _AvisCommands(_DefaultSubcommand):
    """``assembleur avis [ANNEE]`` shows the consultation (``etat``), as it always did; ``ajouter`` records one."""

    default = "etat"


avis_app = typer.Typer(
    cls=_AvisCommands,
    help="La consultation : « avis [ANNEE] » montre où elle en est, « avis ajouter » enregistre un avis reçu.",
)
app.add_typer(avis_app, name="avis")


@avis_app.command("ajouter")
def avis_ajouter(
    fichier: Annotated[
        Path, typer.Argument(metavar="FICHIER", help="Le scan de la délibération : PDF, JPEG, PNG ou TIFF.")
    ],
    organisme: Annotated[
        str, typer.Option("--organisme", metavar="NOM", help="Le nom de l'organisme, tel qu'écrit dans avis.yaml.")
    ],
    seance: Annotated[str, typer.Option("--seance", metavar="JJ/MM/AAAA", help="La date de la séance (18/11/2020).")],
    sens: Annotated[
        str,
        typer.Option(
            "--sens",
            metavar="SENS",
            help="favorable, défavorable, réservé, prend acte ou approuve (facultatif pour la contribution "
            "d'un signataire).",
        ),
    ] = "",
    recu: Annotated[
        str | None, typer.Option("--recu", metavar="JJ/MM/AAAA", help="La date de réception (facultative).")
    ] = None,
    annee: YearArgument = None,
) -> None:
    """Enregistre un avis reçu : range le scan dans annexes/<année>/ et complète avis.yaml."""
    from .contenus import registre

    year = resolve_year(Path.cwd(), annee)
    data = registre.read_upload(fichier)
    done = registre.register_avis(year, data, organisme, seance, sens, recu)
    _wrote(done.scan)
    converted = "" if done.converted_from == "PDF" else f", converti depuis {done.converted_from}"
    _say(
        f"Avis de « {done.organisme} » enregistré ({done.pages} page{'s' if done.pages > 1 else ''}{converted}) ; "
        f"{year.shown(year.contents / registre.AVIS_FILE)} complété."
    )


@app.command()
def comparer(
    annee: YearArgument = None,
    de: Annotated[
        str | None,
        typer.Option(
            "--de",
            help="La version la plus ancienne (projet-v1, definitif, 2019:definitif). "
            "Par défaut : l'avant-dernière fabriquée.",
        ),
    ] = None,
    a: Annotated[
        str | None, typer.Option("--a", help="La version la plus récente. Par défaut : la dernière fabriquée.")
    ] = None,
) -> None:
    """Compare deux versions du rapport : un document Word avec le suivi des modifications, et son PDF."""
    from .fabrication import comparer as comparer_module

    year = resolve_year(Path.cwd(), annee)
    result = comparer_module.compare(year, de, a)
    _report_comparison(result)


def _report_comparison(result: Any) -> None:
    """The summary of a comparison on stderr, then the files written on stdout."""
    told = result.summary

    def name(version: Any) -> str:
        label = f"la v{version.number}" if version.number else "la version définitive"
        return label if told["meme_annee"] else f"{label} {version.annee}"

    _say(f"Modifications entre {name(result.older)} et {name(result.newer)} ({told['modifications']} au total) :")
    sections = told["sections"]
    _say("- sections modifiées : " + ("; ".join(s or "couverture" for s in sections) if sections else "aucune"))
    if not told["chiffres_connus"]:
        _say("- chiffres clés : inconnus pour l'une des versions (fabriquée avant qu'assembleur ne les note)")
    for figure in told["chiffres"]:
        _say(f"- chiffre clé {figure['nom']} : {figure['avant']} → {figure['apres']}")
    for table in told["tableaux"]:
        where = f" ({table['section']})" if table["section"] else ""
        count = table["cellules"]
        _say(
            f"- tableau « {table['titre']} »{where} : {count} cellule{'s' if count > 1 else ''} modifiée"
            + ("s" if count > 1 else "")
        )
    for avis in told["avis"]:
        before = f"{avis['avant']['sens']} → " if avis["avant"] else "nouvel avis, "
        _say(f"- avis « {avis['nom']} » : {before}{avis['apres']['sens']}")
    pages = [told["pages_avant"], told["pages_apres"]]
    _say("- pages du rapport : " + " → ".join("inconnu" if p is None else str(p) for p in pages))
    for path in result.written:
        _wrote(path)


@avis_app.command("etat")
def avis(annee: YearArgument = None) -> None:
    """Montre où en est la consultation : avis reçus, en attente, réputés favorables."""
    from .contenus import consultation
    from .fabrication import verification

    year = resolve_year(Path.cwd(), annee)
    checked = verification.check(year)
    consulted = checked.content.avis
    if consulted is None:
        raise AssembleurError(
            f"L'année {year.annee} n'a pas de fichier avis.yaml.",
            "Créez contenus/<année>/avis.yaml (voir docs/contenus.md).",
        )
    typer.echo(consultation.sending(consulted.consultation))
    for statut in verification.statuts(checked):
        organisme = statut.organisme
        if statut.etat == consultation.RECU:
            detail = f"reçu le {statut.recu} — séance du {statut.seance}, {statut.sens} — {organisme.avis.fichier}"
        else:
            detail = statut.sens
        typer.echo(f"- {organisme.nom} : {detail}")


class _DeliberationCommands(_DefaultSubcommand):
    """``assembleur deliberation [ANNEE]`` writes the projet (``projet``); ``ajouter`` records the signed act."""

    default = "projet"


deliberation_app = typer.Typer(
    cls=_DeliberationCommands,
    help="La délibération du conseil communautaire : « deliberation [ANNEE] » en écrit le projet, "
    "« deliberation ajouter » enregistre l'acte signé.",
)
app.add_typer(deliberation_app, name="deliberation")


@deliberation_app.command("projet")
def deliberation_projet(
    annee: YearArgument = None,
    sortie: OutputOption = None,
    sans_avis: Annotated[
        list[str] | None,
        typer.Option("--sans-avis", metavar="NOM", help="Organisme dont le rapport est joint sans l'avis (répétable)."),
    ] = None,
    gabarits: TemplatesOption = None,
) -> None:
    """Écrit le projet de délibération (Word et PDF) : visas, consultation, observations et suites, articles."""
    year = resolve_year(Path.cwd(), annee)
    _warm_up()
    from .fabrication import build

    _say(f"Délibération {year.annee} : mise en page et conversion en PDF…")
    options = BuildOptions(sans_avis=tuple(sans_avis or ()), gabarits=gabarits)
    checked, written = build.build_deliberation(year, sortie or year.outputs, options)
    for warning in checked.warnings:  # the observations still without a suite
        _say(f"Attention : {warning}")
    for path in written:
        _wrote(path)


@deliberation_app.command("ajouter")
def deliberation_ajouter(
    fichier: Annotated[
        Path, typer.Argument(metavar="FICHIER", help="La délibération signée : scan ou PDF (ou image JPEG, PNG, TIFF).")
    ],
    numero: Annotated[
        str,
        typer.Option(
            "--numero", metavar="NUMERO", help="Le numéro de la délibération (2020_123 : majuscules, chiffres, _)."
        ),
    ],
    seance: Annotated[str, typer.Option("--seance", metavar="JJ/MM/AAAA", help="La date de la séance (15/12/2020).")],
    annee: YearArgument = None,
) -> None:
    """Enregistre la délibération signée : range le fichier dans annexes/<année>/ et complète deliberation.yaml."""
    from .contenus import acte, registre

    year = resolve_year(Path.cwd(), annee)
    data = registre.read_upload(fichier)
    done = acte.register_deliberation(year, data, numero, seance)
    _wrote(done.scan)
    converted = "" if done.converted_from == "PDF" else f", converti depuis {done.converted_from}"
    _say(
        f"Délibération n° {numero.strip()} enregistrée ({done.pages} page{'s' if done.pages > 1 else ''}{converted}) ; "
        f"{year.shown(year.contents / acte.DELIBERATION_FILE)} complété. Elle sera le document principal "
        "du dossier @ctes (dossier --version definitif --actes)."
    )


# « importer programmation » and « exporter programmation »: in .cli_programmation (imported at the end)
importer_app = typer.Typer(cls=_Commands, no_args_is_help=True, help="Importe des données d'un tableau.")
exporter_app = typer.Typer(cls=_Commands, no_args_is_help=True, help="Exporte des données dans un tableau.")
app.add_typer(importer_app, name="importer")
app.add_typer(exporter_app, name="exporter")


@app.command()
def atelier(
    annee: YearArgument = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Le port local (par défaut : 8719 ou le suivant libre).")
    ] = None,
    sans_navigateur: Annotated[
        bool, typer.Option("--sans-navigateur", help="N'ouvre pas le navigateur (l'adresse est affichée).")
    ] = False,
) -> None:
    """Ouvre l'atelier dans le navigateur : consultation, avis à enregistrer, fabrications, aperçu."""
    from .atelier import serveur

    if port is not None and not 1024 <= port <= 65535:
        raise UsageProblem(f"Le port doit être compris entre 1024 et 65535 (reçu : {port}).", "Corrigez --port.")
    year = resolve_year(Path.cwd(), annee)
    serveur.serve(year, port, not sans_navigateur, _say)


@app.command()
def nouveau(
    annee: Annotated[int, typer.Argument(metavar="ANNEE", help="L'année à créer (2020).")],
    depuis: Annotated[
        int | None, typer.Option("--depuis", metavar="ANNEE", help="L'année modèle. Par défaut : la précédente.")
    ] = None,
) -> None:
    """Crée les contenus d'une nouvelle année à partir de la précédente, ce qui change marqué « À COMPLÉTER »."""
    from .contenus import nouveau as nouveau_module

    for path in nouveau_module.start_year(Path.cwd(), annee, depuis):
        _wrote(path)
    _say(f"Année {annee} créée. « assembleur verifier {annee} » liste ce qui reste à compléter, fichier par fichier.")


@app.command()
def init(
    dossier: Annotated[Path, typer.Argument(metavar="DOSSIER", help="Le dossier du projet à créer (nouveau ou vide).")],
    collectivite: Annotated[
        str, typer.Option("--collectivite", metavar="NOM", help="La collectivité pilote (« Brest métropole »).")
    ],
    sigle: Annotated[str, typer.Option("--sigle", metavar="SIGLE", help="Son sigle (« BM »).")],
    generation: Annotated[
        int, typer.Option("--generation", metavar="2015|2024", help="La génération du contrat de ville.")
    ] = 2024,
    niveaux: Annotated[
        str | None,
        typer.Option(
            "--niveaux",
            metavar="NIVEAUX",
            help='Les niveaux de la stratégie, séparés par des virgules ("Défi,Orientation,Objectif opérationnel").',
        ),
    ] = None,
    annee: Annotated[
        int | None, typer.Option("--annee", metavar="AAAA", help="L'année du rapport. Par défaut : l'an dernier.")
    ] = None,
) -> None:
    """Crée un projet pour une collectivité : contrat, chapitres à compléter, avis, délibération, gabarits."""
    from .contenus import projet_neuf

    for path in projet_neuf.create_project(dossier, collectivite, sigle, generation, niveaux, annee):
        _wrote(path)
    _say(
        f"Projet créé dans {dossier}. Dans ce dossier, « assembleur dossier » fabrique aussitôt la version PROJET ; "
        "« assembleur verifier » liste chaque « À COMPLÉTER », fichier par fichier."
    )


@app.command()
def migrer(
    annee: YearArgument = None,
    essai: Annotated[
        bool, typer.Option("--essai", help="Montre ce qui changerait, fichier par fichier, sans rien écrire.")
    ] = False,
) -> None:
    """Réécrit une année de l'ancien modèle (sans contrat.yaml) pour le modèle actuel ; commentaires gardés."""
    from .contenus import migration

    year = resolve_year(Path.cwd(), annee)
    plan = migration.plan(year.contents)
    if essai:
        typer.echo(plan.diff(), nl=False)
        _say(f"Essai : rien n'est écrit. « assembleur migrer {year.annee} » écrira ces {len(plan.texts)} fichiers.")
        return
    for path in plan.write():
        _wrote(path)
    _say(
        f"Année {year.annee} migrée : vérifiez contrat.yaml (nom et période du contrat, territoire), "
        f"puis lancez « assembleur verifier {year.annee} »."
    )


@app.command()
def schema(
    dossier: Annotated[
        Path,
        typer.Option(
            "--dossier", metavar="DOSSIER", help="Où écrire les schémas. Par défaut : schemas/ dans le projet."
        ),
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
    """Dit si LibreOffice et l'outil sont gardés prêts."""
    from . import warm
    from .pdf import libreoffice

    running = libreoffice.servers_running()
    typer.echo(
        f"Le convertisseur LibreOffice tourne ({running} LibreOffice prêt{'s' if running > 1 else ''})."
        if running
        else "Le convertisseur LibreOffice est arrêté."
    )
    if (worker := warm.ask("ping")) is not None:
        typer.echo(f"L'outil est gardé prêt (processus {worker['pid']}).")


@convertisseur_app.command("arreter")
def convertisseur_arreter() -> None:
    """Arrête LibreOffice et l'outil gardés prêts (seuls, ils s'arrêtent après une demi-heure sans travail)."""
    from . import warm
    from .pdf import libreoffice

    stopped = libreoffice.stop_servers()
    _say("Convertisseur LibreOffice arrêté." if stopped else "Le convertisseur LibreOffice n'était pas lancé.")
    if warm.ask("stop") is not None:
        _say("Outil gardé prêt arrêté.")


cache_app = typer.Typer(cls=_Commands, no_args_is_help=True, help="Le cache des fabrications (.cache/assembleur/).")
app.add_typer(cache_app, name="cache")


@cache_app.command("vider")
def cache_vider() -> None:
    """Vide le cache (parties déjà fabriquées, gabarits ODT convertis, OCR) : la prochaine fabrication refait tout.

    Retire aussi de sortie/<année>/ les dossiers de travail des fabrications interrompues.
    """
    import shutil

    from . import plantage

    folder = Path.cwd() / plantage.CRASH_FOLDER.parent
    # a running build's lock stays, and so do the crash logs the user may still have to send
    kept = {p.name for p in folder.glob("*.verrou")} | {plantage.CRASH_FOLDER.name}
    removed = [path for path in (folder.iterdir() if folder.exists() else []) if path.name not in kept]
    size = sum(p.stat().st_size for path in removed for p in [path, *path.rglob("*")] if p.is_file())
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    _say(f"Cache vidé ({size / 1e6:.1f} Mo libérés).".replace(".", ",", 1))  # French decimal comma
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
    """A projet whose inputs and options equal the last build's: check the inputs, print its files, build nothing."""
    from .fabrication import freshness  # light: the content model loads only if the checks must be made again

    reused = freshness.unchanged_projet(year, folder, options, record)
    if reused is None:
        return False
    warnings, files = reused
    _say(freshness.unchanged_message(files))
    _report_files(warnings, files)
    return True


def _warm_up() -> None:
    """Start LibreOffice before the document libraries load: it gets ready while they do."""
    from .pdf import convert

    convert.warm_up()


def _version(value: str) -> str:
    value = value.strip().lower().replace("é", "e")
    if value not in versions.VERSIONS:
        raise UsageProblem(f"Version inconnue « {value} ».", "Écrivez --version projet ou --version definitif.")
    return value


def main() -> None:
    """Entry point of the ``assembleur`` console script."""
    if os.environ.get("ASSEMBLEUR_MESURE"):  # the benchmark's probe: this process's own peak memory
        atexit.register(_report_memory)
    try:
        app(prog_name=PROGRAM)
    except SystemExit as exc:
        _leave(exc.code)
    _leave(ExitCode.SUCCESS)


def _leave(code: int | str | None) -> None:
    """End the process without tearing the interpreter down.

    Freeing every loaded module costs a tenth of a second at each command, for
    nothing: every file is already written and closed by then. What Python's
    own exit does that matters is done here: the exit handlers, the flushing
    of the terminal output, a message given as exit code.
    """
    if isinstance(code, str):
        _say(code)
        code = ExitCode.USER_FILES
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or ExitCode.SUCCESS)


def _report_memory() -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    own, waited = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # the programs it waited for count, the detached converters do not
    _say(f"temps CPU : {own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime:.3f} s")
    _say(f"mémoire maximale : {own.ru_maxrss // 1024} Mo")


from . import cli_programmation  # noqa: E402, F401  (its commands join the groups above; cli.py stays short)
