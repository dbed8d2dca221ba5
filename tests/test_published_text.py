"""What a reader of the built site reads: the checks of tests/test_book_language.py on the
rendered text, where roles have already printed their numbers, titles and brackets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.site

LANGS = ("en", "ru")
# Rendered by roles, so only the built page shows them.
RENDERED = {
    "a word doubled by an exercise reference": re.compile(
        r"(?i)\b(упражнени\w*|exercises?)\s+(упражнени|exercise)"
    ),
    "brackets inside brackets": re.compile(r"\(\s*\(|\)\s*\)"),
}


def pages(site: Path, lang: str) -> list[Path]:
    root = site / lang
    skip = {"_static", "slides", "api"}
    return [p for p in sorted(root.rglob("*.html")) if not skip & set(p.relative_to(root).parts)]


def reading_text(path: Path) -> BeautifulSoup:
    """The article of a page without its math and code, which may hold any brackets."""
    html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = html.select_one("article") or html
    for node in article.select(".math, pre, code, .cell_input, .MathJax, script, style"):
        node.decompose()
    return article


@pytest.mark.parametrize("lang", LANGS)
def test_the_rendered_prose_has_no_doubled_words_or_brackets(site: Path, lang: str) -> None:
    hits = []
    for path in pages(site, lang):
        text = " ".join(reading_text(path).get_text(" ").split())
        for what, pattern in RENDERED.items():
            hits += [
                f"{path.relative_to(site)}: {what}: …{text[max(0, m.start() - 50) : m.end() + 30]}…"
                for m in pattern.finditer(text)
            ]
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize("lang", LANGS)
def test_a_glued_number_has_a_minus_sign_not_a_hyphen(site: Path, lang: str) -> None:
    hits = [
        f"{path.relative_to(site)}: {span.get_text()!r}"
        for path in pages(site, lang)
        for span in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select(
            ".pasted-text"
        )
        if re.search(r"(?<![\w])-\d", span.get_text())
    ]
    assert not hits, "format the number with rnngrad.i18n (it prints U+2212):\n" + "\n".join(hits)
