"""Page images of a PDF for the atelier's preview, made by pdftoppm (poppler-utils): the only module that calls it."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

from ..errors import ConversionError, EnvironmentProblem

TIMEOUT = 60  # seconds for one page at preview resolution: far more than a real page takes


def page_png(pdf: Path, number: int, target: Path, resolution: int = 60, timeout: float = TIMEOUT) -> Path:
    """Write page ``number`` (from 1) of ``pdf`` as a PNG at ``target`` (atomically); return ``target``."""
    # two requests for the same page at once: each writes its own file, then one replaces the other
    stem = target.with_name(f".{target.stem}-{os.getpid()}-{threading.get_ident()}")
    command = ["pdftoppm", "-f", str(number), "-l", str(number), "-r", str(resolution), "-png", "-singlefile"]
    try:
        subprocess.run([*command, str(pdf), str(stem)], check=True, capture_output=True, timeout=timeout)
    except FileNotFoundError as exc:
        raise EnvironmentProblem(
            "Le programme pdftoppm est introuvable : l'aperçu des pages ne peut pas être affiché.",
            "Installez le paquet poppler-utils (sudo apt install poppler-utils), puis rechargez la page.",
        ) from exc
    except subprocess.TimeoutExpired as exc:
        stem.with_suffix(".png").unlink(missing_ok=True)
        raise ConversionError(
            f"L'image de la page {number} de {pdf.name} n'a pas été faite en {timeout:g} secondes.",
            "Rechargez la page ; si cela se reproduit, refaites le dossier.",
        ) from exc
    except subprocess.CalledProcessError as exc:
        stem.with_suffix(".png").unlink(missing_ok=True)
        detail = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] if exc.stderr else []
        raise ConversionError(
            f"L'image de la page {number} de {pdf.name} n'a pas pu être faite"
            + (f" (pdftoppm : {detail[0]})." if detail else "."),
            "Le fichier est peut-être en cours d'écriture ou abîmé : rechargez la page, ou refaites le dossier.",
        ) from exc
    stem.with_suffix(".png").replace(target)
    return target
