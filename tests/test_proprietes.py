"""Property tests: whatever staff type, a build succeeds or stops with one of our French errors."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from assembleur.documents import derive, render
from assembleur.errors import AssembleurError
from assembleur.fabrication import verification
from assembleur.project import Year

from .aides import copy_project

FRENCH = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"))
texts = st.one_of(
    st.text(FRENCH, max_size=80),
    st.text(FRENCH, min_size=2000, max_size=5000),  # very long paragraphs
    st.sampled_from(
        ["**gras** *italique* 5^{ème}", "{credits_cget} et {inconnu}", "« guillemets » : oui ; non !", "", " "]
    ),
)
values = st.one_of(
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(FRENCH, max_size=20),
    st.sampled_from(["1 712 989 €", "1.712.989 €", "35,3 %", "12 k€", "-5 €", None, [], {}]),
)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    return yaml


def edit_yaml(path: Path, change) -> None:
    yaml = _yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    change(data)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    introduction=texts,
    titre=texts,
    montant=values,
    chiffre=values,
    date=st.one_of(st.dates(), st.text(FRENCH, max_size=20)),
    actions=st.integers(0, 130),
)
def test_any_content_builds_or_gives_our_error(introduction, titre, montant, chiffre, date, actions) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        copy_project(root)
        contenus = root / "contenus" / "2019"

        def rapport(data) -> None:
            data["introduction"]["contenu"][0]["paragraphe"] = introduction
            data["date_arret"] = date

        def programmation(data) -> None:
            data["actions"][0]["titre"] = titre
            data["chiffres"]["credits_cget"] = chiffre
            del data["actions"][actions:]

        edit_yaml(contenus / "rapport.yaml", rapport)
        edit_yaml(contenus / "programmation.yaml", programmation)
        text = (contenus / "chapitre2.yaml").read_text(encoding="utf-8")
        (contenus / "chapitre2.yaml").write_text(text.replace('"1 230 586 €"', repr(str(montant))), encoding="utf-8")
        try:
            checked = verification.check(Year(root, 2019))
            document = derive.build_document(checked.content)
            render.render_docx(document, root / "gabarits" / "rapport.docx", root / "r.docx", root)
        except AssembleurError as exc:
            assert exc.message and exc.exit_code in (1, 2)
