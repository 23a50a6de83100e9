"""The one module that talks to OCRmyPDF: a French text layer for the scanned avis.

OCR is slow, so results are cached by the scan's SHA-256: a rebuild does
not OCR again. The images of the scan are kept as they are (no optimisation,
plain PDF output); only an invisible text layer is added.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import OcrError
from ..files import atomic_output, ensure_folder, sha256

DEFAULT_TIMEOUT = 600.0
INSTALL_ADVICE = (
    "Installez OCRmyPDF et la langue française de Tesseract : sous Debian ou Ubuntu "
    "« sudo apt-get install ocrmypdf tesseract-ocr-fra » (la commande make dossier le fait)."
)


def _ocrmypdf() -> str:
    found = shutil.which("ocrmypdf")
    if not found:
        raise OcrError("L'option --ocr demande OCRmyPDF, introuvable sur cette machine.", INSTALL_ADVICE)
    tesseract = shutil.which("tesseract")
    languages = ""
    if tesseract:
        result = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=60)
        languages = result.stdout + result.stderr
    if "fra" not in languages.split():
        raise OcrError("L'option --ocr demande la langue française de Tesseract (fra), introuvable.", INSTALL_ADVICE)
    return found


def version() -> str:
    """OCRmyPDF's version, for the manifest."""
    found = shutil.which("ocrmypdf")
    if not found:
        return "absent"
    return subprocess.run([found, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()


def with_text_layer(scan: Path, cache: Path, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """The scan with a French text layer, from the cache when this scan was already read."""
    cached = cache / f"{sha256(scan)}.pdf"
    if cached.is_file() and _sidecar(cached).is_file():
        return cached
    program = _ocrmypdf()
    ensure_folder(cache)
    with atomic_output(_sidecar(cached)) as text, atomic_output(cached) as temporary:
        command = [
            program,
            "--sidecar",
            str(text),
            "--language",
            "fra",
            "--output-type",
            "pdf",
            "--optimize",
            "0",
            "--skip-text",
            "--quiet",
            str(scan),
            str(temporary),
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise OcrError(
                f"La reconnaissance de texte de {scan.name} dépasse {timeout:.0f} secondes.",
                "Relancez sans --ocr, ou vérifiez le scan.",
            ) from None
        if result.returncode != 0:
            detail = (result.stderr.strip().splitlines() or [f"code {result.returncode}"])[-1]
            raise OcrError(
                f"La reconnaissance de texte de {scan.name} a échoué ({detail}).",
                "Relancez avec --debug pour le détail, ou sans --ocr.",
            )
    return cached


def _sidecar(cached: Path) -> Path:
    return cached.with_suffix(".txt")


def recognised_text(cached: Path) -> str:
    """The text OCR recognised in a scan returned by :func:`with_text_layer`, pages separated by blank lines."""
    sidecar = _sidecar(cached)
    if not sidecar.is_file():
        return ""
    pages = sidecar.read_text(encoding="utf-8", errors="replace").split("\f")
    # a page that had text already is skipped by OCRmyPDF, which says so in the sidecar
    kept = [" ".join(page.split()) for page in pages if not page.strip().startswith("[OCR skipped")]
    return "\n\n".join(page for page in kept if page)
