"""Every bound on what assembleur reads, in one place.

Each input (content, template, scan, manifest) is checked against these
before any expensive work: a hostile or broken file is refused in a fraction
of a second instead of holding the machine (a long-lived server, the
atelier, runs the same code). The values are far above the real content:
the 2019 dossier, measured, is given beside each.
"""

from __future__ import annotations

# Content files (contenus/<année>/*.yaml). 2019: largest file 57 Ko (protocole.yaml), deepest nesting 12,
# most values 1 451 in one file (programmation.yaml), longest text 1 184 characters.
MAX_CONTENT_BYTES = 1_000_000  # about 17 times the largest file
MAX_CONTENT_DEPTH = 100  # lists and rubriques inside one another
MAX_CONTENT_ITEMS = 20_000  # values, lists and rubriques in one file
MAX_TEXT_CHARS = 20_000  # one text: about ten pages
MAX_CONTENT_FILES = 200  # files in a year's folder (2019: 8)

# Templates (gabarits/*.docx, *.odt): a few hundred Ko each.
MAX_TEMPLATE_BYTES = 50 * 1024 * 1024  # a template with its images
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # what the template may expand to in memory
MAX_RATIO = 200  # uncompressed / compressed: beyond, it is a zip bomb, not a document

# Scanned avis (annexes/<année>/*.pdf): A4 pages, a few pages each.
MAX_PAGE_SIDE = 3370.0  # points: an A0 sheet's long side; a larger "page" is not a scanned délibération
MAX_IMAGE_PIXELS = 80_000_000  # a 600 dpi A3 scan is 70 MP; beyond, the image is absurd for an avis
MAX_SCAN_PAGES = 1_000  # pages of one avis (a délibération has a handful)
MAX_PDF_DEPTH = 100  # page tree levels, or arrays and dictionaries inside one another
MAX_PDF_OBJECTS = 500_000  # objects reached from the document's root
MAX_PDF_SECONDS = 10.0  # time given to the structure check of one scan
MAX_SCAN_BYTES = 100 * 1024 * 1024  # a scan received (avis, contribution, act): a few pages weigh far less

# Manifests (manifeste-<année>-<version>.json): a few Ko, some thirty files listed.
MAX_MANIFEST_BYTES = 10_000_000
MAX_MANIFEST_FILES = 100_000

# The Préfecture's classification file (RetourClassification XML): some 45 Ko, 700 elements for a whole
# département's nomenclature with its piece types.
MAX_CLASSIFICATION_BYTES = 5_000_000
MAX_CLASSIFICATION_ELEMENTS = 100_000
