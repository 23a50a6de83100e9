"""What the atelier's pages show: the checks of ``verifier``, the consultation, the versions built, the preview.

Read from the project's files with the same functions as the command line.
The checks are redone only when a content file, a template or a scan has
changed (their modification times), so that a page answers at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contenus import consultation, load
from ..errors import AssembleurError, Problem, ProblemsError
from ..fabrication import freshness, manifest, verification, versions
from ..pdf import apercu
from ..project import CACHE_FOLDER, Year


@dataclass
class Verification:
    """The result of ``verifier`` and the consultation, for one state of the files."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    summary: str = ""
    statuts: list[consultation.Statut] = field(default_factory=list)
    envoi: str = ""  # the sentence about the date the projet was sent
    consulted: bool = True  # the year has an avis.yaml


def stamps(year: Year) -> tuple[tuple[str, int], ...]:
    """The modification times of every input of the year: the key of the cached checks."""
    files = {}
    for path in freshness.input_files(year, year.templates):  # the inputs a rebuild sees: a scan may be AVIS.PDF
        try:
            files[path] = path.stat().st_mtime_ns
        except FileNotFoundError:
            continue
    return tuple(sorted((str(path), stamp) for path, stamp in files.items()))


def _problems(exc: AssembleurError) -> list[Problem]:
    if isinstance(exc, ProblemsError):
        return list(exc.problems)
    return [Problem(None, exc.message)]


def verify(year: Year) -> Verification:
    """Run the checks of ``assembleur verifier`` (:func:`verification.verify`, all) and read the consultation."""
    result = Verification()
    errors: list[AssembleurError] = []
    try:
        checked, scans, result.warnings = verification.verify(year, errors=errors)
    except AssembleurError as exc:
        result.errors = _problems(exc)
        result.consulted = (year.contents / "avis.yaml").is_file()
        return result
    for error in errors:
        result.errors += _problems(error)
    result.summary = verification.summary(year, checked, scans)
    content = checked.content
    if content.avis is None:
        result.consulted = False
        return result
    result.statuts = verification.statuts(checked)
    result.envoi = consultation.sending(content.avis.consultation)
    return result


class CachedChecks:
    """:func:`verify`, redone only when an input file changed (or a day passed: days left change)."""

    def __init__(self, year: Year) -> None:
        self.year = year
        self._key: Any = None
        self._value: Verification | None = None
        self._lock = threading.Lock()

    def get(self) -> Verification:
        with self._lock:
            key = (stamps(self.year), consultation.today())
            if key != self._key or self._value is None:
                self._value = verify(self.year)
                self._key = key
            return self._value

    def keep_fresh(self, stopping: threading.Event, busy: Callable[[], bool], interval: float = 0.3) -> None:
        """Redo the checks in the background once files have changed, so that pages find them done.

        They wait while a build runs (``busy``): the preview rebuilt after a
        save comes first, and both would share the same interpreter.
        """

        def loop() -> None:
            seen = None
            while not stopping.wait(interval):
                now = (stamps(self.year), consultation.today())
                settled, seen = now == seen, now
                if now == self._key or not settled or busy():
                    continue
                try:
                    self.get()
                except Exception:  # a file caught half-written: the next round, or the page, will say it
                    continue

        threading.Thread(target=loop, name="verification", daemon=True).start()


def pending_organismes(year: Year) -> list[str]:
    """The names of the bodies whose avis is not recorded yet, read from avis.yaml even if the year has errors."""
    path = year.contents / "avis.yaml"
    if not path.is_file():
        return []
    try:
        data = load.load_file(path, year.shown(path)).data
    except AssembleurError:
        return []
    organismes = data.get("organismes") if isinstance(data, dict) else None
    return [
        str(o["nom"])
        for o in organismes or []
        if isinstance(o, dict) and o.get("nom") is not None and o.get("avis") is None
    ]


@dataclass
class Version:
    """One build found in ``sortie/<année>/``: its label and its files, relative to the output folder."""

    label: str
    title: str
    files: list[str]
    actes: str = ""  # the @ctes folder, relative, when the build made one
    mtime: float = 0.0


def version_title(label: str) -> str:
    if label == versions.DEFINITIF:
        return "Version définitive"
    if label == versions.APERCU:
        return "Aperçu (refait à chaque enregistrement d'un contenu)"
    return label.replace("projet-v", "Version projet v")


def built_versions(year: Year) -> list[Version]:
    """The builds of the year, newest first, read from their manifests."""
    folder = year.outputs
    found: list[Version] = []
    for built in reversed(versions.built(folder, year.annee)):
        document = manifest.read(built.manifest) if built.manifest.is_file() else None
        if document is None:
            continue
        label = built.label
        files = [
            name
            for name in (str(entry["fichier"]) for entry in document["sorties"])
            if Path(name).suffix in (".pdf", ".docx", ".odt") and not name.startswith(f"actes-{label}/")
        ]
        files = [name for name in files if (folder / name).is_file()]
        files.sort(key=lambda name: not name.startswith("dossier-"))  # the dossier first, then as built
        actes = versions.file_names(year.annee, label)["actes"]
        actes = actes if (folder / actes).is_dir() else ""
        found.append(Version(label, version_title(label), files, actes, built.written / 1e9))
    return found


def comparisons(year: Year) -> list[str]:
    """The comparison files ``comparaison-*.docx`` made by ``assembleur comparer``, newest first."""
    folder = year.outputs
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("comparaison-*.docx"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [path.name for path in files]


def latest_dossier(year: Year) -> Path | None:
    """The most recently written dossier PDF of the year (projet, définitif or aperçu)."""
    folder = year.outputs
    if not folder.is_dir():
        return None
    dossiers = [p for p in folder.glob(f"{versions.DOSSIER}-{year.annee}-*.pdf") if p.is_file()]
    return max(dossiers, key=lambda p: p.stat().st_mtime_ns, default=None)


@dataclass
class Bookmark:
    title: str
    page: int  # from 1
    children: list[Bookmark] = field(default_factory=list)


@dataclass
class Preview:
    """The latest dossier: its name, its pages and its bookmarks."""

    path: Path
    key: str  # changes whenever the file does
    pages: int
    bookmarks: list[Bookmark]
    width: int  # of the first page, in points
    height: int


class CachedPreview:
    """The outline of the latest dossier, read once per version of the file."""

    def __init__(self, year: Year) -> None:
        self.year = year
        self._cache: dict[str, Preview] = {}
        self._lock = threading.Lock()

    def get(self) -> Preview | None:
        path = latest_dossier(self.year)
        if path is None:
            return None
        stat = path.stat()
        key = f"{path.name}-{stat.st_mtime_ns}-{stat.st_size}"
        with self._lock:
            if key not in self._cache:
                self._cache.clear()
                self._cache[key] = _read_preview(path, key)
            return self._cache[key]

    def page_image(self, preview: Preview, number: int) -> Path:
        """The PNG of page ``number`` (made on first request, then kept); ConversionError, EnvironmentProblem."""
        folder = self.year.root / CACHE_FOLDER / "atelier" / preview.key
        target = folder / f"page-{number}.png"
        if not target.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            apercu.page_png(preview.path, number, target)
        return target


def _read_preview(path: Path, key: str) -> Preview:
    from pypdf import PdfReader

    reader = PdfReader(path)

    def walk(items: list[Any]) -> list[Bookmark]:
        marks: list[Bookmark] = []
        for item in items:
            if isinstance(item, list):
                if marks:
                    marks[-1].children = walk(item)
                continue
            try:
                page = reader.get_destination_page_number(item) + 1
            except Exception:  # a bookmark without a page: shown, pointing at the first page
                page = 1
            marks.append(Bookmark(str(item.title), page))
        return marks

    first = reader.pages[0].mediabox if reader.pages else None
    return Preview(
        path,
        key,
        len(reader.pages),
        walk(reader.outline),
        int(first.width) if first else 595,
        int(first.height) if first else 842,
    )
