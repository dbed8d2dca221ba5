"""The site `make html` assembles, as the web meets it: the sitemap with both editions and
their hreflang alternates, the 404 page, each page's social-card tags, canonical URL, edit
and issue links, licence line and "last updated" date in its language."""

from __future__ import annotations

import runpy
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from built_site import ROOT

import rnngrad

pytestmark = pytest.mark.site

LANGS = ("en", "ru")
SETTINGS = runpy.run_path(str(ROOT / "conf.py"))
SITE_URL: str = SETTINGS["rnngrad_site_url"]
REPOSITORY: str = SETTINGS["rnngrad_repository"]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
# Pages the theme writes without a source of their own, and so without edit link or date.
GENERATED = {"search.html", "genindex.html", "py-modindex.html"}
DATE_WORDS = {"en": "Last updated on", "ru": "Обновлено:"}
LICENCE_WORDS = {"en": "The text and figures are licensed under", "ru": "Текст и рисунки"}


def pages(site: Path, lang: str) -> list[str]:
    root = site / lang
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.html")
        if not {"_static", "slides"} & set(p.relative_to(root).parts)  # the decks: test_slides_*
    )


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def meta(page: BeautifulSoup, prop: str) -> list[str]:
    return [str(tag["content"]) for tag in page.find_all("meta", property=prop)]


def local(site: Path, url: str) -> Path:
    """The file of the site that a URL under the published site's root names."""
    assert url.startswith(SITE_URL), f"{url} is not under {SITE_URL}"
    return site / url.removeprefix(SITE_URL)


def tracked_sources(lang: str) -> set[str]:
    """The pages whose source git knows: those have a date to show."""
    listed = subprocess.run(
        ["git", "ls-files", f"book/{lang}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {
        Path(name).relative_to(f"book/{lang}").with_suffix(".html").as_posix() for name in listed
    }


def test_the_sitemap_index_names_both_editions(site: Path) -> None:
    index = ElementTree.parse(site / "sitemap.xml").getroot()
    locations = [loc.text or "" for loc in index.iter(f"{SITEMAP}loc")]
    assert locations == [f"{SITE_URL}{lang}/sitemap.xml" for lang in LANGS]
    assert all(local(site, url).is_file() for url in locations)


@pytest.mark.parametrize("lang", LANGS)
def test_each_edition_sitemap_lists_every_page_with_its_twins(site: Path, lang: str) -> None:
    tree = ElementTree.parse(site / lang / "sitemap.xml").getroot()
    listed = {}
    for url in tree.iter(f"{SITEMAP}url"):
        loc = url.findtext(f"{SITEMAP}loc") or ""
        twins = {link.get("hreflang"): link.get("href") or "" for link in url.iter(f"{XHTML}link")}
        assert set(twins) == set(LANGS), f"{loc}: alternates {twins}"
        missing = [href for href in twins.values() if not local(site, href).is_file()]
        assert not missing, f"{loc}: alternates that are not in the site: {missing}"
        listed[loc] = url.findtext(f"{SITEMAP}lastmod")
    expected = {f"{SITE_URL}{lang}/{page}" for page in pages(site, lang)} - {
        f"{SITE_URL}{lang}/{page}" for page in GENERATED
    }
    assert set(listed) == expected
    dated = {f"{SITE_URL}{lang}/{page}" for page in tracked_sources(lang)}
    assert all(listed[url] for url in dated & expected), "a committed page has no lastmod"


def test_the_404_page_works_at_any_depth(site: Path) -> None:
    page = soup(site / "404.html")
    base = "/" + SITE_URL.split("://", 1)[1].split("/", 1)[1]
    links = [str(a["href"]) for a in page.select("a.edition")]
    assert links == [f"{base}{lang}/index.html" for lang in ("ru", "en")]
    assert all((site / link.removeprefix(base)).is_file() for link in links)
    assert not page.find_all(["script", "img", "iframe"]), "the 404 page loads something"
    assert [link["href"] for link in page.find_all("link")] == ["data:,"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_carries_its_metadata_licence_and_links(site: Path, lang: str) -> None:
    dated = tracked_sources(lang)
    for name in pages(site, lang):
        page = soup(site / lang / name)
        where = f"{lang}/{name}"
        url = f"{SITE_URL}{lang}/{name}"
        licence = page.select_one("footer p.licence")
        assert licence is not None, f"{where}: no licence line"
        assert licence.get_text().startswith(LICENCE_WORDS[lang]), where
        if name in GENERATED:
            continue
        assert meta(page, "og:url") == [url], where
        assert meta(page, "og:locale")[0].startswith(lang), where
        assert meta(page, "og:image") == [], f"{where}: a social-card image"
        canonical = [str(link["href"]) for link in page.find_all("link", rel="canonical")]
        assert canonical == [url], where
        source = f"book/{lang}/{name.removesuffix('.html')}.md"
        hrefs = {str(a["href"]) for a in page.find_all("a", href=True)}
        assert f"{REPOSITORY}/edit/main/{source}" in hrefs, f"{where}: no edit link"
        assert any(h.startswith(f"{REPOSITORY}/issues/new?") for h in hrefs), where
        if name in dated:
            date = page.select_one("p.last-updated")
            assert date is not None, f"{where}: no date"
            assert DATE_WORDS[lang] in date.get_text(), f"{where}: {date.get_text()!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_title_page_says_how_to_cite_it(site: Path, lang: str) -> None:
    page = soup(site / lang / "index.html")
    box = page.select_one("div.how-to-cite")
    assert box is not None, f"{lang}: no how-to-cite box"
    text = box.get_text(" ")
    assert rnngrad.__version__ in text
    assert f"{SITE_URL}{lang}/" in text
    article = page.select_one("article")
    assert article is not None
    last = [
        div
        for div in article.find_all("div", recursive=True)
        if "admonition" in div.get("class", [])
    ]
    assert last[-1] is box, f"{lang}: the box is not the page's last"
