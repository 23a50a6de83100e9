"""What several test modules share: the frozen project and its copies, edits, scans, PDF checks.

Plain functions and constants, imported by the tests and by ``conftest.py`` (which keeps
the fixtures); no test module imports another.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject

from assembleur.pdf import finish
from assembleur.project import Year

REPO = Path(__file__).resolve().parent.parent


PROJET_FIGE = Path(__file__).resolve().parent / "projet-fige"  # the tests' own project: 2019, frozen


DATA = Path(__file__).resolve().parent / "donnees"


def copy_project(target: Path) -> Path:
    """A copy of the tests' frozen project (contents, templates, scans) in ``target``."""
    for folder in ("contenus", "gabarits", "gabarits-odt", "annexes"):
        shutil.copytree(PROJET_FIGE / folder, target / folder)
    return target


def send_projet(contenus: Path, envoi: str = "2020-10-01") -> None:
    """Record in avis.yaml the day the projet was sent (the 2019 dossier does not say it)."""
    edit(contenus / "avis.yaml", "consultation:\n", f"consultation:\n  envoi: {envoi}\n")


def signed_scan(text: str = "Deliberation n. 2020_245 du 15/12/2020") -> bytes:
    """A one-page scan (JPEG, A4 at 150 dpi) of a signed act, as a scanner sends it."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("L", (1240, 1754), 255)
    ImageDraw.Draw(image).text((120, 160), text, fill=0)
    data = io.BytesIO()
    image.save(data, "JPEG", dpi=(150, 150))
    return data.getvalue()


def sign_deliberation(root: Path, numero: str = "2020_245", seance: str = "15/12/2020") -> Path:
    """Register the conseil communautaire's signed délibération of 2019 (a définitif @ctes package needs it)."""
    from assembleur.contenus import acte

    return acte.register_deliberation(Year(root, 2019), signed_scan(), numero, seance).scan


ACTES_DATA = DATA / "actes"  # the ACTES schemas (from SICTIAM/stela) and a sample classification file
CLASSIFICATION = "classification-exemple.xml"


def classify(root: Path, data: bytes | None = None) -> Path:
    """File the Préfecture's classification (the sample, or ``data``) in annexes/2019/ and name it in deliberation.yaml."""
    target = root / "annexes" / "2019" / CLASSIFICATION
    target.write_bytes((ACTES_DATA / CLASSIFICATION).read_bytes() if data is None else data)
    libelle = "  libelle: Politique de la ville – habitat – logement\n"
    edit(root / "contenus" / "2019" / "deliberation.yaml", libelle, f"{libelle}  fichier: {CLASSIFICATION}\n")
    return target


def actes_schema():
    """The ACTES schema (actesv1_1.xsd, with siret.xsd and insee-commun.xsd beside it), compiled by lxml."""
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(ACTES_DATA / "actesv1_1.xsd")))


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there once) by ``new`` in a content file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} apparaît {text.count(old)} fois dans {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def blank_pdf(path: Path, pages: int = 1) -> Path:
    """A PDF of ``pages`` blank A4 pages at ``path``."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def scan_pdf(path: Path, size: tuple[int, int] = (1240, 1754), pages: int = 1, rotate: int = 0) -> Path:
    """A scanner-like PDF: one grayscale JPEG per page, no text, at 150 dpi."""
    images = [Image.new("L", size, 200 + index) for index in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=150, save_all=True, append_images=images[1:], quality=50)
    if rotate:
        reader = PdfReader(io.BytesIO(buffer.getvalue()))
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page).rotate(rotate)
        buffer = io.BytesIO()
        writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def noise_scan(path: Path, pages: int) -> Path:
    """A scan whose JPEG pages do not compress: about 1.5 MB of image data per page."""
    import random

    generator = random.Random(pages)
    images = [Image.frombytes("L", (1240, 1754), generator.randbytes(1240 * 1754)) for _ in range(pages)]
    images[0].save(path, "PDF", resolution=150, save_all=True, append_images=images[1:], quality=90)
    return path


# run in a process of its own: qpdf's memory is not Python's (tracemalloc would not see it)
_ASSEMBLY_MEMORY = """
import datetime as dt, json, resource, sys
from pathlib import Path
from assembleur.pdf import assemble, finish
scans, output = [Path(p) for p in json.loads(sys.argv[1])], Path(sys.argv[2])
parts = [assemble.Part(f"Avis {n}", scan, fit_to_a4=True, alt=f"Avis {n}") for n, scan in enumerate(scans)]
metadata = finish.Metadata("Titre", "Auteur", "Sujet", "mots", dt.date(2020, 9, 29))
finish.outlines("PROJET")  # the letters' outlines are read once per process
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assemble.assemble(parts, output, metadata, watermark=True, note="version projet v1")
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def assembly_memory(scans: list[Path], output: Path) -> int:
    """How much a process's peak memory grows (bytes) while it assembles ``scans`` (watermarked) into ``output``."""
    arguments = [sys.executable, "-c", _ASSEMBLY_MEMORY, json.dumps([str(scan) for scan in scans]), str(output)]
    return int(subprocess.run(arguments, capture_output=True, text=True, check=True, cwd=REPO).stdout)


def elements(node: DictionaryObject) -> list[DictionaryObject]:
    """Every structure element under ``node``, in document order."""
    found = []
    kids = node.get("/K")
    kids = [] if kids is None else kids.get_object()
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, DictionaryObject) and kid.get("/Type", "/StructElem") == "/StructElem" and "/S" in kid:
            found.append(kid)
            found += elements(kid)
    return found


def says(page, text: str) -> bool:
    """Whether ``page`` draws ``text`` in the letters of the watermark (drawn as outlines, not as text)."""
    content = " ".join(page.get_contents().get_data().decode("latin-1").split())
    return " ".join(finish.outlines(text)[0].split()) in content


PARTS = [  # the generated (tagged) parts of the 2019 projet dossier, in its order
    "rapport-politique-de-la-ville-2019-projet-v1.pdf",
    "annexe-1-grille-des-actions-2019.pdf",
    "annexe-2-protocole-2019.pdf",
    "avis-synthese-2019.pdf",
    "intercalaire-conseil-citoyen-2019.pdf",
    "intercalaire-commune-2019.pdf",
]


def edit_template(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) once in the body of a Word template."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            if info.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), 1)
            archive.writestr(info, data)


def assert_pdfa_2b(path: Path) -> tuple[PdfReader, str]:
    """Check that ``path`` claims PDF/A-2b and has what it takes: output intent, every font embedded.

    Returns the PDF read back and its XMP metadata, for the checks proper to each test.
    """
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>" in xmp
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # every font embedded
    return reader, xmp
