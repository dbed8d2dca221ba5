"""The files of the whole published site, which no one edition's build can write: the 404
page and the sitemap index. `make site` runs ``python -m rnngrad_book.sitefiles SITE``.

Not a Sphinx concern, so not imported by the extension: the settings come from conf.py.
"""

from __future__ import annotations

import argparse
import runpy
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

NOT_FOUND_TEMPLATE = Path(__file__).resolve().parents[2] / "book" / "_site" / "404.html"


def sitemap_index(root: str, languages: list[str]) -> str:
    """The sitemap index at the site's root: each edition's sitemap (sphinx-sitemap writes
    one per edition, with every page's twins as hreflang alternates)."""
    entries = "".join(
        f"  <sitemap><loc>{root}{lang}/sitemap.xml</loc></sitemap>\n" for lang in languages
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</sitemapindex>\n"
    )


def not_found_page(root: str, repository: str) -> str:
    """The site's 404 page, in both languages, from book/_site/404.html.

    GitHub Pages answers every missing address with the root's 404.html, at any depth, so
    its links are absolute paths under the site's root, and it loads nothing: no
    stylesheet, script or icon whose relative address would break one folder down.
    """
    template = Template(NOT_FOUND_TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(base=urlsplit(root).path, repository=repository)


def write_site_files(site: Path, conf: Path) -> None:
    """Write ``site``'s 404.html and sitemap.xml from the settings of ``conf``."""
    settings = runpy.run_path(str(conf))
    root = settings["rnngrad_site_url"].rstrip("/") + "/"
    languages = list(settings["rnngrad_languages"])
    missing = [lang for lang in languages if not (site / lang / "sitemap.xml").is_file()]
    if missing:
        raise FileNotFoundError(
            f"site: no sitemap.xml in {', '.join(missing)} of {site}: build the editions first"
        )
    (site / "sitemap.xml").write_text(sitemap_index(root, languages), encoding="utf-8")
    page = not_found_page(root, settings["rnngrad_repository"])
    (site / "404.html").write_text(page, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """``python -m rnngrad_book.sitefiles SITE [--conf conf.py]``, as `make site` runs it."""
    parser = argparse.ArgumentParser(description=write_site_files.__doc__)
    parser.add_argument("site", type=Path, help="the assembled site (_build/site)")
    parser.add_argument("--conf", type=Path, default=Path("conf.py"), help="the book's conf.py")
    args = parser.parse_args(argv)
    write_site_files(args.site, args.conf)


if __name__ == "__main__":
    main()
