"""rnngrad_book.publishing, in-process on tests/roots/test-publishing: the citation box, the
licence line, the edit and issue links, the sitemap and the social-card tags of a page, and
the site-wide 404 page and sitemap index; CITATION.cff against the settings it repeats."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
import yaml
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinx_apps import UPSTREAM_DEPRECATIONS

import rnngrad
from rnngrad_book import publishing, sitefiles

ROOT = Path(__file__).resolve().parents[1]
SITE_URL = "https://probe.example.org/book/"
REPOSITORY = "https://github.com/probe/book"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"

pytestmark = UPSTREAM_DEPRECATIONS


def html_edition(lang: str) -> pytest.MarkDecorator:
    return pytest.mark.sphinx(
        "html", testroot="publishing", srcdir=f"publishing-{lang}", confoverrides={"language": lang}
    )


def built_index(app: SphinxTestApp) -> BeautifulSoup:
    app.build()
    assert not app.warning.getvalue(), app.warning.getvalue()
    return BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")


def meta(page: BeautifulSoup, prop: str) -> list[str]:
    return [str(tag["content"]) for tag in page.find_all("meta", property=prop)]


@html_edition("en")
def test_the_box_cites_this_version_at_this_editions_url(app: SphinxTestApp) -> None:
    box = built_index(app).select_one("div.how-to-cite")
    assert box is not None, "no how-to-cite box"
    text = " ".join(box.get_text(" ").split())
    assert text.startswith("How to cite")
    assert f"Probe authors. Probe. Version {rnngrad.__version__}." in text
    assert box.select_one(f'a[href="{SITE_URL}en/"]') is not None
    bib = box.select_one("pre").get_text()
    assert bib.startswith("@book{rnngrad-vanishing-gradients-en,")
    assert f"note     = {{Version {rnngrad.__version__}}}" in bib
    assert box.select_one('a[href="https://creativecommons.org/licenses/by-sa/4.0/"]')
    assert box.select_one(f'a[href="{REPOSITORY}/blob/main/LICENSE"]')


@html_edition("ru")
def test_the_russian_box_is_a_gost_description(app: SphinxTestApp) -> None:
    box = built_index(app).select_one("div.how-to-cite")
    assert box is not None
    text = " ".join(box.get_text(" ").split())
    assert text.startswith("Как цитировать")
    assert f"Проба / Авторы пробы. — Версия {rnngrad.__version__}. — " in text
    assert f"URL: {SITE_URL}ru/" in text
    assert "language = {russian}" in text
    assert box.select_one('a[href="https://creativecommons.org/licenses/by-sa/4.0/deed.ru"]')


@html_edition("ru")
def test_every_page_has_the_licence_in_its_footer(app: SphinxTestApp) -> None:
    page = built_index(app)
    footer = page.select_one("footer p.licence")
    assert footer is not None, "no licence line in the footer"
    assert footer.get_text().startswith("Текст и рисунки — по лицензии")
    assert page.select_one("footer .component-author") is None, "an English 'By …' line"
    assert footer.select_one("a[rel=license][href$='deed.ru']") is not None


@html_edition("en")
def test_edit_and_issue_links_point_at_the_repository(app: SphinxTestApp) -> None:
    page = built_index(app)
    hrefs = [str(a["href"]) for a in page.find_all("a", href=True)]
    assert f"{REPOSITORY}/edit/main/book/en/index.rst" in hrefs
    erratum = "template=erratum.yml&title=Erratum%3A+{url}&page={url}".format(
        url=f"{SITE_URL}en/index.html".replace(":", "%3A").replace("/", "%2F")
    )
    assert f"{REPOSITORY}/issues/new?{erratum}" in hrefs, hrefs
    # Hyperlinks only: nothing of the repository is loaded by the page.
    loaded = [str(t.get("src") or t.get("href")) for t in page.find_all(["script", "img", "link"])]
    assert not [u for u in loaded if u.startswith(REPOSITORY)]


@html_edition("ru")
def test_the_repository_menu_speaks_russian(app: SphinxTestApp) -> None:
    menu = built_index(app).select_one("div.dropdown-source-buttons")
    assert menu is not None
    assert menu.select_one("button")["aria-label"] == "Репозиторий"
    entries = [" ".join(a.get_text().split()) for a in menu.select("a")]
    assert entries == ["Предложить правку", "Сообщить об ошибке"]


@html_edition("ru")
def test_social_card_tags_in_the_pages_language(app: SphinxTestApp) -> None:
    page = built_index(app)
    assert meta(page, "og:url") == [f"{SITE_URL}ru/index.html"]
    assert meta(page, "og:locale") == ["ru_RU"]
    assert meta(page, "og:locale:alternate") == ["en_GB"]
    assert meta(page, "og:site_name") == ["Проба"]
    assert meta(page, "og:image") == [], "a social-card image was drawn"
    canonical = page.find("link", rel="canonical")
    assert canonical is not None
    assert canonical["href"] == f"{SITE_URL}ru/index.html"


@html_edition("en")
def test_the_sitemap_lists_each_page_with_its_twins(app: SphinxTestApp) -> None:
    app.build()
    tree = ElementTree.parse(app.outdir / "sitemap.xml")
    urls = {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")
        }
        for url in tree.getroot().iter(f"{SITEMAP}url")
    }
    assert urls == {
        f"{SITE_URL}en/index.html": {
            "en": f"{SITE_URL}en/index.html",
            "ru": f"{SITE_URL}ru/index.html",
        }
    }


@pytest.mark.parametrize(
    ("site_url", "builder", "written"),
    [
        ("https://x.org/", "html", ["api/rnn", "index", "why"]),
        ("", "html", []),
        ("https://x.org/", "latex", []),
    ],
)
def test_a_warm_build_writes_every_page_of_a_site(
    site_url: str, builder: str, written: list[str]
) -> None:
    """sphinx-sitemap lists only the pages written in a run: after a warm build that read one
    page again, the sitemap lost the others until every page was written again."""
    app = SimpleNamespace(
        config=SimpleNamespace(rnngrad_site_url=site_url), builder=SimpleNamespace(format=builder)
    )
    env = SimpleNamespace(found_docs={"why", "index", "api/rnn"})
    assert publishing.write_every_page(app, env) == written  # type: ignore[arg-type]


@pytest.mark.sphinx("latex", testroot="publishing", srcdir="publishing-latex")
def test_the_handout_cites_itself_after_its_title_page(app: SphinxTestApp) -> None:
    app.build()
    tex = (app.outdir / "handout-en.tex").read_text(encoding="utf-8")
    title, cite = tex.index(r"\sphinxmaketitle"), tex.index(r"\textbf{How to cite}")
    assert title < cite < tex.index("The opening words")
    assert f"Version {rnngrad.__version__}" in tex[cite:]
    assert r"CC BY-SA 4.0 (\url{https://creativecommons.org/licenses/by-sa/4.0/})" in tex
    assert tex.count("How to cite") == 1, "the box is printed at the chapter's end too"


def test_a_folder_outside_git_gets_no_dates(tmp_path: Path) -> None:
    assert publishing.in_git_work_tree(ROOT)
    assert not publishing.in_git_work_tree(tmp_path)


def test_site_files_404_and_sitemap_index(tmp_path: Path) -> None:
    for lang in ("en", "ru"):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    sitefiles.main([str(tmp_path), "--conf", str(ROOT / "conf.py")])
    settings = runpy.run_path(str(ROOT / "conf.py"))
    root = settings["rnngrad_site_url"]
    index = ElementTree.parse(tmp_path / "sitemap.xml").getroot()
    assert [loc.text for loc in index.iter(f"{SITEMAP}loc")] == [
        f"{root}en/sitemap.xml",
        f"{root}ru/sitemap.xml",
    ]
    page = BeautifulSoup((tmp_path / "404.html").read_text(encoding="utf-8"), "html.parser")
    base = re.sub(r"^https://[^/]+", "", root)
    editions = {str(a["hreflang"]): str(a["href"]) for a in page.select("a.edition")}
    assert editions == {"ru": f"{base}ru/index.html", "en": f"{base}en/index.html"}
    # Found at any depth: nothing it loads has a relative address.
    assert not page.find_all(["script", "img"])
    assert [link["href"] for link in page.find_all("link")] == ["data:,"]
    assert "$" not in page.get_text(), "a template field was left unfilled"


def test_site_files_need_both_editions(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match=r"no sitemap\.xml in ru"):
        sitefiles.write_site_files(tmp_path, ROOT / "conf.py")


def test_citation_cff_repeats_the_settings() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    settings = runpy.run_path(str(ROOT / "conf.py"))
    assert cff["version"] == rnngrad.__version__
    assert cff["preferred-citation"]["edition"] == rnngrad.__version__
    for entry in (cff, cff["preferred-citation"]):
        assert entry["repository-code"] == settings["rnngrad_repository"]
        assert entry["url"] == settings["rnngrad_site_url"]
