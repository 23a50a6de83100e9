"""Hostile inputs: each is refused by a real process within a deadline, with exit 1, the file named, nothing written.

The corpus is generated here, small: YAML bombs and oversized content, zip
bombs as templates, PDFs with enormous pages or images or with looping
structures, absurd manifests. Each case puts one hostile file into a copy of
the project and runs ``assembleur verifier 2019`` (or ``dossier 2019``, the
command that hung) in its own process, killed if it passes the deadline.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from assembleur import limites

# Far beyond what any of these should take (a fraction of a second, plus the interpreter's start), far below a hang.
DEADLINE = 30
SCAN = "annexes/2019/avis-marles-les-mines-2020-11-18.pdf"  # a scan that avis.yaml lists

BILLION_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['lol'] * 9)}]\n"
    for previous, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assembleur", *args], cwd=root, capture_output=True, text=True, timeout=DEADLINE
    )


def append(relative: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / relative
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return change


def replace(relative: str, content: Callable[[], bytes], remove: str = "") -> Callable[[Path], None]:
    def change(root: Path) -> None:
        if remove:
            (root / remove).unlink()
        (root / relative).write_bytes(content())

    return change


def zip_bomb(inner: str, megabytes: int) -> Callable[[], bytes]:
    """A template whose main part expands to ``megabytes`` of zeros (a few tens of Ko once packed)."""

    def make() -> bytes:
        import io

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            with archive.open(inner, "w", force_zip64=True) as part:
                block = b"\0" * (1 << 20)
                for _ in range(megabytes):
                    part.write(block)
        return buffer.getvalue()

    return make


def entity_bomb(root: Path) -> None:
    """An XML « billion laughs » inside the Word template's document.xml: ten entities of ten of the previous."""
    path = root / "gabarits/rapport.docx"
    with zipfile.ZipFile(path) as archive:
        parts = {entry.filename: archive.read(entry.filename) for entry in archive.infolist()}
    declaration, _, rest = parts["word/document.xml"].decode().partition("?>")
    entities = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY {name} "{f"&{previous};" * 10}">' for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    rest = rest.replace("<w:body>", "<w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p>", 1)
    parts["word/document.xml"] = f"{declaration}?><!DOCTYPE w:document [{entities}]>{rest}".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def raw_pdf(objects: dict[int, bytes]) -> Callable[[], bytes]:
    """A PDF written object by object (object 1 the catalog), with its cross-reference table."""

    def make() -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = {}
        for number in sorted(objects):
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
        size = max(objects) + 1
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            out += b"%010d 00000 n \n" % offsets[number] if number in objects else b"0000000000 65535 f \n"
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
        return bytes(out)

    return make


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
CONTENT = b"<< /Length 0 >>\nstream\n\nendstream"
IMAGE_PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
    b" /Resources << /XObject << /Im0 5 0 R >> >> >>"
)
HUGE_IMAGE = (
    b"<< /Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceGray"
    b" /BitsPerComponent 8 /Length 0 >>\nstream\n\nendstream"
)


def nested_page(depth: int) -> bytes:
    return b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Truc %s%s >>" % (
        b"[" * depth,
        b"]" * depth,
    )


CLASSIFICATION = "annexes/2019/prefecture.xml"
XML_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "lollollollollollollollollollol">'
    + "".join(f'<!ENTITY {n} "{f"&{p};" * 10}">' for p, n in zip("abcdefgh", "bcdefghi", strict=True))
    + ']><r xmlns="http://www.interieur.gouv.fr/ACTES#v1.1-20040216">&i;</r>'
)


def classification(data: Callable[[], bytes]) -> Callable[[Path], None]:
    """The Préfecture's classification file named in deliberation.yaml is ``data``."""

    def change(root: Path) -> None:
        (root / CLASSIFICATION).write_bytes(data())
        libelle = "  libelle: Politique de la ville – habitat – logement\n"
        path = root / "contenus/2019/deliberation.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(libelle, f"{libelle}  fichier: prefecture.xml\n"))

    return change


CASES = {
    # the Préfecture's classification file (XML): entities, size
    "classification-entities": (
        classification(lambda: XML_LAUGHS.encode()),  # libxml2 itself refuses to expand them
        f"{CLASSIFICATION}, ligne 1 : le fichier de classification n'est pas un XML lisible",
    ),
    "classification-external-entity": (
        classification(lambda: b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "/dev/zero">]><r>&x;</r>'),
        f"{CLASSIFICATION} : le fichier de classification déclare un DOCTYPE",
    ),
    "classification-huge": (
        classification(lambda: b"<r>" + b"<a/>" * (limites.MAX_CLASSIFICATION_BYTES // 4) + b"</r>"),
        f"{CLASSIFICATION} : le fichier de classification pèse 5,0 Mo, bien plus qu'une classification (au plus 5 Mo)",
    ),
    # YAML bombs and oversized content: content files
    "billion-laughs": (append("contenus/2019/rapport.yaml", BILLION_LAUGHS), "contenus/2019/rapport.yaml, ligne"),
    "billion-laughs-round-trip": (
        append("contenus/2019/chapitre1.yaml", 'onglet: "a\tb"\n' + BILLION_LAUGHS),  # a tab: the pure-Python path
        "contenus/2019/chapitre1.yaml, ligne",
    ),
    "huge-file": (
        append("contenus/2019/rapport.yaml", "# commentaire répété\n" * (limites.MAX_CONTENT_BYTES // 20)),
        "contenus/2019/rapport.yaml : le fichier pèse plus de",
    ),
    "deep-nesting": (
        append("contenus/2019/rapport.yaml", "profond: " + "[" * 100_000 + "]" * 100_000 + "\n"),
        "contenus/2019/rapport.yaml, ligne",
    ),
    "deep-block-nesting": (
        append("contenus/2019/rapport.yaml", "".join(f"{' ' * level}n{level}:\n" for level in range(300)) + "x: 1\n"),
        "contenus/2019/rapport.yaml, ligne",
    ),
    "many-items": (
        append("contenus/2019/programmation.yaml", "liste:\n" + "- a\n" * (limites.MAX_CONTENT_ITEMS + 1)),
        "contenus/2019/programmation.yaml, ligne",
    ),
    "long-text": (
        append("contenus/2019/rapport.yaml", f'long: "{"bla " * limites.MAX_TEXT_CHARS}"\n'),
        "contenus/2019/rapport.yaml, ligne",
    ),
    # zip bombs as templates
    "zip-bomb-docx": (replace("gabarits/rapport.docx", zip_bomb("word/document.xml", 400)), "gabarits/rapport.docx"),
    "zip-bomb-ratio-docx": (
        replace("gabarits/annexe.docx", zip_bomb("word/document.xml", 30)),
        "gabarits/annexe.docx se décompresse en 30 Mio",
    ),
    "zip-bomb-odt": (
        replace("gabarits/rapport.odt", zip_bomb("content.xml", 400), remove="gabarits/rapport.docx"),
        "gabarits/rapport.odt se décompresse en 400 Mio",
    ),
    "xml-entity-bomb": (entity_bomb, "gabarits/rapport.docx ne peut pas être lu comme un document Word"),
    # scans
    "enormous-page": (
        replace(SCAN, raw_pdf({1: CATALOG, 2: PAGES, 3: PAGE.replace(b"595 842", b"100000 100000"), 4: CONTENT})),
        f"{SCAN} : le PDF de l'avis de « Marles-les-Mines » est démesuré",
    ),
    "enormous-image": (
        replace(SCAN, raw_pdf({1: CATALOG, 2: PAGES, 3: IMAGE_PAGE, 4: CONTENT, 5: HUGE_IMAGE})),
        f"{SCAN} : le PDF de l'avis de « Marles-les-Mines » est démesuré",
    ),
    "cyclic-page-tree": (
        replace(
            SCAN,
            raw_pdf({1: CATALOG, 2: b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>", 3: PAGE, 4: CONTENT}),
        ),
        "structure anormale (son arbre des pages revient sur lui-même, en boucle)",
    ),
    "cyclic-parents": (
        replace(
            SCAN,
            raw_pdf(
                {
                    1: CATALOG,
                    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 5 0 R >>",
                    3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
                    4: CONTENT,
                    5: b"<< /Type /Pages /Parent 2 0 R /Kids [] /MediaBox [0 0 595 842] >>",
                }
            ),
        ),
        "structure anormale (ses pages se donnent l'une l'autre pour parente, en boucle)",
    ),
    "cyclic-outline": (
        replace(
            SCAN,
            raw_pdf(
                {
                    1: b"<< /Type /Catalog /Pages 2 0 R /Outlines 5 0 R >>",
                    2: PAGES,
                    3: PAGE,
                    4: CONTENT,
                    5: b"<< /Type /Outlines /First 6 0 R /Last 7 0 R /Count 2 >>",
                    6: b"<< /Title (a) /Parent 5 0 R /Next 7 0 R /Dest [3 0 R /Fit] >>",
                    7: b"<< /Title (b) /Parent 5 0 R /Next 6 0 R /Prev 6 0 R /Dest [3 0 R /Fit] >>",
                }
            ),
        ),
        "structure anormale (ses signets renvoient les uns aux autres, en boucle)",
    ),
    "nested-arrays": (
        replace(SCAN, raw_pdf({1: CATALOG, 2: PAGES, 3: nested_page(400), 4: CONTENT})),
        f"structure anormale (des tableaux s'imbriquent sur plus de {limites.MAX_PDF_DEPTH} niveaux)",
    ),
    "absurdly-nested-arrays": (  # deeper than pypdf's parser goes: damaged
        replace(SCAN, raw_pdf({1: CATALOG, 2: PAGES, 3: nested_page(100_000), 4: CONTENT})),
        f"{SCAN} : le PDF de l'avis de « Marles-les-Mines » est endommagé",
    ),
    "cyclic-references": (
        replace(
            SCAN,
            raw_pdf(
                {1: b"<< /Type /Catalog /Pages 2 0 R /Truc 5 0 R >>", 2: PAGES, 3: PAGE, 4: CONTENT}
                | {5: b"6 0 R", 6: b"5 0 R"}
            ),
        ),
        f"{SCAN} : le PDF de l'avis de « Marles-les-Mines » est endommagé",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_file_is_refused_in_time_naming_it(projet: Path, case: str) -> None:
    change, expected = CASES[case]
    change(projet)
    result = run(projet, "verifier", "2019")
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not (projet / "sortie").exists()


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", ["billion-laughs", "zip-bomb-docx", "enormous-image", "cyclic-page-tree"])
def test_a_build_refuses_them_as_well_and_writes_nothing(projet: Path, case: str) -> None:
    """« dossier » is the command the ten-line alias document held for more than ten minutes."""
    change, expected = CASES[case]
    change(projet)
    result = run(projet, "dossier", "2019")
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr
    assert not (projet / "sortie").exists()


def test_the_ten_line_alias_document_is_named_with_its_line(projet: Path) -> None:
    lines = (projet / "contenus/2019/rapport.yaml").read_text(encoding="utf-8").count("\n")
    append("contenus/2019/rapport.yaml", BILLION_LAUGHS)(projet)
    result = run(projet, "verifier", "2019")
    assert result.returncode == 1
    assert result.stderr.splitlines()[1] == (
        f"- contenus/2019/rapport.yaml, ligne {lines + 1}, colonne 4 : « &a » est une ancre YAML : les ancres et "
        "renvois (« & », « * ») ne sont pas acceptés dans les contenus ; recopiez le texte à chaque endroit voulu, "
        "ou mettez entre guillemets un texte qui commence par « & » ou « * »."
    )


MANIFESTS = {
    "huge": (lambda: b" " * (limites.MAX_MANIFEST_BYTES + 1), "ce fichier pèse plus de"),
    "deeply-nested": (
        lambda: b"[" * 1_000_000 + b"]" * 1_000_000,
        "ce fichier n'est pas un manifeste d'assembleur lisible",
    ),
    "not-a-list": (
        lambda: json.dumps({"sorties": [3]}).encode(),
        "ce fichier n'est pas un manifeste d'assembleur lisible",
    ),
    "outside": (
        lambda: json.dumps({"sorties": [{"fichier": "/dev/zero", "sha256": "0"}]}).encode(),
        "« /dev/zero » n'est pas un fichier du dossier du manifeste.",
    ),
}


@pytest.mark.parametrize("case", MANIFESTS)
def test_a_hostile_manifest_is_refused_in_time_naming_it(projet: Path, case: str) -> None:
    content, expected = MANIFESTS[case]
    (projet / "manifeste.json").write_bytes(content())
    result = run(projet, "verifier", "2019", "--manifeste", "manifeste.json")
    assert result.returncode == 1, result.stderr
    assert f"- manifeste.json : {expected}" in result.stderr
    if case != "outside":  # not a manifest at all: the advice says which file to give, not that files changed
        assert result.stderr.startswith("Erreur : 1 erreur dans le manifeste :")
        assert "Donnez le manifeste qu'assembleur a écrit" in result.stderr
    assert "Traceback" not in result.stderr
