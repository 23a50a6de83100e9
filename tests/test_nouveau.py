"""A new year started from the last: comments and stable content kept, the rest marked to fill."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from assembleur.contenus.model import TO_FILL


def load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def test_nouveau_makes_an_incomplete_year_that_verifier_lists_file_by_file(projet: Path, cli) -> None:
    before = {p.name: p.read_bytes() for p in (projet / "contenus/2019").iterdir()}
    result = cli("nouveau", "2020")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"contenus/2020/{name}" for name in sorted(before)]
    assert (projet / "annexes/2020").is_dir()
    assert {p.name: p.read_bytes() for p in (projet / "contenus/2019").iterdir()} == before  # 2019 untouched

    check = cli("verifier", "2020")
    assert check.exit_code == 1
    lines = check.stderr.splitlines()
    assert lines[0].startswith("Erreur : ") and lines[0].endswith(" erreurs dans les contenus :")
    pending = [line for line in lines if "à compléter : remplacez « À COMPLÉTER » par ce qui doit figurer ici." in line]
    assert len(pending) == len(lines) - 2  # nothing but values to fill
    files = {line.split(",")[0].removeprefix("- ") for line in pending}
    assert files == {
        "contenus/2020/rapport.yaml",
        "contenus/2020/programmation.yaml",
        "contenus/2020/chapitre2.yaml",
        "contenus/2020/chapitre3.yaml",
    }
    assert all(", ligne " in line for line in pending)


def test_comments_and_stable_content_are_kept(projet: Path, cli) -> None:
    assert cli("nouveau", "2020").exit_code == 0
    old, new = projet / "contenus/2019", projet / "contenus/2020"
    rapport = (new / "rapport.yaml").read_text(encoding="utf-8")
    assert rapport.splitlines()[0] == "# yaml-language-server: $schema=../../schemas/rapport.schema.json"
    assert "# Rapport 2019 : informations générales du rapport sur la Politique de la Ville." in rapport
    for stable in ("contrat.yaml", "chapitre1.yaml", "feuille_de_route.yaml", "protocole.yaml"):
        assert load(new / stable) == load(old / stable)
    programmation = load(new / "programmation.yaml")
    assert programmation["actions"] == [
        dict.fromkeys(("titre", "strategie", "commune", "porteur", "thematique"), TO_FILL)
    ]
    assert set(programmation["chiffres"].values()) == {TO_FILL}
    avis = load(new / "avis.yaml")
    assert [o["nom"] for o in avis["organismes"]] == [o["nom"] for o in load(old / "avis.yaml")["organismes"]]
    assert not any("avis" in o for o in avis["organismes"])


def test_dates_and_headings_move_on_a_year(projet: Path, cli) -> None:
    assert cli("nouveau", "2020").exit_code == 0
    rapport = load(projet / "contenus/2020/rapport.yaml")
    assert rapport["annee"] == 2020 and str(rapport["date_arret"]) == "2021-09-29"
    assert load(projet / "contenus/2020/chapitre2.yaml")["titre"] == "La programmation 2020 et les programmes connexes"
    text = (projet / "contenus/2020/chapitre3.yaml").read_text(encoding="utf-8")
    assert "# 2019 : " in text  # the previous year's paragraph, kept as a comment above its mark


def test_nouveau_never_overwrites_a_year(projet: Path, cli) -> None:
    result = cli("nouveau", "2019")
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : L'année 2019 existe déjà (contenus/2019/) : elle n'est jamais écrasée.\n"
        "Modifiez ses fichiers, ou choisissez une autre année.\n"
    )


def test_nouveau_needs_a_model_year(projet: Path, cli) -> None:
    result = cli("nouveau", "2018")
    assert result.exit_code == 1
    assert "Aucune année antérieure à 2018" in result.stderr


def test_nouveau_keeps_the_layout_of_the_files_it_rewrites(projet: Path, cli) -> None:
    assert cli("nouveau", "2020").exit_code == 0
    old, new = projet / "contenus" / "2019", projet / "contenus" / "2020"
    # nothing of the year in it (no signed act yet): the same bytes, not a re-indented copy
    assert (new / "deliberation.yaml").read_bytes() == (old / "deliberation.yaml").read_bytes()
    avis = (new / "avis.yaml").read_text(encoding="utf-8")
    assert "\n  - nom: Auchel\n    type: commune\n" in avis  # lists stay indented under their key
    long_lines = [
        line
        for name in ("rapport.yaml", "chapitre2.yaml")
        for line in (old / name).read_text(encoding="utf-8").splitlines()
        if len(line) > 100 and not line.lstrip().startswith("#")
    ]
    written = "\n".join((new / name).read_text(encoding="utf-8") for name in ("rapport.yaml", "chapitre2.yaml"))
    assert [line for line in long_lines if line in written.splitlines()]  # a long line is never re-wrapped


def test_a_year_that_cannot_be_copied_whole_leaves_nothing_behind(projet: Path, cli) -> None:
    """A broken file met halfway: the files already written are removed, and the new year's folder with them."""
    (projet / "contenus/2019/rapport.yaml").write_text("titre: [pas fermé\n", encoding="utf-8")  # after avis, chapitre…
    result = cli("nouveau", "2020")
    assert result.exit_code == 1
    assert "contenus/2019/rapport.yaml" in result.stderr
    assert not (projet / "contenus/2020").exists()
