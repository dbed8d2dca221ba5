"""The lecture's slides: one reveal.js deck per language (sphinx-revealjs), and its PDF.

A deck is built by its own small Sphinx project (``slides/conf.py``) with the extension
``rnngrad_book.slides``: the chapter's execution (same kernel profile, same caches), MathJax
from the deck's own ``_static``, and the role ``{chapter}`` that links a slide back to its
section of the chapter. The deck lives at ``<lang>/slides/`` of the site, one level below
the chapter's pages, so ``{chapter}`Title <bptt#equation-eq-factor>``` points at
``../bptt.html#equation-eq-factor``.

``python -m rnngrad_book.slides DECK.html OUT.pdf`` prints a built deck to a PDF, one slide
a page, in Debian's Chromium through Playwright (reveal.js's print view, ``?print-pdf``).
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.nodes import Node, system_message
from sphinx.application import Sphinx
from sphinx.util.docutils import ReferenceRole
from sphinx.util.typing import ExtensionMetadata

from rnngrad_book import assets, execution

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The flags that keep Chromium from calling home (tests/test_browser.py uses them too).
# Playwright adds --headless and a fresh --user-data-dir (a temporary profile per launch)
# itself; it refuses a second one in args.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
# reveal.js's print view has laid the deck out: it moves every slide into a page of its own,
# after "ready" (and then counts none as slides).
LAID_OUT = 'document.querySelector(".pdf-page") && !document.querySelector(".loading-scroll-mode")'
# Then ready to print: MathJax finished, every image decoded, fonts loaded; the page count.
READY = """async () => {
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  await Promise.all([...document.images].map((img) => img.decode()));
  await document.fonts.ready;
  return document.querySelectorAll(".pdf-page").length;
}"""


class ChapterRole(ReferenceRole):
    """``{chapter}`Title <page#anchor>```: a link from a slide to the chapter's ``page``."""

    def run(self) -> tuple[list[Node], list[system_message]]:
        page, _, anchor = self.target.partition("#")
        if not page or "/" in page or page.endswith(".html"):
            message = self.inliner.reporter.error(
                f"chapter link {self.target!r}: expected a page of the chapter, as in "
                "'bptt' or 'bptt#equation-eq-factor'",
                line=self.lineno,
            )
            return [], [message]
        uri = f"../{page}.html" + (f"#{anchor}" if anchor else "")
        node = nodes.reference(self.rawtext, self.title, refuri=uri, classes=["chapter-link"])
        return [node], []


def kept_revealjs_files(theme_css: str, theme: str, plugins: list[str]) -> list[str]:
    """What a deck loads of reveal.js, as paths under ``_static/revealjs``: the core, the
    style theme and the fonts its stylesheet imports, the plugins' scripts."""
    fonts = re.findall(r"@import url\(\./(fonts/[^/)]+)/", theme_css)
    return [
        "dist/reveal.js",
        "dist/reveal.css",
        f"dist/theme/{theme}.css",
        *(f"dist/theme/{font}" for font in fonts),
        *(plugin.removeprefix("revealjs/") for plugin in plugins),
    ]


def prune_revealjs(app: Sphinx, exception: Exception | None) -> None:
    """Delete the parts of reveal.js the deck never loads (other themes and fonts, unused
    plugins, source maps): sphinx-revealjs copies all of it, 5.5 MB a language."""
    root = Path(app.outdir) / "_static" / "revealjs"
    if exception is not None or not root.is_dir():
        return
    theme = app.config.revealjs_style_theme
    css = (root / "dist" / "theme" / f"{theme}.css").read_text(encoding="utf-8")
    plugins = [plugin["src"] for plugin in app.config.revealjs_script_plugins]
    kept = [root / path for path in kept_revealjs_files(css, theme, plugins)]
    for path in sorted(root.rglob("*"), reverse=True):  # files before their folders
        if any(path == k or k in path.parents or path in k.parents for k in kept):
            continue
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink()


def print_pdf(deck: Path, pdf: Path, chromium: Path = CHROMIUM) -> int:
    """Print the built ``deck`` (its ``index.html``) to ``pdf``, one slide a page.

    Returns the number of pages of the print view, one a slide. Fails if the deck asks for
    anything outside the local files (the PDF must be what the offline deck shows).
    """
    from playwright.sync_api import Route, sync_playwright

    if not deck.is_file():
        raise FileNotFoundError(f"deck: no built deck at {deck}; run `make slides` first")
    if not chromium.is_file():
        raise FileNotFoundError(
            f"chromium: no Chromium at {chromium}; install Debian's with "
            "`sudo apt-get install --no-install-recommends chromium`, or set $CHROMIUM"
        )
    outside: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.route("**/*", local_only)
            page.goto(deck.resolve().as_uri() + "?print-pdf", wait_until="load")
            page.wait_for_function(LAID_OUT, timeout=60_000)
            slides: int = page.evaluate(READY)
            pdf.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    if outside:
        raise RuntimeError(f"deck {deck} requested outside its site: {sorted(set(outside))}")
    return slides


def setup(app: Sphinx) -> ExtensionMetadata:
    """Execute the deck as the chapter is executed, serve MathJax, link back to the chapter."""
    execution.setup(app)
    assets.setup(app)
    app.add_role("chapter", ChapterRole())
    app.connect("build-finished", prune_revealjs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> None:
    """The command line: ``python -m rnngrad_book.slides DECK OUT.pdf``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("deck", type=Path, help="the deck's index.html")
    parser.add_argument("pdf", type=Path, help="where to write the PDF")
    args: Any = parser.parse_args(argv)
    try:
        slides = print_pdf(args.deck, args.pdf)
    except (FileNotFoundError, RuntimeError) as error:
        parser.exit(1, f"rnngrad_book.slides: {error}\n")
    print(f"{args.pdf}: {slides} slides")


if __name__ == "__main__":
    main()
