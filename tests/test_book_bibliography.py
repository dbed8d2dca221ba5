"""rnngrad_book.bibliography, in-process on tests/roots/test-bibliography: the styles
found through entry points, the Russian entry format, the site's bibliography as a list."""

from __future__ import annotations

import pybtex.plugin
import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinxcontrib.bibtex.plugin import find_plugin

from rnngrad_book import bibliography

NBSP = "\N{NO-BREAK SPACE}"
RUSSIAN_ENTRIES = [
    f"Bengio{NBSP}Y., Simard{NBSP}P., Frasconi{NBSP}P. Learning long-term dependencies with"
    " gradient descent is difficult // IEEE Transactions on Neural Networks. 1994."
    f" Vol.{NBSP}5. No.{NBSP}2. P.{NBSP}157–166. doi:10.1109/72.279181.",
    f"Hochreiter{NBSP}S., Bengio{NBSP}Y., Frasconi{NBSP}P., Schmidhuber{NBSP}J. Gradient flow"
    " in recurrent nets: the difficulty of learning long-term dependencies // A Field Guide"
    f" to Dynamical Recurrent Neural Networks / ed. by J.{NBSP}F.{NBSP}Kolen,"
    f" S.{NBSP}C.{NBSP}Kremer. IEEE Press, 2001.",
]


def html(app: SphinxTestApp) -> BeautifulSoup:
    app.build()
    return BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")


def first_paragraph(page: BeautifulSoup) -> str:
    paragraph = page.select_one("p")
    assert paragraph is not None
    return " ".join(paragraph.get_text().split())


@pytest.mark.parametrize(
    ("group", "name", "style"),
    [
        ("pybtex.style.formatting", "plain_ru", bibliography.RussianEntries),
        ("sphinxcontrib.bibtex.style.referencing", "author_year_round", bibliography.RoundBrackets),
        (
            "sphinxcontrib.bibtex.style.referencing",
            "author_year_round_ru",
            bibliography.RussianRoundBrackets,
        ),
    ],
)
def test_the_styles_are_found_through_entry_points(group: str, name: str, style: type) -> None:
    found = (
        pybtex.plugin.find_plugin(group, name)
        if group.startswith("pybtex")
        else find_plugin(group, name)
    )
    assert found is style


@pytest.mark.sphinx(
    "html", testroot="bibliography", srcdir="bibliography-ru", confoverrides={"language": "ru"}
)
def test_russian_entries_follow_gost(app: SphinxTestApp) -> None:
    page = html(app)
    entries = [li.get_text() for li in page.select("ol.bibliography > li")]
    assert entries == RUSSIAN_ENTRIES
    assert first_paragraph(page).startswith("As Bengio и др. (1994) showed, and Hochreiter и др.")


@pytest.mark.sphinx("html", testroot="bibliography", srcdir="bibliography-en")
def test_english_citations_are_author_year_in_round_brackets(app: SphinxTestApp) -> None:
    page = html(app)
    assert first_paragraph(page).startswith("As Bengio et al. (1994) showed, and Hochreiter et al.")
    assert page.select_one("ol.bibliography > li").get_text().startswith("Yoshua Bengio,")


@pytest.mark.sphinx("html", testroot="bibliography", srcdir="bibliography-en")
def test_the_site_bibliography_is_an_ordered_list(app: SphinxTestApp) -> None:
    """axe-core's reasons: no deprecated doc-biblioentry role, a list made of list items."""
    page = html(app)
    assert not page.select("[role=doc-biblioentry]")
    assert not page.select("[role=list]")
    items = page.select("ol.bibliography > li")
    assert len(items) == 2
    ids = {item["id"] for item in items}
    targets = {a["href"].removeprefix("#") for a in page.select("p a[href^='#']")}
    assert targets == ids, "a citation does not land on its entry"


@pytest.mark.sphinx("latex", testroot="bibliography", srcdir="bibliography-latex")
def test_the_handout_keeps_latex_bibliography(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "handout-en.tex").read_text(encoding="utf-8")
    assert tex.count(r"\bibitem") == 2
    assert r"\begin{sphinxthebibliography}" in tex


@pytest.mark.sphinx("latex", testroot="bibliography", srcdir="bibliography-list-option")
def test_sphinxcontrib_bibtex_list_option_would_cost_the_handout_its_bibliography(
    app: SphinxTestApp,
) -> None:
    """Why BibliographyAsList stays: ``:list: enumerated`` (sphinxcontrib-bibtex 2.7.0)
    applies to every builder. Should this fail, the option may replace the transform."""
    index = app.srcdir / "index.rst"
    index.write_text(
        index.read_text(encoding="utf-8").replace(
            ".. bibliography::", ".. bibliography::\n   :list: enumerated"
        ),
        encoding="utf-8",
    )
    app.build()
    tex = (app.outdir / "handout-en.tex").read_text(encoding="utf-8")
    assert r"\begin{sphinxthebibliography}" not in tex
    assert r"\begin{enumerate}" in tex
