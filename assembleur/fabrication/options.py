"""What the user asked a build for (a light module: the command line reads it before any heavy import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..pdf.actes import DEFAULT_LIMIT_MIB
from . import versions


@dataclass(frozen=True)
class BuildOptions:
    """The options of ``rapport`` and ``dossier``."""

    version: str = versions.PROJET
    sans_avis: tuple[str, ...] = ()  # bodies whose missing avis the collectivité accepts for a définitif
    remplacer: bool = False
    actes: bool = False
    limite_actes_mio: float = DEFAULT_LIMIT_MIB
    ocr: bool = False
    pdfa: bool = False
    apercu: bool = False  # watch mode: one preview, replaced at each save, instead of numbered drafts
    gabarits: Path | None = None  # the template folder; by default the project's gabarits/

    def as_manifest(self) -> dict[str, Any]:
        """The options as the manifest records them (and as the fingerprint of a build covers them)."""
        return {
            "version": self.version,
            "sans_avis": list(self.sans_avis),
            "actes": self.actes,
            "limite_actes_mio": self.limite_actes_mio,
            "ocr": self.ocr,
            "pdfa": self.pdfa,
            "gabarits": str(self.gabarits) if self.gabarits else None,
        }

    def record(self, command: str, **extra: Any) -> dict[str, Any]:
        """What a build of ``command`` writes in its manifest under « options »."""
        return {"commande": command, **extra, **self.as_manifest()}
