# Les deux commandes d'installation : `make dossier` et `make test`.
# Elles installent ce qui manque (paquets Debian, environnement Python) puis travaillent.
VENV    := .venv
PY      := $(VENV)/bin/python
ANNEE   ?= 2019
APT_PKGS := libreoffice-writer-nogui python3-uno fonts-dejavu fonts-liberation2 fonts-crosextra-carlito qpdf poppler-utils \
            ocrmypdf tesseract-ocr-fra

.PHONY: dossier rapport test bench lint systeme navigateur clean

dossier: $(VENV)/.installe systeme
	$(VENV)/bin/assembleur dossier $(ANNEE)

rapport: dossier

test: $(VENV)/.installe systeme navigateur
	$(PY) -m pytest
	$(VENV)/bin/ruff check assembleur tests outils

# Mesures de vitesse et de mémoire (quelques minutes) ; voir « Performances » dans docs/developpeurs.md.
bench: $(VENV)/.installe systeme
	$(PY) outils/bench.py

lint: $(VENV)/.installe
	$(VENV)/bin/ruff check assembleur tests outils

# LibreOffice, ses liaisons Python (UNO), les polices, qpdf, poppler, OCRmyPDF et le français de Tesseract,
# depuis les paquets Debian, seulement s'ils manquent (sur Windows ou macOS : installer LibreOffice soi-même).
systeme:
	@if ! command -v soffice >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import uno' >/dev/null 2>&1 \
	   || ! command -v qpdf >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
	   || ! command -v ocrmypdf >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx fra; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "Installation de LibreOffice et des polices (paquets Debian)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PKGS); \
	  else \
	    echo "LibreOffice est introuvable : installez-le depuis https://fr.libreoffice.org/ puis relancez."; exit 2; \
	  fi; \
	fi

# chromium, le navigateur des tests de l'atelier (piloté par Playwright) : pour « make test » seulement.
navigateur:
	@if ! test -x /usr/bin/chromium; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "Installation de chromium pour les tests de l'atelier (paquet Debian)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else \
	    echo "chromium est introuvable : installez-le pour les tests de l'atelier."; exit 2; \
	  fi; \
	fi

$(VENV)/.installe: pyproject.toml
	@command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

clean:
	rm -rf sortie .pytest_cache .ruff_cache
