"""rnngrad_book.bilingual, in-process on tests/roots/test-bilingual: the links between
twin pages, the Russian interface strings, solution titles in the page's grammar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.errors import ExtensionError
from sphinx.testing.util import SphinxTestApp
from sphinx_apps import UPSTREAM_DEPRECATIONS

ROOT = Path(__file__).resolve().parents[1]
BOOK_DIRS = {
    "templates_path": [str(ROOT / "book" / "_templates")],
    "locale_dirs": [str(ROOT / "book" / "locale")],
}
SEARCH_FINISHED = "Search finished, found one page matching the search query."
pytestmark = UPSTREAM_DEPRECATIONS
RUSSIAN = pytest.mark.sphinx(
    "html",
    testroot="bilingual",
    srcdir="bilingual-ru",
    confoverrides=BOOK_DIRS | {"language": "ru"},
)


def page(app: SphinxTestApp, name: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / name).read_text(encoding="utf-8"), "html.parser")


@RUSSIAN
def test_a_page_links_to_its_twin_in_every_language(app: SphinxTestApp) -> None:
    app.build()
    html = page(app, "part/page.html")
    alternates = {
        link["hreflang"]: link["href"] for link in html.select("link[rel=alternate][hreflang]")
    }
    assert alternates == {"en": "../../en/part/page.html", "ru": "../../ru/part/page.html"}
    switch = html.select_one("nav.language-switch")
    assert switch is not None, "the language switch is missing"
    other = switch.select_one("a[hreflang=en]")
    assert other is not None
    assert other["href"] == "../../en/part/page.html"
    assert other["lang"] == "en"
    current = switch.select_one("[aria-current=true]")
    assert current is not None
    assert current.get_text() == "RU"


@RUSSIAN
def test_the_russian_edition_has_its_title_and_search_box(app: SphinxTestApp) -> None:
    assert app.config.project == app.config.html_title == "Проба"
    assert app.config.html_theme_options["search_bar_text"] == "Поиск…"


@RUSSIAN
def test_the_russian_search_page_says_what_it_found(app: SphinxTestApp) -> None:
    """Sphinx's own Russian sphinx.js leaves these messages empty; ours fills them."""
    app.build()
    text = (app.outdir / "_static" / "translations.js").read_text(encoding="utf-8")
    messages = json.loads(text[text.index("(") + 1 : text.rindex(")")])["messages"]
    forms = messages[SEARCH_FINISHED]
    assert len(forms) == 4
    assert all(form.startswith("Поиск завершён") for form in forms), forms


@RUSSIAN
def test_a_russian_solution_is_titled_in_the_genitive(app: SphinxTestApp) -> None:
    app.build()
    title = page(app, "part/page.html").select_one(".solution .admonition-title")
    assert title is not None
    assert " ".join(title.get_text().split()) == "Решение упражнения 1"
    link = title.select_one("a")
    assert link is not None
    assert link["href"].endswith("#ex-steps")


@pytest.mark.sphinx("html", testroot="bilingual", srcdir="bilingual-en", confoverrides=BOOK_DIRS)
def test_an_english_solution_keeps_sphinx_exercise_title(app: SphinxTestApp) -> None:
    app.build()
    title = page(app, "part/page.html").select_one(".solution .admonition-title")
    assert title is not None
    assert " ".join(title.get_text().split()) == "Solution to Exercise 1 (Count the steps)"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"language": "de"}, r"language must be one of \['en', 'ru'\], got 'de'"),
        (
            {"language": "ru", "rnngrad_titles": {"en": "Probe"}},
            r"language 'ru' has no entry in rnngrad_titles \(conf.py",
        ),
        (
            {
                "language": "de",
                "rnngrad_languages": {"en": "English", "ru": "Русский", "de": "Deutsch"},
                "rnngrad_titles": {"en": "Probe", "ru": "Проба", "de": "Probe"},
            },
            r"language 'de' has no entry in SEARCH_TEXT, REFERENCE_STYLES, ENTRY_STYLES, "
            r"HANDOUT_TOOLTIP, NOTEBOOK_TOOLTIP, SOLUTIONS_TITLE, SOLUTION_POINTER, LICENCE, "
            r"CC_BY_SA, CITE_TITLE, CITATION, VERSION, OG_LOCALE, BIBTEX_LANGUAGE, "
            r"REPOSITORY_MENU \(",
        ),
    ],
    ids=["unknown language", "missing title", "missing interface words"],
)
def test_a_language_without_its_settings_is_refused(
    make_app, tmp_path: Path, overrides: dict[str, object], message: str
) -> None:
    srcdir = tmp_path / "bilingual"
    srcdir.mkdir()
    (srcdir / "conf.py").write_text(
        (ROOT / "tests" / "roots" / "test-bilingual" / "conf.py").read_text(encoding="utf-8")
    )
    (srcdir / "index.rst").write_text("Probe\n=====\n", encoding="utf-8")
    with pytest.raises(ExtensionError, match=message):
        make_app("html", srcdir=srcdir, confoverrides=overrides)
