"""Validation: the whole content against the typed model, every problem at once, in French."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembleur.errors import ContentError
from assembleur.fabrication import verification
from assembleur.project import Year

from .aides import edit


def problems(annee: Year) -> list[str]:
    with pytest.raises(ContentError) as caught:
        verification.check(annee)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_2019_content_is_valid(checked_2019: verification.Checked) -> None:
    content = checked_2019.content
    assert content.rapport.annee == 2019
    assert [c.numero for c in content.chapitres] == [1, 2, 3]
    assert str(content.rapport.date_arret) == "2020-09-29"
    assert len(content.feuille_de_route.priorites) == 10


def test_all_problems_of_all_files_are_reported_together(annee: Year, contenus: Path) -> None:
    edit(contenus / "rapport.yaml", "date_arret: 2020-09-29", "date_arret: 31/02/2020")
    edit(contenus / "chapitre3.yaml", "projets: 24", "projets: vingt-quatre")
    edit(
        contenus / "programmation.yaml",
        'commune: Auchel, porteur: Ville, sous_priorite: "10.1"',
        'commune: Auchell, porteur: Ville, sous_priorite: "10.1"',
    )
    found = problems(annee)
    assert found == [
        "contenus/2019/rapport.yaml, ligne 21, colonne 13 [date_arret] : la date « 31/02/2020 » n'existe pas dans le calendrier.",
        "contenus/2019/chapitre3.yaml, ligne 23, colonne 20 [sections › 1 › contenu › 4 › bilan › projets] : "
        "attendu : un nombre entier ; trouvé : « vingt-quatre ».",
        "contenus/2019/programmation.yaml, ligne 123, colonne 45 [actions › 25 › commune] : la commune « Auchell » "
        "n'est pas dans la liste « communes » du fichier ; vouliez-vous dire « Auchel » ? "
        "(ou ajoutez-la à la liste ; « Interco » pour une action intercommunale).",
    ]


def test_unknown_key_suggests_the_nearest(annee: Year, contenus: Path) -> None:
    edit(
        contenus / "programmation.yaml",
        'porteur: Ville, sous_priorite: "10.1"',
        'porteur: Ville, sous_priortie: "10.1"',
    )
    assert problems(annee) == [
        "contenus/2019/programmation.yaml, ligne 123, colonne 69 [actions › 25] : "
        "clé inconnue « sous_priortie » ; vouliez-vous dire « sous_priorite » ?"
    ]


def test_unknown_sous_priorite_is_refused(annee: Year, contenus: Path) -> None:
    edit(
        contenus / "programmation.yaml",
        'porteur: Ville, sous_priorite: "10.1"',
        'porteur: Ville, sous_priorite: "10.9"',
    )
    assert problems(annee) == [
        "contenus/2019/programmation.yaml, ligne 123, colonne 84 [actions › 25 › sous_priorite] : la sous-priorité "
        "« 10.9 » n'existe pas dans feuille_de_route.yaml ; vouliez-vous dire « 10.3 » ?"
    ]


def test_missing_required_key(annee: Year, contenus: Path) -> None:
    edit(contenus / "rapport.yaml", "date_arret: 2020-09-29", "")
    assert problems(annee) == [
        "contenus/2019/rapport.yaml, ligne 11, colonne 1 [date_arret] : la clé obligatoire « date_arret » manque ; ajoutez-la."
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"1 230 586 €"', '"-1 230 586 €"', "un montant ne peut pas être négatif (-1 230 586 €)."),
        ('"1 230 586 €"', '"12 k€"', "montant illisible « 12 k€ » ; écrivez par exemple « 1 712 989 € »."),
        (
            '"1 230 586 €"',
            '"9 999 999 999 999 €"',
            "montant invraisemblable (9 999 999 999 999 €) : vérifiez les chiffres.",
        ),
        ('"1 230 586 €"', '"{credit_cget}"', "chiffre inconnu « credit_cget »."),
    ],
    ids=["negatif", "illisible", "absurde", "chiffre-inconnu"],
)
def test_bad_amounts(annee: Year, contenus: Path, old: str, new: str, message: str) -> None:
    edit(contenus / "chapitre2.yaml", old, new)
    found = problems(annee)
    assert len(found) == 1
    assert found[0].startswith("contenus/2019/chapitre2.yaml, ligne 73, colonne 29 ")
    assert found[0].endswith(message)


def test_amounts_may_be_a_declared_figure(annee: Year, contenus: Path) -> None:
    edit(contenus / "chapitre2.yaml", '"1 230 586 €"', '"{credits_cget}"')
    checked = verification.check(annee)  # valid; verifier then sees the sum is off
    assert any("totalisent" in str(w) and "contributions du CGET" in str(w) for w in checked.warnings)


def test_unknown_figure_in_a_text(annee: Year, contenus: Path) -> None:
    edit(contenus / "chapitre2.yaml", "{depenses_totales}", "{depenses_total}")
    [found] = problems(annee)
    assert "chiffre inconnu « {depenses_total} » ; vouliez-vous dire « depenses_totales » ?" in found
    assert found.startswith("contenus/2019/chapitre2.yaml, ligne ")


def test_unknown_block_kind(annee: Year, contenus: Path) -> None:
    edit(contenus / "chapitre3.yaml", "- intertitre: Education", "- intertitres: Education")
    [found] = problems(annee)
    assert "bloc inconnu (clés : intertitres) ; vouliez-vous dire « intertitre » ?" in found


def test_wrong_type_for_a_list(annee: Year, contenus: Path) -> None:
    edit(contenus / "rapport.yaml", "  nom: Eric EDOUARD", "  nom: [Eric, EDOUARD]")
    [found] = problems(annee)
    assert found.endswith("[signature › nom] : attendu : un texte ; trouvé : une liste.")


def test_unexpected_file(annee: Year, contenus: Path) -> None:
    (contenus / "programation.yaml").write_text("a: 1\n", encoding="utf-8")
    assert problems(annee) == [
        "contenus/2019/programation.yaml : fichier inattendu ; vouliez-vous dire « programmation » ? ; les fichiers "
        "reconnus sont : rapport.yaml, programmation.yaml, feuille_de_route.yaml, protocole.yaml, avis.yaml, "
        "deliberation.yaml et chapitreN.yaml."
    ]


def test_unknown_porteur_when_a_list_of_porteurs_is_kept(annee: Year, contenus: Path) -> None:
    edit(
        contenus / "programmation.yaml",
        'commune: Auchel, porteur: Ville, sous_priorite: "10.1"',
        'commune: Auchel, porteur: Vile, sous_priorite: "10.1"',
    )
    assert problems(annee) == [
        "contenus/2019/programmation.yaml, ligne 123, colonne 62 [actions › 25 › porteur] : le porteur « Vile » "
        "n'est pas dans la liste « porteurs » du fichier ; vouliez-vous dire « Ville » ? (ou ajoutez-le à la liste)."
    ]
