"""Make the Word templates of ``gabarits/`` from scratch (rapport, annexe, annexe-paysage), and their ODT set.

Developers run this once when the template's structure changes
(``.venv/bin/python outils/fabriquer_gabarits.py``); the result is committed
and from then on belongs to the communication staff, who restyle it in Word
or LibreOffice. Every look (fonts, colours, spacing, the table style) lives in
named styles, so changing a style changes the whole rapport.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

BLUE = RGBColor(0x1F, 0x38, 0x64)
ORANGE = RGBColor(0xC5, 0x5A, 0x11)
FONT = "Calibri"  # LibreOffice uses the metric-compatible Carlito where Calibri is missing
NBSP = "\u00a0"


def _style(
    doc,
    name,
    base="Normal",
    size=None,
    bold=None,
    color=None,
    before=None,
    after=None,
    italic=None,
    align=None,
    keep_next=None,
    kind=WD_STYLE_TYPE.PARAGRAPH,
):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, kind)
    if base and style.name != base:
        style.base_style = styles[base]
    font = style.font
    font.name = FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    if color is not None:
        font.color.rgb = color
    fmt = style.paragraph_format
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    if align is not None:
        fmt.alignment = align
    if keep_next is not None:
        fmt.keep_with_next = keep_next
    return style


def _outline_level(doc, name: str, level: int) -> None:
    """Make paragraphs of style ``name`` a heading of ``level`` (1 to 9) for tags, bookmarks and checkers."""
    properties = doc.styles[name].element.get_or_add_pPr()
    properties.append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{level - 1}"/>'))


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """Insert a Word field (PAGE, NUMPAGES, TOC…) into ``paragraph``."""
    run = paragraph.add_run()
    run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="begin" w:dirty="true"/>'))
    run = paragraph.add_run()
    instr = parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve"> {instruction} </w:instrText>')
    run._r.append(instr)
    run = paragraph.add_run()
    run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="separate"/>'))
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>'))


def _table_style(doc) -> None:
    """'Tableau assembleur': thin grid, shaded header row, small text."""
    style = doc.styles.add_style("Tableau assembleur", WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Table Grid"]
    style.font.name = FONT
    style.font.size = Pt(9.5)
    style.element.append(
        parse_xml(
            f'<w:tblStylePr {nsdecls("w")} w:type="firstRow">'
            '<w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>'
            '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F3864"/></w:tcPr>'
            "</w:tblStylePr>"
        )
    )
    _style(doc, "Texte de tableau", size=9.5, before=1, after=1)


def _styles(doc) -> None:
    """Every named style of assembleur's templates."""
    _style(doc, "Normal", base=None, size=11, after=6)
    doc.styles["Normal"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    left = WD_ALIGN_PARAGRAPH.LEFT
    _style(doc, "Heading 1", size=18, bold=True, color=BLUE, before=18, after=10, keep_next=True, align=left)
    doc.styles["Heading 1"].paragraph_format.page_break_before = True
    _style(doc, "Heading 2", size=14, bold=True, color=BLUE, before=14, after=6, keep_next=True, align=left)
    _style(doc, "Heading 3", size=12, bold=True, color=ORANGE, before=10, after=4, keep_next=True, align=left)
    _style(doc, "Intertitre", size=11, bold=True, color=BLUE, before=8, after=3, keep_next=True, align=left)
    _style(
        doc, "Priorité", size=10.5, bold=True, italic=True, color=ORANGE, before=6, after=2, keep_next=True, align=left
    )
    _style(doc, "List Bullet", size=11, after=2)
    _style(doc, "Liste symbole", size=11, after=3)
    doc.styles["Liste symbole"].paragraph_format.left_indent = Cm(0.6)
    doc.styles["Liste symbole"].paragraph_format.first_line_indent = Cm(-0.6)
    # not « Note » nor « Figure »: LibreOffice tags a paragraph with its style's name, and those two are
    # standard PDF types, which a tagged PDF may not remap to a paragraph
    _style(doc, "Note de tableau", size=9, italic=True, after=8)
    _style(doc, "Graphique", align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=6)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _style(doc, "Titre introduction", size=16, bold=True, color=BLUE, after=14, align=center)
    _style(doc, "Titre sommaire", size=20, bold=True, color=BLUE, after=18, align=left)
    _style(doc, "Couverture bandeau", size=16, bold=True, color=BLUE, after=0, align=left)
    _style(doc, "Couverture titre", size=28, bold=True, color=BLUE, before=120, after=12, align=left)
    _style(doc, "Couverture année", size=18, color=ORANGE, after=60, align=left)
    _style(doc, "Couverture mention", size=12, after=4, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _style(doc, "Version projet", size=14, bold=True, color=ORANGE, before=12, after=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _style(doc, "Signature", size=11, after=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _style(doc, "Pied de page", size=8.5, color=BLUE, align=center)
    _style(doc, "Annexe numéro", size=14, bold=True, color=ORANGE, after=4, align=left)
    _style(doc, "Annexe titre", size=20, bold=True, color=BLUE, after=18, align=left)
    _outline_level(doc, "Annexe titre", 1)  # an annex's title is its first heading (H1 in the tagged PDF)
    _style(doc, "Grand titre", size=22, bold=True, color=BLUE, before=36, after=12, align=center)
    _style(doc, "Intercalaire", size=26, bold=True, color=BLUE, before=260, after=12, align=center)
    _outline_level(doc, "Intercalaire", 1)
    for level in (1, 2):
        _style(doc, f"TOC {level}", size=11, after=3)
    _table_style(doc)


def _new_document(landscape: bool = False):
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_height, section.page_width = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(1.5)
        section.top_margin, section.bottom_margin = Cm(1.5), Cm(1.5)
    else:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    _styles(doc)
    return doc


BRANCHES = [
    ("titre_introduction", "{{r b.texte }}", "Titre introduction"),
    ("titre1", "{{r b.texte }}", "Heading 1"),
    ("titre2", "{{r b.texte }}", "Heading 2"),
    ("titre3", "{{r b.texte }}", "Heading 3"),
    ("intertitre", "{{r b.texte }}", "Intertitre"),
    ("priorite", "{{r b.texte }}", "Priorité"),
    ("paragraphe", "{{r b.texte }}", "Normal"),
    ("puce", "{{r b.texte }}", "List Bullet"),
    ("symbole", "{{ b.symbole }}\t{{r b.texte }}", "Liste symbole"),
    ("note", "{{r b.texte }}", "Note de tableau"),
    ("grand_titre", "{{r b.texte }}", "Grand titre"),
    ("intercalaire", "{{r b.texte }}", "Intercalaire"),
    ("tableau", "{{p b.tableau }}", "Normal"),
    ("graphique", "{{ b.image }}", "Graphique"),
]


def _body_loop(doc) -> None:
    """The loop over ``corps``: one styled paragraph per kind of block."""
    doc.add_paragraph("{%p for b in corps %}")
    for index, (kind, text, style) in enumerate(BRANCHES):
        keyword = "if" if index == 0 else "elif"
        doc.add_paragraph(f'{{%p {keyword} b.genre == "{kind}" %}}')
        doc.add_paragraph(text, style=style)
    doc.add_paragraph('{%p elif b.genre == "saut_de_page" %}')
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")


def _footer(doc, text: str) -> None:
    footer = doc.sections[0].footer.paragraphs[0]
    footer.style = doc.styles["Pied de page"]
    footer.add_run(text)
    _field(footer, "PAGE", "1")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES", "1")


def _finish(doc, path: Path, title: str) -> None:
    doc.settings.element.append(parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'))
    doc.core_properties.title = title
    doc.core_properties.author = "assembleur"
    doc.core_properties.language = "fr-FR"
    _set_language(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    print(path)


def build_rapport(path: Path) -> None:
    """The rapport: cover, sommaire, body."""
    doc = _new_document()
    doc.sections[0].different_first_page_header_footer = True
    doc.add_paragraph("{%p for ligne in bandeau %}")
    doc.add_paragraph("{{ ligne }}", style="Couverture bandeau")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{{ titre }}", style="Couverture titre")
    doc.add_paragraph("Année de référence {{ annee }}", style="Couverture année")
    doc.add_paragraph("{{ collectivite }}", style="Couverture mention").runs[0].bold = True
    doc.add_paragraph("{%p if projet %}")
    doc.add_paragraph(f"Version «{NBSP}PROJET{NBSP}» du rapport", style="Version projet")
    doc.add_paragraph("arrêtée au {{ date_arret }}", style="Version projet")
    doc.add_paragraph("{%p endif %}")
    signature = doc.add_paragraph("{{ signature_mention }}", style="Signature")
    signature.paragraph_format.space_before = Pt(48)
    doc.add_paragraph("{%p for ligne in signature_qualite %}")
    doc.add_paragraph("{{ ligne }}", style="Signature")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{{ signature_nom }}", style="Signature").paragraph_format.space_before = Pt(36)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("Sommaire", style="Titre sommaire")
    _field(
        doc.add_paragraph(),
        'TOC \\o "1-2" \\h \\z \\u',
        "Le sommaire se met à jour à la conversion en PDF (dans Word : clic droit, « Mettre à jour les champs »).",
    )
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _body_loop(doc)
    _footer(doc, "{{ titre }} – {{ sigle }} – année {{ annee }} – {{ mention_version }} – page ")
    _finish(doc, path, "Rapport sur la mise en œuvre de la Politique de la Ville")


def build_annexe(path: Path, landscape: bool = False) -> None:
    """An annex of the dossier (or an intercalaire): its number and title, then the body."""
    doc = _new_document(landscape)
    doc.add_paragraph("{%p if numero_annexe %}")
    doc.add_paragraph("{{ numero_annexe }}", style="Annexe numéro")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if titre_annexe %}")
    doc.add_paragraph("{{ titre_annexe }}", style="Annexe titre")
    doc.add_paragraph("{%p endif %}")
    _body_loop(doc)
    _footer(
        doc,
        "{{ titre }} – {{ sigle }} – année {{ annee }} – {{ mention_version }}"
        "{% if numero_annexe %} – {{ numero_annexe }}{% endif %} – page ",
    )
    _finish(doc, path, "Annexe du rapport sur la mise en œuvre de la Politique de la Ville")


def build_deliberation(path: Path) -> None:
    """The projet de délibération of the conseil communautaire: its wording, around the data of the consultation."""
    doc = _new_document()
    doc.add_paragraph("{{ collectivite }}", style="Couverture bandeau")
    doc.add_paragraph("{{ instance }}", style="Annexe numéro")
    doc.add_paragraph("{%p if projet %}")
    doc.add_paragraph("PROJET DE DÉLIBÉRATION", style="Version projet")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if numero %}")
    doc.add_paragraph("Délibération n° {{ numero }} – séance du {{ seance }}", style="Couverture mention")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("Objet : {{ objet }}", style="Annexe titre")
    doc.add_paragraph(
        "Classification : {{ classification_code }} – {{ classification_libelle }}", style="Note de tableau"
    )
    doc.add_paragraph("{%p for v in visas %}")
    doc.add_paragraph("{{ v }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph(
        "Vu le projet de rapport {{ annee }} sur la mise en œuvre de la politique de la ville, "
        "arrêté au {{ date_arret }} ;"
    )
    doc.add_paragraph("{%p if envoi %}")
    doc.add_paragraph(
        "Considérant que le projet de rapport a été transmis le {{ envoi }} pour avis aux {{ consultes }} "
        "conseils municipaux des communes concernées et conseils citoyens, qui disposaient d'un délai de "
        "{{ delai }} pour se prononcer, soit jusqu'au {{ echeance }} inclus ;"
    )
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for a in avis_recus %}")
    doc.add_paragraph(
        "Vu l'avis de {{ a.organisme }}, rendu le {{ a.date }}{% if a.recu %} et reçu le {{ a.recu }}"
        "{% endif %} : {{ a.sens }} ;"
    )
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if reputes_favorables %}")
    doc.add_paragraph(
        "Considérant que, faute de réponse dans le délai, l'avis des organismes suivants est réputé favorable "
        "(décret n° 2015-1118) : {{ reputes_favorables|join(', ') }} ;"
    )
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if sans_avis %}")
    doc.add_paragraph("Considérant que le rapport est joint sans l'avis de : {{ sans_avis|join(', ') }} ;")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if en_attente %}")
    doc.add_paragraph(
        "Considérant que l'avis des organismes suivants est attendu{% if echeance %} jusqu'au {{ echeance }}"
        "{% endif %} : {{ en_attente|join(', ') }} ;"
    )
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for c in contributions %}")
    doc.add_paragraph("Vu la contribution de {{ c.organisme }} du {{ c.date }} ;")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if observations %}")
    doc.add_paragraph(
        "Considérant les observations formulées sur le projet de rapport et les suites qui leur sont données :"
    )
    doc.add_paragraph("{%p for o in observations %}")
    doc.add_paragraph(
        "{{ o.organisme }} : « {{ o.texte }} » Suite donnée : "
        "{% if o.suite %}{{ o.suite }}{% else %}à définir{% endif %}",
        style="List Bullet",
    )
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for c in considerants %}")
    doc.add_paragraph("{{ c }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Après en avoir délibéré :", style="Intertitre")
    doc.add_paragraph("{%p for article in articles %}")
    doc.add_paragraph("Article {{ loop.index }}", style="Intertitre")
    doc.add_paragraph("{{ article }}")
    doc.add_paragraph("{%p endfor %}")
    signature = doc.add_paragraph(
        "Fait et délibéré{% if seance %} en séance du {{ seance }}{% endif %}.", style="Signature"
    )
    signature.paragraph_format.space_before = Pt(24)
    _footer(doc, "{{ titre }} {{ annee }} – {{ sigle }} – {{ mention_version }} – page ")
    _finish(doc, path, "Délibération du conseil communautaire")
def build_comparaison(path: Path) -> None:
    """The first page of ``assembleur comparer``: what changed between two versions of the rapport."""
    doc = _new_document()

    def version(side: str) -> str:
        return (
            f"{{% if {side}.numero %}}v{{{{ {side}.numero }}}}{{% else %}}version définitive{{% endif %}}"
            f"{{% if not meme_annee %}} {{{{ {side}.annee }}}}{{% endif %}}"
        )

    doc.add_paragraph(f"Modifications entre la {version('de')} et la {version('a')}", style="Titre sommaire")
    doc.add_paragraph(
        "Rapport {{ annee }} : chaque différence avec la version précédente est marquée dans la suite du "
        "document (suivi des modifications, « assembleur », {{ date_comparaison }}) ; elle peut y être "
        "acceptée ou refusée. {{ modifications }} modification{% if modifications > 1 %}s{% endif %} au total."
    )
    sections = [
        (
            "Sections modifiées",
            "sections",
            "s",
            "{% if s %}{{ s }}{% else %}Couverture{% endif %}",
            "not sections",
            "Aucune différence dans le texte.",
        ),
        (
            "Chiffres clés modifiés",
            "chiffres",
            "c",
            "{{ c.nom }} : {{ c.avant }} → {{ c.apres }}",
            "chiffres_connus and not chiffres",
            "Aucun chiffre clé n'a changé.",
        ),
        (
            "Tableaux modifiés",
            "tableaux",
            "t",
            "« {{ t.titre }} »{% if t.section %} ({{ t.section }}){% endif %} : {{ t.cellules }} "
            "cellule{% if t.cellules > 1 %}s modifiées{% else %} modifiée{% endif %}",
            "not tableaux",
            "Aucun tableau modifié.",
        ),
        (
            "Avis ajoutés ou modifiés",
            "avis",
            "x",
            "{{ x.nom }} : {% if x.avant %}{{ x.avant.sens }} (séance du {{ x.avant.seance }}) → "
            "{% else %}nouvel avis, {% endif %}{{ x.apres.sens }} (séance du {{ x.apres.seance }})",
            "not avis",
            "Aucun avis ajouté ni modifié.",
        ),
    ]
    for title, items, name, line, empty, nothing in sections:
        doc.add_paragraph(title, style="Intertitre")
        if items == "chiffres":
            doc.add_paragraph("{%p if not chiffres_connus %}")
            doc.add_paragraph(
                "Les chiffres clés d'une des deux versions ne sont pas connus : elle a été fabriquée par une "
                "version d'assembleur qui ne les notait pas dans son manifeste."
            )
            doc.add_paragraph("{%p endif %}")
        doc.add_paragraph(f"{{%p for {name} in {items} %}}")
        doc.add_paragraph(line, style="List Bullet")
        doc.add_paragraph("{%p endfor %}")
        doc.add_paragraph(f"{{%p if {empty} %}}")
        doc.add_paragraph(nothing)
        doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("Nombre de pages", style="Intertitre")
    doc.add_paragraph(
        "Rapport en PDF, sans cette page : "
        '{{ pages_avant if pages_avant is not none else "inconnu" }} avant, '
        '{{ pages_apres if pages_apres is not none else "inconnu" }} après.'
    )
    _finish(doc, path, "Modifications entre deux versions du rapport")


def _set_language(doc) -> None:
    """French for spelling, hyphenation and LibreOffice's typography."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
        rpr.append(lang)
    lang.set(qn("w:val"), "fr-FR")
    lang.set(qn("w:eastAsia"), "fr-FR")


def build_odt_set(word_folder: Path, odt_folder: Path) -> None:
    """The ODT set: the Word templates converted by LibreOffice, tags and styles kept."""
    from assembleur.pdf import libreoffice

    odt_folder.mkdir(parents=True, exist_ok=True)
    words = [word for word in sorted(word_folder.glob("*.docx")) if word.stem != "comparaison"]  # never an ODT
    pairs = [(word, odt_folder / f"{word.stem}.odt") for word in words]
    libreoffice.convert_many(pairs, templates=True)
    for _, odt in pairs:
        print(odt)


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "gabarits"
    build_rapport(folder / "rapport.docx")
    build_annexe(folder / "annexe.docx")
    build_annexe(folder / "annexe-paysage.docx", landscape=True)
    build_deliberation(folder / "deliberation.docx")
    build_comparaison(folder / "comparaison.docx")
    build_odt_set(folder, folder.parent / "gabarits-odt")
    if len(sys.argv) == 1:  # the package ships the same templates, for « assembleur init »
        shipped = root / "assembleur" / "modeles" / "gabarits"
        for template in sorted(folder.glob("*.docx")):
            shutil.copyfile(template, shipped / template.name)
            print(shipped / template.name)
