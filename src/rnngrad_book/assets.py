"""Offline assets: MathJax served from the site's own ``_static``, never from a CDN."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.application import Sphinx

# The single file conf.py's ``mathjax_path`` names, and the fonts it loads next to it.
MATHJAX = "tex-chtml-full.js"
FONTS = Path("output") / "chtml" / "fonts" / "woff-v2"


def mathjax_source() -> Path:
    """The ``es5`` folder of the pinned django-static-mathjax wheel."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("django-static-mathjax is not installed: run `make html`")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Put MathJax and its fonts into the HTML output's ``_static/mathjax``."""
    if exception is not None or app.builder.format != "html":
        return
    es5 = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(es5 / MATHJAX, target)
    shutil.copytree(es5 / FONTS, target / FONTS, dirs_exist_ok=True)


def setup(app: Sphinx) -> None:
    """Copy MathJax once the HTML build has finished."""
    app.connect("build-finished", copy_mathjax)
