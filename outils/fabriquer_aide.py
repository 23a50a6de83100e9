"""Make ``assembleur/atelier/aide/*.html``: the documentation pages the atelier serves as its « Aide », offline.

The Markdown of ``docs/`` stays the one source (read on GitHub, checked by
``tests/test_documentation.py``). The atelier serves these pages rendered
once here, as HTML fragments shipped inside the package: they are there
whatever the installation (``pip install -e .``, a wheel, ``PYTHONPATH``),
the atelier needs no Markdown library, and a project folder without
``docs/`` still has its help. Developers run this after editing a page of
``docs/`` (``.venv/bin/python outils/fabriquer_aide.py``) and commit the
result; a test says when a page is out of date.

Each heading gets the id GitHub gives it (``## `avis.yaml``` → ``avisyaml``),
so that the same links work in both places; the guide's sections carry their
own stable ids (``<a id="avis"></a>``). Links between these pages point to
the atelier's ``/aide/<page>``; links to other files are dropped (their text
stays). Table alignments become classes: the atelier's Content-Security-Policy
forbids inline styles.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TARGET = ROOT / "assembleur" / "atelier" / "aide"
PAGES = ("guide", "reference", "contenus", "developpeurs")
HEADER = "<!-- Fait par outils/fabriquer_aide.py depuis docs/{page}.md : ne pas modifier à la main. -->\n"
LINK = re.compile(r"^(?:\./)?(?P<page>[a-z]+)\.md(?P<anchor>#.*)?$")


def slug(text: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces made dashes."""
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _ids(tokens: list[Token]) -> None:
    seen: dict[str, int] = {}
    for token, inline in itertools.pairwise(tokens):
        if token.type != "heading_open" or inline.content.startswith("<a id="):
            continue
        base = slug(inline.content)
        count = seen.get(base, 0)
        seen[base] = count + 1
        token.attrSet("id", base if count == 0 else f"{base}-{count}")


def _links(tokens: list[Token]) -> None:
    for token in tokens:
        dropped: list[bool] = []  # for each open link: is it dropped?
        for child in token.children or []:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                match = LINK.match(href)
                if match and match["page"] in PAGES:
                    child.attrSet("href", f"/aide/{match['page']}{match['anchor'] or ''}")
                drop = not href.startswith(("#", "http://", "https://")) and not (match and match["page"] in PAGES)
                dropped.append(drop)
            elif child.type == "link_close":
                drop = dropped.pop()
            else:
                continue
            if drop:  # a file the atelier does not serve: the words stay, the link goes
                child.type, child.content = "html_inline", ""


def _alignments(tokens: list[Token]) -> None:
    for token in tokens:
        style = str(token.attrGet("style") or "")
        if token.type in ("th_open", "td_open") and style.startswith("text-align:"):
            token.attrs.pop("style")
            token.attrSet("class", style.removeprefix("text-align:"))


def render(markdown: str) -> str:
    """One page of ``docs/`` as the HTML fragment the atelier shows."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = parser.parse(markdown)
    _ids(tokens)
    _links(tokens)
    _alignments(tokens)
    html = parser.renderer.render(tokens, parser.options, {})
    # one line per table row (markdown-it writes one tag a line): the page stays short to read and to diff
    return re.sub(r">\n(</?(?:tr|th|td|thead|tbody)\b)", r">\1", html)


def rendered(page: str) -> str:
    """What ``assembleur/atelier/aide/<page>.html`` must hold."""
    return HEADER.format(page=page) + render((DOCS / f"{page}.md").read_text(encoding="utf-8"))


def main() -> None:
    TARGET.mkdir(exist_ok=True)
    for page in PAGES:
        path = TARGET / f"{page}.html"
        path.write_text(rendered(page), encoding="utf-8")
        print(path.relative_to(ROOT), file=sys.stdout)


if __name__ == "__main__":
    main()
