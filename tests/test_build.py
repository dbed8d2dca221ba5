"""The built site, as a reader opens it: both editions, linked page to page, offline."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from built_site import equation_numbers

LANGS = ("en", "ru")
# Attributes through which a page loads something (as opposed to linking to it).
ASSET_ATTRIBUTES = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
}
LOADING_RELS = {
    "stylesheet",
    "icon",
    "preload",
    "modulepreload",
    "prefetch",
    "manifest",
    "shortcut",
    "apple-touch-icon",
}
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""")

pytestmark = pytest.mark.site


def html_pages(site: Path, lang: str) -> list[str]:
    root = site / lang
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.html")
        if not {"_static", "slides"} & set(p.relative_to(root).parts)  # the decks: test_slides_*
    )


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def is_external(url: str) -> bool:
    return bool(urlsplit(url).scheme in {"http", "https"} or url.startswith("//"))


def loaded_urls(page: BeautifulSoup) -> list[str]:
    urls = [
        tag.get(attr, "") for name, attr in ASSET_ATTRIBUTES.items() for tag in page.find_all(name)
    ]
    urls += [
        link.get("href", "")
        for link in page.find_all("link")
        if LOADING_RELS & set(link.get("rel", []))
    ]
    urls += [m for style in page.find_all(style=True) for m in CSS_URL.findall(style["style"])]
    urls += [m for style in page.find_all("style") for m in CSS_URL.findall(style.get_text())]
    return [str(u) for u in urls if u]


def test_every_page_has_its_twin(site: Path) -> None:
    assert html_pages(site, "en") == html_pages(site, "ru")
    assert "index.html" in html_pages(site, "en")


@pytest.mark.parametrize("lang", LANGS)
def test_language_attributes_and_links(site: Path, lang: str) -> None:
    other = "ru" if lang == "en" else "en"
    for name in html_pages(site, lang):
        path = site / lang / name
        page = soup(path)
        assert page.html is not None
        assert page.html.get("lang") == lang, f"{lang}/{name}: <html lang>"
        switch = page.select_one(f"nav.language-switch a[hreflang={other}]")
        assert switch is not None, f"{lang}/{name}: no link to the {other} edition"
        target = (path.parent / switch["href"]).resolve()
        assert target == (site / other / name).resolve(), f"{lang}/{name}: switch goes to {target}"
        assert target.is_file()
        alternates = {
            a["hreflang"]: a["href"]
            for a in page.find_all("link", rel="alternate")
            if a.get("hreflang")
        }
        assert set(alternates) == set(LANGS), f"{lang}/{name}: hreflang alternates {alternates}"
        for href in alternates.values():
            assert (path.parent / href).is_file(), f"{lang}/{name}: alternate {href} is missing"


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_loaded_from_outside_the_site(site: Path, lang: str) -> None:
    offenders = []
    for name in html_pages(site, lang):
        path = site / lang / name
        for url in loaded_urls(soup(path)):
            local = urlsplit(url).path
            if is_external(url):
                offenders.append(f"{lang}/{name}: {url}")
            elif not url.startswith(("data:", "#")) and not (path.parent / local).exists():
                offenders.append(f"{lang}/{name}: {url} (missing file)")
    for css in (site / lang / "_static").rglob("*.css"):
        offenders += [
            f"{css.relative_to(site)}: {u}"
            for u in CSS_URL.findall(css.read_text())
            if is_external(u)
        ]
    assert not offenders, "assets from outside the site or missing:\n" + "\n".join(offenders)


@pytest.mark.parametrize("lang", LANGS)
def test_mathjax_is_served_locally(site: Path, lang: str) -> None:
    page = soup(site / lang / "index.html")
    sources = [s["src"] for s in page.find_all("script", src=True) if "mathjax" in s["src"].lower()]
    assert sources == ["_static/mathjax/tex-chtml-full.js"], sources
    fonts = site / lang / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert len(list(fonts.glob("*.woff"))) > 10


@pytest.mark.parametrize("lang", LANGS)
def test_figures_are_present_with_alt_text(site: Path, lang: str) -> None:
    page = soup(site / lang / "index.html")
    figures = page.select("figure img")
    assert figures, f"{lang}/index.html: no figure"
    for img in figures:
        assert img.get("alt", "").strip(), f"{lang}/index.html: figure {img['src']} has no alt text"
        source = site / lang / img["src"]
        assert source.is_file(), f"{lang}: {img['src']} is missing"
        assert source.stat().st_size > 1000, f"{lang}: {img['src']} is nearly empty"


@pytest.mark.parametrize("lang", LANGS)
def test_equations_are_numbered_through_the_chapter(site: Path, lang: str) -> None:
    """Each number names one equation of the edition, and a reference from any page shows
    that equation's number: "(8)" read on another page cannot be that page's own (8)."""
    numbers = equation_numbers(site, lang)
    links: list[tuple[str, tuple[str, str], str]] = []
    for name in html_pages(site, lang):
        page = name.removesuffix(".html")
        for link in soup(site / lang / name).select('a.reference.internal[href*="#equation-"]'):
            path, _, anchor = link["href"].partition("#")
            linked = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
            target = (
                linked.removesuffix(".html") if path else page,
                anchor.removeprefix("equation-"),
            )
            links.append((page, target, link.get_text().strip("() ")))
    assert numbers, f"{lang}: no numbered equation"
    assert sorted(numbers.values(), key=int) == [str(n) for n in range(1, len(numbers) + 1)], (
        f"{lang}: equation numbers are not 1..{len(numbers)} through the chapter"
    )
    assert links, f"{lang}: no equation reference"
    wrong = [(page, t, text) for page, t, text in links if numbers.get(t) != text]
    assert not wrong, f"{lang}: references showing another number than their equation: {wrong}"


SOLUTION_TITLE = {"en": r"Solution to Exercise (\d+)", "ru": r"Решение упражнения (\d+)"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_exercise_has_a_solution_titled_in_the_pages_language(site: Path, lang: str) -> None:
    page = soup(site / lang / "exercises.html")
    exercises = page.select("div.exercise.admonition")
    titles = [
        " ".join(div.select_one(".admonition-title").get_text().split())
        for div in page.select("div.solution.admonition")
    ]
    numbers = [re.fullmatch(SOLUTION_TITLE[lang], title) for title in titles]
    assert all(numbers), f"{lang}: solution titles {titles}"
    assert [int(n.group(1)) for n in numbers if n] == list(range(1, len(exercises) + 1))


def bibliography(site: Path, lang: str) -> list[str]:
    page = soup(site / lang / "references.html")
    return [" ".join(item.get_text().split()) for item in page.select("main ol li")]


def test_russian_bibliography_has_no_english_joiners(site: Path) -> None:
    """pybtex writes "A and B. Title. In Proceedings…, volume 28 of…, editors"; the Russian
    edition lists a foreign source as a Russian textbook does: "A I., B I. Title // …"."""
    entries = bibliography(site, "ru")
    assert len(entries) == len(bibliography(site, "en")) > 10
    english = [e for e in entries if re.search(r"(^|\. )In |, editors|volume \d+ of", e)]
    assert not english, english
    expected = [
        "Hochreiter S., Schmidhuber J. Long short-term memory // Neural Computation. 1997."
        " Vol. 9. No. 8. P. 1735–1780.",
        "// A Field Guide to Dynamical Recurrent Neural Networks / ed. by J. F. Kolen,",
    ]
    for text in expected:
        assert any(text in e for e in entries), f"no Russian entry holds {text!r}: {entries}"
    # An author's initials stay on the line of the surname.
    raw = soup(site / "ru" / "references.html").get_text()
    assert "Hochreiter\u00a0S., Schmidhuber\u00a0J." in raw


def test_title_page_opens_with_the_seed_sentence(site: Path) -> None:
    sentence = "Человек, на голове которого была шляпа с павлиньим пером, зашёл в бар"
    for lang in LANGS:
        text = " ".join(soup(site / lang / "index.html").get_text().split())
        assert sentence in text, f"{lang}/index.html lacks the seed's sentence"


def test_russian_edition_speaks_russian(site: Path) -> None:
    page = soup(site / "ru" / "index.html")
    assert page.title is not None
    assert "Затухающие градиенты" in page.title.get_text()
    # The theme's interface: its catalogue, completed by book/locale, and the search box.
    assert page.select_one("input[placeholder='Поиск…']") is not None
    assert page.select_one("nav.language-switch[aria-label='Язык']") is not None
    assert "Наверх" in page.get_text()


@pytest.mark.parametrize(("lang", "month"), [("en", r"[A-Z][a-z]+"), ("ru", r"[а-я]+")])
def test_dates_are_written_in_the_page_language(site: Path, lang: str, month: str) -> None:
    stamp = soup(site / lang / "index.html").select_one(".last-updated")
    assert stamp is not None, f"{lang}/index.html shows no date"
    text = " ".join(stamp.get_text().split())
    assert re.search(rf"\b[1-9]\d? {month} 20\d\d\b", text), f"{lang}: {text!r}"


def test_api_reference_documents_the_library(site: Path) -> None:
    """Every public name has its entry on one of the API pages (one per module), every
    module and subpackage of rnngrad has a page, and no raw reStructuredText leaks onto them."""
    import rnngrad

    package = Path(rnngrad.__file__).parent
    modules = {p.stem for p in package.glob("*.py")} | {
        p.parent.name for p in package.glob("*/__init__.py")
    }
    modules = {name for name in modules if not name.startswith("_")}
    for lang in LANGS:
        pages = {p.stem: soup(p) for p in sorted((site / lang / "api").glob("*.html"))}
        assert modules <= set(pages), f"{lang}/api/ has no page for {sorted(modules - set(pages))}"
        documented = {
            tag["id"].rsplit(".", 1)[-1]
            for page in pages.values()
            for tag in page.select("dt.sig[id]")
        }
        missing = sorted(set(rnngrad.__all__) - documented)
        assert not missing, f"{lang}/api/ does not document {missing}"
        for name, page in pages.items():
            text = page.get_text()
            for raw in (".. py:", ":rtype:", ":param ", "sphinx_autodoc_typehints_type"):
                assert raw not in text, f"{lang}/api/{name}.html shows raw markup {raw!r}"


def test_site_holds_no_build_by_products(site: Path) -> None:
    leftovers = [
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.name
        in {
            ".buildinfo",
            "jupyter_cache",
            "jupyter_execute",
            "reports",
            ".doctrees",
            "doctrees",
            "environment.pickle",
        }
        or p.suffix in {".pickle", ".doctree"}
    ]
    assert not leftovers, leftovers
    # make site adds the 404 page and the sitemap index (rnngrad_book.publishing).
    site_files = ["404.html", "en", "index.html", "ru", "sitemap.xml"]
    assert sorted(p.name for p in site.iterdir()) == site_files


def test_root_page_offers_both_editions(site: Path) -> None:
    page = soup(site / "index.html")
    hrefs = {a["href"] for a in page.find_all("a", href=True)}
    assert hrefs == {"en/index.html", "ru/index.html"}
    assert all((site / h).is_file() for h in hrefs)
