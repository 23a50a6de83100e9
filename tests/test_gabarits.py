"""``verifier`` reads the templates: unknown tags are errors, content no template shows is a warning."""

from __future__ import annotations

from pathlib import Path

from assembleur.fabrication import verification
from assembleur.project import Year

from .aides import edit_template


def test_the_2019_templates_use_only_known_data(checked_2019: verification.Checked) -> None:
    from .aides import PROJET_FIGE

    assert verification.check_templates(Year(PROJET_FIGE, 2019), checked_2019) == []


def test_an_unknown_tag_is_an_error_with_the_text_around_it(projet: Path, cli) -> None:
    edit_template(projet / "gabarits" / "rapport.docx", "{{ signature_nom }}", "{{ signataire }}")
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "Erreur : 1 erreur dans les gabarits :"
    assert (
        "- gabarits/rapport.docx : la balise « signataire » ne correspond à aucune donnée ; texte autour : «"
        in result.stderr
    )
    assert "{{ signataire }}" in result.stderr


def test_an_unknown_block_attribute_is_an_error(projet: Path, cli) -> None:
    edit_template(projet / "gabarits" / "annexe.docx", "{{r b.texte }}", "{{r b.text }}")
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert (
        "- gabarits/annexe.docx : « b.text » n'existe pas pour un bloc (connus : genre, texte, symbole, tableau, image)"
        in result.stderr
    )


def test_content_no_template_shows_is_a_warning(projet: Path, cli) -> None:
    edit_template(projet / "gabarits" / "rapport.docx", "{{ signature_nom }}", "")
    edit_template(projet / "gabarits" / "rapport.docx", 'b.genre == "graphique"', 'b.genre == "grafique"')
    result = cli("verifier", "2019")
    assert result.exit_code == 0
    assert "- gabarits : la donnée « signature_nom » n'apparaît dans aucun gabarit." in result.stderr
    assert (
        "- gabarits/rapport.docx : 2 bloc(s) de genre « graphique » ne s'affichent pas : "
        "le gabarit n'a pas de branche pour ce genre."
    ) in result.stderr


def test_text_beside_a_paragraph_tag_is_a_warning_naming_the_template_and_the_text(projet: Path, cli) -> None:
    """docxtpl keeps only the tag of a {%p …%} paragraph: what is typed around it would vanish."""
    edit_template(
        projet / "gabarits" / "annexe.docx",
        "<w:t>{%p if numero_annexe %}</w:t>",
        '<w:t>Annexe du rapport {%p if numero_annexe %}</w:t></w:r><w:r><w:t xml:space="preserve"> (à garder)</w:t>',
    )
    result = cli("verifier", "2019")
    assert result.exit_code == 0
    assert (
        "- gabarits/annexe.docx : le texte « Annexe du rapport {%p if numero_annexe %} (à garder) » est dans le même "
        "paragraphe que la balise « {%p if numero_annexe %} » : il ne s'affichera pas (seule la balise est gardée) ; "
        "mettez-le dans un paragraphe à part."
    ) in result.stderr.splitlines()


def test_text_in_the_row_of_a_row_tag_is_found_too(projet: Path) -> None:
    from assembleur.documents import render

    template = projet / "gabarits" / "rapport.docx"
    assert render.lost_text(template) == []
    cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    row = f"<w:tbl><w:tr>{cell.format('{%tr for ligne in lignes %}')}{cell.format('Total')}</w:tr></w:tbl>"
    edit_template(template, "<w:body>", f"<w:body>{row}")
    assert render.lost_text(template) == [
        render.LostText("{%tr for ligne in lignes %}", "ligne de tableau", "{%tr for ligne in lignes %}Total")
    ]
