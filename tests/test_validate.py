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
        'commune: Auchel, porteur: Ville, strategie: "10.1"',
        'commune: Auchell, porteur: Ville, strategie: "10.1"',
    )
    found = problems(annee)
    assert found == [
        "contenus/2019/rapport.yaml, ligne 17, colonne 13 [date_arret] : la date « 31/02/2020 » n'existe pas dans le calendrier.",
        "contenus/2019/chapitre3.yaml, ligne 23, colonne 20 [sections › 1 › contenu › 4 › bilan › projets] : "
        "attendu : un nombre entier ; trouvé : « vingt-quatre ».",
        "contenus/2019/programmation.yaml, ligne 107, colonne 45 [actions › 25 › commune] : la commune « Auchell » "
        "n'est pas dans contrat.yaml (territoire › communes) ; valeurs possibles : Auchel, Cauchy-à-la-Tour, "
        "Lillers, Béthune ou Noeux-les-Mines.",
    ]


def test_unknown_key_suggests_the_nearest(annee: Year, contenus: Path) -> None:
    edit(
        contenus / "programmation.yaml",
        'porteur: Ville, strategie: "10.1"',
        'porteur: Ville, strategei: "10.1"',
    )
    assert problems(annee) == [
        "contenus/2019/programmation.yaml, ligne 107, colonne 69 [actions › 25] : "
        "clé inconnue « strategei » ; vouliez-vous dire « strategie » ?"
    ]


def test_an_unknown_key_like_none_lists_the_keys_in_french(annee: Year, contenus: Path) -> None:
    edit(contenus / "contrat.yaml", '    departement: "062"\n', '    departement: "062"\n    zzz: 1\n')
    assert [p.split(" : ", 1)[1] for p in problems(annee)] == [
        "clé inconnue « zzz » ; clés possibles : nom, sigle, siren ou departement."
    ]


def test_unknown_element_of_the_strategy_is_refused(annee: Year, contenus: Path) -> None:
    edit(
        contenus / "programmation.yaml",
        'porteur: Ville, strategie: "10.1"',
        'porteur: Ville, strategie: "10.9"',
    )
    assert problems(annee) == [
        "contenus/2019/programmation.yaml, ligne 107, colonne 80 [actions › 25 › strategie] : l'élément « 10.9 » "
        "n'existe pas dans la stratégie de contrat.yaml ; valeurs possibles : 10.3, 10.2, 10.1, 10 ou 1.3."
    ]


def test_missing_required_key(annee: Year, contenus: Path) -> None:
    edit(contenus / "rapport.yaml", "date_arret: 2020-09-29", "")
    assert problems(annee) == [
        "contenus/2019/rapport.yaml, ligne 11, colonne 1 [date_arret] : la clé obligatoire « date_arret » manque ; ajoutez-la."
    ]


def test_a_value_outside_a_list_is_refused_with_the_choices_in_french(annee: Year, contenus: Path) -> None:
    edit(contenus / "avis.yaml", "      sens: prend acte", "      sens: favorabel")
    edit(contenus / "avis.yaml", "      sens: favorable", "      sens: inconnu")
    assert [p.split(" : ", 1)[1] for p in problems(annee)] == [
        "valeur « inconnu » inconnue ; valeurs possibles : favorable, défavorable, réservé, prend acte ou approuve.",
        "valeur « favorabel » inconnue ; valeurs possibles : favorable, défavorable, réservé, prend acte ou approuve"
        " ; vouliez-vous dire « favorable » ?",
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
    assert found[0].startswith("contenus/2019/chapitre2.yaml, ligne 76, colonne 29 ")
    assert found[0].endswith(message)


def test_amounts_may_be_a_declared_figure(annee: Year, contenus: Path) -> None:
    edit(contenus / "chapitre2.yaml", '"1 230 586 €"', '"{credits_cget}"')
    checked = verification.check(annee)  # valid; verifier then sees the sum is off
    assert any("totalisent" in str(w) and "montants de « Etat - CGET »" in str(w) for w in checked.warnings)


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
        "reconnus sont : contrat.yaml, rapport.yaml, programmation.yaml, feuille_de_route.yaml, protocole.yaml, avis.yaml, "
        "deliberation.yaml et chapitreN.yaml."
    ]


def test_unknown_porteur_when_a_list_of_porteurs_is_kept(annee: Year, contenus: Path) -> None:
    edit(
        contenus / "programmation.yaml",
        'commune: Auchel, porteur: Ville, strategie: "10.1"',
        'commune: Auchel, porteur: Vile, strategie: "10.1"',
    )
    assert problems(annee) == [
        "contenus/2019/programmation.yaml, ligne 107, colonne 62 [actions › 25 › porteur] : le porteur « Vile » "
        "n'est pas dans la liste « porteurs » du fichier ; vouliez-vous dire « Ville » ? (ou ajoutez-le à la liste)."
    ]
