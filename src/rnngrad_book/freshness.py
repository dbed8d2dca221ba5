"""An HTML folder built into again, instead of emptied first, holds what a cold build
would write: no stale page, and the same bytes in every page rewritten.

Sphinx writes only the pages that changed, which keeps a warm build fast, but it never
deletes the output of a page whose source is gone: its .html, its copied source and its
published notebook would stay on the site (the search index it does prune, in
``StandaloneHTMLBuilder.load_indexer``). Every page Sphinx writes leaves its source in
``_sources``, so that folder lists what earlier builds published; a page listed there that
the project no longer has is removed, whichever build (HTML or LaTeX, sharing one
environment) first noticed that its source was deleted.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)


def published_sources(app: Sphinx) -> Iterator[tuple[str, Path]]:
    """``(docname, copied source)`` for every page an HTML build has written here."""
    folder = Path(app.outdir) / "_sources"
    link_suffix = app.config.html_sourcelink_suffix
    suffixes = sorted(app.config.source_suffix, key=len, reverse=True)
    for copied in sorted(folder.rglob("*")) if folder.is_dir() else []:
        name = copied.relative_to(folder).as_posix()
        if not copied.is_file() or not name.endswith(link_suffix):
            continue
        source = name.removesuffix(link_suffix)
        suffix = next((s for s in suffixes if source.endswith(s)), None)
        if suffix is not None:
            yield source.removesuffix(suffix), copied


def remove_stale_pages(app: Sphinx, exception: Exception | None) -> None:
    """Delete the page, source copy and notebook of every page whose source is gone."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for docname, copied in published_sources(app):
        if docname in app.env.found_docs:
            continue
        LOGGER.info("removing the stale page %s", docname)
        for output in (outdir / f"{docname}.html", outdir / f"{docname}.ipynb", copied):
            output.unlink(missing_ok=True)


def remove_stale_images(app: Sphinx, exception: Exception | None) -> None:
    """Delete every file in the images folder that no page of the project shows any more.

    A figure computed at build time gets a new file name whenever its content changes, and
    Sphinx copies the new file without removing the old one: after a few warm builds the
    folder held ten times the figures the pages link, all of them served with the site.
    """
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / app.builder.imagedir
    shown = {name for _, name in app.env.images.values()}
    for image in sorted(folder.iterdir()) if folder.is_dir() else []:
        if image.is_file() and image.name not in shown:
            LOGGER.info("removing the stale image %s", image.name)
            image.unlink()


def empty_static(app: Sphinx) -> None:
    """Start from an empty ``_static``, which Sphinx fills again before writing pages.

    Sphinx links an asset with a ``?v=<checksum>`` only if the file is already in the
    output when the page is written. Assets that extensions copy once the build has
    finished (MathJax here, MyST-NB's and sphinx-exercise's CSS) are missing then in a cold
    build, but present in a folder built into again: without this, a page rewritten by a
    warm build would link them differently from one written by a cold build.
    """
    if app.builder.format == "html":
        shutil.rmtree(Path(app.outdir) / "_static", ignore_errors=True)


def setup(app: Sphinx) -> None:
    """Empty the assets before the build and sweep the pages and images after it."""
    app.connect("builder-inited", empty_static)
    app.connect("build-finished", remove_stale_pages)
    app.connect("build-finished", remove_stale_images)
