"""Derive the annexes of the dossier: the grid of actions, the protocole, the avis.

Like :mod:`assembleur.documents.derive` for the rapport, each function turns the
validated content into a :class:`~assembleur.documents.derive.Document` for a template.
The grid (Annexe 1) comes from the one list of actions of ``programmation.yaml``.
"""

from __future__ import annotations

from ..contenus import french
from ..contenus.blocs.axes_transversaux import HEADINGS, axes_table
from ..contenus.consultation import RECU, Statut, observations
from ..contenus.contrat import Element
from ..contenus.model import INTERCO, SIGNATAIRE, Action, Organisme
from ..contenus.validate import Content
from ..project import PROJET
from .derive import GROUP_SHADE, Builder, Cell, Document, common_cover, text_cell


def places(content: Content, action: Action) -> str:
    """Where an action takes place, as the grid names it: its communes, else its quartiers."""
    if action.communes:
        return ", ".join(action.communes) if action.communes != [INTERCO] else INTERCO
    names = {q.code: q.nom for q in content.contrat.territoire.quartiers}
    return ", ".join(names.get(code, code) for code in action.quartiers)


def grid_line(content: Content, action: Action) -> str:
    """An action as the grid lists it: « Titre - Commune (Porteur) »."""
    porteur = f" ({action.porteur})" if action.porteur else ""
    where = places(content, action)
    return f"{action.titre} - {where}{porteur}" if where else f"{action.titre}{porteur}"


def _row(label: str, members: list[Action], content: Content) -> list[Cell]:
    libelles, annee = content.rapport.libelles, content.rapport.annee
    lines = [grid_line(content, a) for a in members] or [f"*{libelles.text('grille_aucune_action', annee)}*"]
    projets = sum(len(a.communes) or 1 for a in members)
    return [text_cell(label), Cell(lines), text_cell(projets, align="right")]


def _group_rows(content: Content, group: Element, actions: list[Action], children: bool = True) -> list[list[Cell]]:
    """A heading row for an element, then a row per element under it (``children``), then its own actions."""
    libelles, annee, strategie = content.rapport.libelles, content.rapport.annee, content.contrat.strategie
    niveau = strategie.level_name(group.code)
    title = libelles.text("priorite_titre", annee, numero=group.code, titre=group.titre, niveau=niveau)
    rows = [[text_cell(title, bold=True, colspan=3, shade=GROUP_SHADE)]]
    for child in strategie.children(group.code) if children else []:
        members = [a for a in actions if child in strategie.lineage(a.strategie)]
        rows.append(_row(f"{child.code} {child.titre}", members, content))
    direct = [a for a in actions if a.strategie == group.code]
    if direct:
        detail = strategie.niveaux[min(strategie.level_of(group.code), len(strategie.niveaux) - 1)].lower()
        label = libelles.text("grille_sans_sous_priorite", annee, numero=group.code, niveau=niveau, detail=detail)
        rows.append(_row(label, direct, content))
    return rows


def build_grille(content: Content, version: str = PROJET, mention: str = "") -> Document:
    """Annexe 1: every action of the year, once, under its element of the strategy."""
    builder = Builder(content)
    libelles, annee, strategie = content.rapport.libelles, content.rapport.annee, content.contrat.strategie
    actions = content.programmation.actions
    depth = max(strategie.level_of(e.code) for e in strategie.elements)
    niveau = strategie.niveaux[depth - 1]
    first, titre, projets = libelles.texts("grille_colonnes", annee, niveau=niveau)
    rows = [[text_cell(first, bold=True), text_cell(titre, bold=True), text_cell(projets, bold=True, align="right")]]
    groups = strategie.at_level(max(depth - 1, 1))
    for group in groups:
        if depth == 1:
            rows.append(_row(f"{group.code} {group.titre}", [a for a in actions if a.strategie == group.code], content))
        else:
            rows.extend(_group_rows(content, group, [a for a in actions if group in strategie.lineage(a.strategie)]))
    for higher in strategie.elements:  # actions attached above the elements that group the lines
        direct = [a for a in actions if a.strategie == higher.code]
        if direct and strategie.level_of(higher.code) < depth - 1:
            rows.extend(_group_rows(content, higher, direct, children=False))
    builder.add("paragraphe", libelles.text("grille_entete", annee))
    builder.table(rows, header_rows=1, widths=[6.5, 18.5, 1.7], can_split=True)
    cover = {
        **common_cover(content, version, mention),
        "numero_annexe": libelles.text("grille_annexe", annee),
        "titre_annexe": builder.text(libelles.text("grille_titre", annee, priorites=len(groups))),
    }
    return Document(cover, builder.items)


def _feuille_de_route(builder: Builder, content: Content) -> None:
    libelles, annee, strategie = content.rapport.libelles, content.rapport.annee, content.contrat.strategie
    feuille = content.feuille_de_route
    if feuille is None:
        return
    for priorite in feuille.priorites:
        element = strategie.element(priorite.numero)
        niveau = strategie.level_name(element.code)
        title = priorite.intitule_protocole or element.titre
        builder.add("titre1", libelles.text("priorite_titre", annee, numero=element.code, titre=title, niveau=niveau))
        if element.parent is not None:
            parent = strategie.element(element.parent)
            builder.add(
                "note",
                libelles.text("feuille_parent", annee, niveau=strategie.level_name(parent.code), titre=parent.titre),
            )
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
            builder.add("intertitre", libelles.text("feuille_vigilance", annee))
            builder.blocks(priorite.points_de_vigilance)
        details = {sous.code: sous for sous in priorite.sous_priorites}
        for child in strategie.children(element.code):
            sous = details.get(child.code)
            description = f" : {sous.description}" if sous and sous.description else ""
            builder.add("paragraphe", f"**{child.code} {child.titre}**{description}")
            for precision in sous.precisions if sous else []:
                builder.add("puce", precision)
        builder.blocks(priorite.complements)
        if priorite.indicateurs:
            builder.add("intertitre", libelles.text("feuille_indicateurs", annee))
            for indicateur in priorite.indicateurs:
                builder.add("puce", indicateur)
    axes = feuille.axes_transversaux
    if axes:
        builder.add("titre1", axes.titre)
        axes_table(builder, axes.axes, HEADINGS)


def build_protocole(content: Content, version: str = PROJET, mention: str = "") -> Document:
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
        header_rows=1,  # « Pour … » heads each signatory's column
    )
    for annexe in protocole.annexes:
        builder.add("titre1", annexe.titre)
        builder.blocks(annexe.contenu)
    _feuille_de_route(builder, content)
    cover = {
        **common_cover(content, version, mention),
        "numero_annexe": content.rapport.libelles.text("protocole_annexe", content.rapport.annee),
        "titre_annexe": builder.text(protocole.annexe),
    }
    return Document(cover, builder.items)


# the groups of avis, in the order of the dossier: organisme type → its libellé (the divider page's title;
# with « _titre », its heading in the synthèse and its bookmark)
CATEGORIES = {
    "conseil_citoyen": "avis_conseils_citoyens",
    "commune": "avis_communes",
    SIGNATAIRE: "contributions_signataires",
}


def scan_alt(content: Content, organisme: Organisme) -> str:
    """What assistive technologies say of a received avis's scan (its alternative text), from avis.yaml."""
    avis = organisme.avis
    assert avis is not None, "only a received avis has a scan"
    name = "alt_contribution" if organisme.type == SIGNATAIRE else "alt_avis"
    seance = french.format_long_date(avis.seance)
    sens = avis.sens or ""
    return content.rapport.libelles.text(name, content.rapport.annee, organisme=organisme.nom, seance=seance, sens=sens)


def category_title(content: Content, kind: str, heading: bool = False) -> str:
    """The title of a group of avis: its divider page's, or (``heading``) its heading and bookmark, as typed."""
    name = CATEGORIES[kind] + ("_titre" if heading else "")
    return content.rapport.libelles.text(name, content.rapport.annee)


def categories(content: Content) -> dict[str, str]:
    """The groups of avis the dossier shows: communes and conseils citoyens always, contributions when received."""
    organismes = content.avis.organismes if content.avis else []
    sent = any(o.type == SIGNATAIRE and o.avis is not None for o in organismes)
    return {kind: category_title(content, kind) for kind in CATEGORIES if kind != SIGNATAIRE or sent}


def has_observations(content: Content) -> bool:
    """Does any received avis or contribution carry an observation?"""
    return bool(observations(content.avis))


def build_synthese_avis(content: Content, statuts: list[Statut], version: str = PROJET, mention: str = "") -> Document:
    """The summary of the avis, before the scans: who, séance, avis, received."""
    builder = Builder(content)
    libelles, annee = content.rapport.libelles, content.rapport.annee
    contributions = [s for s in statuts if s.organisme.type == SIGNATAIRE and s.etat == RECU]
    statuts = [s for s in statuts if s.organisme.type != SIGNATAIRE]  # the signatories are not consulted
    received = sum(1 for statut in statuts if statut.etat == RECU)
    if received == 0:
        answer = libelles.text("avis_aucun", annee)
    elif received == 1:
        answer = libelles.text("avis_un", annee)
    else:
        answer = libelles.text("avis_plusieurs", annee, recus=received)
    builder.add("paragraphe", libelles.text("avis_consultation", annee, organismes=len(statuts), reponse=answer))
    for kind in CATEGORIES:
        members = [statut for statut in statuts if statut.organisme.type == kind]
        if not members:
            continue
        builder.add("intertitre", category_title(content, kind, heading=True))
        rows = [[text_cell(h, bold=True) for h in libelles.texts("avis_colonnes", annee)]]
        rows += [
            [text_cell(s.organisme.nom), text_cell(s.seance), text_cell(s.sens), text_cell(s.recu)] for s in members
        ]
        builder.table(rows, widths=[3, 1.6, 2, 1.6])
    if contributions:
        builder.add("intertitre", category_title(content, SIGNATAIRE, heading=True))
        rows = [[text_cell(h, bold=True) for h in libelles.texts("contributions_colonnes", annee)]]
        rows += [
            [text_cell(s.organisme.nom), text_cell(s.seance), text_cell(s.sens), text_cell(s.recu)]
            for s in contributions
        ]
        builder.table(rows, widths=[3, 1.6, 2, 1.6])
    deadline = statuts[0].echeance if statuts else None
    if deadline is not None:
        builder.add("note", libelles.text("avis_delai", annee, echeance=french.format_long_date(deadline)))
    cover = {
        **common_cover(content, version, mention),
        "numero_annexe": "",
        "titre_annexe": libelles.text("avis_titre", annee),
    }
    return Document(cover, builder.items)


def build_intercalaire(content: Content, title: str, version: str = PROJET, mention: str = "") -> Document:
    """A divider page announcing a group of avis."""
    builder = Builder(content)
    builder.add("intercalaire", title)
    cover = {**common_cover(content, version, mention), "numero_annexe": "", "titre_annexe": ""}
    return Document(cover, builder.items)


def build_observations(content: Content, version: str = PROJET, mention: str = "") -> Document:
    """The part after the synthèse: one row per observation (organisme, observation, suite given)."""
    builder = Builder(content)
    libelles, annee = content.rapport.libelles, content.rapport.annee
    builder.add("paragraphe", libelles.text("observations_introduction", annee))
    rows = [[text_cell(h, bold=True) for h in libelles.texts("observations_colonnes", annee)]]
    rows += [
        [
            text_cell(made.organisme.nom),
            text_cell(made.observation.texte),
            text_cell(made.observation.suite or libelles.text("suite_a_definir", annee)),
        ]
        for made in observations(content.avis)
    ]
    builder.table(rows, widths=[2, 3.5, 3.5], can_split=True)
    cover = {
        **common_cover(content, version, mention),
        "numero_annexe": "",
        "titre_annexe": libelles.text("observations_titre", annee),
    }
    return Document(cover, builder.items)
