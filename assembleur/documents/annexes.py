"""Derive the annexes of the dossier: the grid of actions, the protocole, the avis.

Like :mod:`assembleur.documents.derive` for the rapport, each function turns the
validated content into a :class:`~assembleur.documents.derive.Document` for a template.
The grid (Annexe 1) comes from the one list of actions of ``programmation.yaml``.
"""

from __future__ import annotations

from ..contenus import french
from ..contenus.consultation import RECU, Statut
from ..contenus.model import INTERCO, PILIER_NAMES, Action, Organisme, Priorite
from ..contenus.validate import Content
from .derive import GROUP_SHADE, Builder, Cell, Document, common_cover, text_cell

NO_ACTION = "Aucune action en {annee}"


def grid_line(action: Action) -> str:
    """An action as the grid lists it: « Titre - Commune (Porteur) »."""
    places = ", ".join(action.communes) if action.communes != [INTERCO] else INTERCO
    porteur = f" ({action.porteur})" if action.porteur else ""
    return f"{action.titre} - {places}{porteur}"


def _priority_rows(priorite: Priorite, actions: list[Action], annee: int) -> list[list[Cell]]:
    rows = [[text_cell(f"PRIORITE n°{priorite.numero} : {priorite.titre}", bold=True, colspan=3, shade=GROUP_SHADE)]]
    groups: list[tuple[str, list[Action]]] = [
        (f"{s.code} {s.titre}", [a for a in actions if a.sous_priorite == s.code]) for s in priorite.sous_priorites
    ]
    direct = [a for a in actions if a.sous_priorite == str(priorite.numero)]
    if direct:
        groups.append((f"Priorité {priorite.numero}, sans sous-priorité", direct))
    for label, members in groups:
        lines = [grid_line(a) for a in members] or [f"*{NO_ACTION.format(annee=annee)}*"]
        projets = sum(len(a.communes) for a in members)
        rows.append([text_cell(label), Cell(lines), text_cell(projets, align="right")])
    return rows


def build_grille(content: Content, version: str = "projet", mention: str = "") -> Document:
    """Annexe 1: every action of the year, once, under its priority and sous-priorité."""
    builder = Builder(content)
    annee = content.rapport.annee
    actions = content.programmation.actions
    header = [
        text_cell("Sous-priorité", bold=True),
        text_cell(f"Actions {annee} : titre - commune (porteur)", bold=True),
        text_cell("Projets", bold=True, align="right"),
    ]
    rows = [header]
    for priorite in content.feuille_de_route.priorites:
        members = [a for a in actions if a.priorite == priorite.numero]
        rows.extend(_priority_rows(priorite, members, annee))
    builder.add("paragraphe", f"CONTRAT DE VILLE - GRILLE DES ACTIONS {annee} PAR PRIORITÉ")
    builder.table(rows, header_rows=1, widths=[6.5, 18.5, 1.7], can_split=True)
    cover = {
        **common_cover(content, version, mention),
        "numero_annexe": "ANNEXE 1",
        "titre_annexe": builder.text(
            "Grille de répartition des actions au sein des 10 priorités de la feuille de route du Contrat de Ville"
        ),
    }
    return Document(cover, builder.items)


def _feuille_de_route(builder: Builder, content: Content) -> None:
    for priorite in content.feuille_de_route.priorites:
        title = priorite.intitule_protocole or priorite.titre
        builder.add("titre1", f"PRIORITE n°{priorite.numero} : {title}")
        builder.add("note", f"Pilier : {PILIER_NAMES[priorite.pilier]}")
        builder.blocks(priorite.introduction)
        if priorite.encadres:
            builder.table(
                [
                    [text_cell(f"► {e.titre}", bold=True) for e in priorite.encadres],
                    [Cell(list(e.elements)) for e in priorite.encadres],
                ],
                header_rows=1,
            )
        if priorite.points_de_vigilance:
            builder.add("intertitre", "Points de vigilance :")
            builder.blocks(priorite.points_de_vigilance)
        for sous in priorite.sous_priorites:
            description = f" : {sous.description}" if sous.description else ""
            builder.add("paragraphe", f"**{sous.code} {sous.titre}**{description}")
            for precision in sous.precisions:
                builder.add("puce", precision)
        builder.blocks(priorite.complements)
        if priorite.indicateurs:
            builder.add("intertitre", "Indicateurs d'évaluation :")
            for indicateur in priorite.indicateurs:
                builder.add("puce", indicateur)
    axes = content.feuille_de_route.axes_transversaux
    if axes:
        builder.add("titre1", axes.titre)
        rows = [[text_cell("AXES TRANSVERSAUX", bold=True), text_cell("ENJEUX/ORIENTATIONS", bold=True)]]
        rows += [[text_cell(axe.axe), Cell(list(axe.enjeux))] for axe in axes.axes]
        builder.table(rows, widths=[1, 2])


def build_protocole(content: Content, version: str = "projet", mention: str = "") -> Document:
    """Annexe 2: the protocole, its signatures and annexes, then the feuille de route in detail."""
    protocole = content.protocole
    if protocole is None:
        raise ValueError("no protocole.yaml")  # callers check content.protocole first
    builder = Builder(content)
    for line in protocole.couverture:
        builder.add("grand_titre", f"**{line}**")
    builder.add("grand_titre", protocole.titre)
    builder.add("grand_titre", protocole.date)
    builder.add("saut_de_page")
    for section in protocole.sections:
        builder.section(section, 2)
    builder.add("paragraphe", protocole.signature.lieu_date)
    signataires = protocole.signature.signataires
    builder.table(
        [[Cell(list(s.pour), bold=True) for s in signataires], [Cell([s.nom, *s.qualite]) for s in signataires]],
        header_rows=0,
    )
    for annexe in protocole.annexes:
        builder.add("titre1", annexe.titre)
        builder.blocks(annexe.contenu)
    _feuille_de_route(builder, content)
    cover = {
        **common_cover(content, version, mention),
        "numero_annexe": "ANNEXE 2",
        "titre_annexe": builder.text(protocole.annexe),
    }
    return Document(cover, builder.items)


CATEGORIES = {
    "conseil_citoyen": "AVIS OU CONTRIBUTION DES CONSEILS CITOYENS",
    "commune": "AVIS DES COMMUNES DU CONTRAT DE VILLE",
}

# what assistive technologies say of a scanned avis in the dossier (its alternative text)
SCAN_ALT = "Avis de {nom} ({type}), séance du {seance}, sens de l'avis : {sens} (document scanné)"
ORGANISME_TYPES = {"conseil_citoyen": "conseil citoyen", "commune": "commune"}


def scan_alt(organisme: Organisme) -> str:
    """The alternative text of a received avis's scan, from avis.yaml."""
    avis = organisme.avis
    assert avis is not None, "only a received avis has a scan"
    return SCAN_ALT.format(
        nom=organisme.nom,
        type=ORGANISME_TYPES[organisme.type],
        seance=french.format_long_date(avis.seance),
        sens=avis.sens,
    )


def build_synthese_avis(
    content: Content, statuts: list[Statut], version: str = "projet", mention: str = ""
) -> Document:
    """The summary of the avis, before the scans: who, séance, avis, received."""
    builder = Builder(content)
    received = sum(1 for statut in statuts if statut.etat == RECU)
    if received == 0:
        answer = "aucun avis n'a encore été reçu."
    elif received == 1:
        answer = "1 avis a été reçu ; il est joint au présent dossier."
    else:
        answer = f"{received} avis ont été reçus ; ils sont joints au présent dossier."
    builder.add("paragraphe", f"Le projet de rapport a été soumis pour avis à {len(statuts)} organismes ; {answer}")
    for kind, title in CATEGORIES.items():
        members = [statut for statut in statuts if statut.organisme.type == kind]
        if not members:
            continue
        builder.add("intertitre", title.capitalize())
        rows = [[text_cell(h, bold=True) for h in ("Organisme consulté", "Séance", "Avis", "Reçu le")]]
        rows += [
            [text_cell(s.organisme.nom), text_cell(s.seance), text_cell(s.sens), text_cell(s.recu)] for s in members
        ]
        builder.table(rows, widths=[3, 1.6, 2, 1.6])
    deadline = statuts[0].echeance if statuts else None
    if deadline is not None:
        builder.add(
            "note",
            f"Délai de réponse : jusqu'au {french.format_long_date(deadline)} inclus ; "
            "passé ce délai, l'avis est réputé favorable (décret n° 2015-1118 du 3 septembre 2015).",
        )
    cover = {
        **common_cover(content, version, mention),
        "numero_annexe": "",
        "titre_annexe": "Synthèse des avis recueillis",
    }
    return Document(cover, builder.items)


def build_intercalaire(content: Content, title: str, version: str = "projet", mention: str = "") -> Document:
    """A divider page announcing a group of avis."""
    builder = Builder(content)
    builder.add("intercalaire", title)
    cover = {**common_cover(content, version, mention), "numero_annexe": "", "titre_annexe": ""}
    return Document(cover, builder.items)
