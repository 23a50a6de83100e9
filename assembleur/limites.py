"""Every bound on what assembleur reads, in one place.

Each input (content, template, scan, manifest) is checked against these
before any expensive work: a hostile or broken file is refused in a fraction
of a second instead of holding the machine (a long-lived server, the
atelier, runs the same code). The values are far above the real content:
the 2019 dossier, measured, is given beside each.
"""

from __future__ import annotations

from collections.abc import Iterable
from zipfile import ZipInfo

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


def expands_too_much(entries: Iterable[ZipInfo]) -> int | None:
    """What a zip archive's ``entries`` expand to, when beyond :data:`MAX_UNZIPPED_BYTES` or :data:`MAX_RATIO`.

    None for a normal archive. The sizes are those the archive declares:
    :mod:`zipfile` never inflates an entry beyond its declared size.
    """
    entries = list(entries)
    unzipped = sum(entry.file_size for entry in entries)
    packed = max(1, sum(entry.compress_size for entry in entries))
    beyond = unzipped > MAX_UNZIPPED_BYTES or (unzipped > 10 * 1024 * 1024 and unzipped / packed > MAX_RATIO)
    return unzipped if beyond else None


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

# Spreadsheets imported (programmation): a contract's programmation is some 150 rows; the ANCT's national
# file of every contract and year (filtered by --contrat) some 150 000. An Excel sheet has at most 1 048 576
# rows, which openpyxl gives one by one even when empty: the bound on rows is also a bound on time (2 s here).
MAX_SPREADSHEET_BYTES = 200 * 1024 * 1024  # the file as given (a national CSV is some tens of Mo)
MAX_SPREADSHEET_ROWS = 500_000  # rows read, empty ones included
MAX_SPREADSHEET_COLUMNS = 500  # cells of one row
MAX_IMPORTED_ACTIONS = 20_000  # rows kept once filtered: far more than any contract's actions
MAX_HEADER_SEARCH = 30  # the header row is looked for among the first rows (a title may stand above)

# The Préfecture's classification file (RetourClassification XML): some 45 Ko, 700 elements for a whole
# département's nomenclature with its piece types.
MAX_CLASSIFICATION_BYTES = 5_000_000
MAX_CLASSIFICATION_ELEMENTS = 100_000
