"""The book's machinery as a Sphinx extension: ``extensions = [..., "rnngrad_book"]``.

One module per concern, each with its own ``setup``; conf.py holds the settings only.
The bibliography styles are found by pybtex and sphinxcontrib-bibtex through the entry
points in pyproject.toml, so this package must be installed (``pip install -e .``).
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

from rnngrad_book import (
    api,
    assets,
    bibliography,
    bilingual,
    downloads,
    execution,
    explorable,
    freshness,
    handout,
    publishing,
)

__all__ = ["setup"]


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register every concern's configuration values, hooks and transforms."""
    for module in (
        bilingual,
        execution,
        api,
        bibliography,
        handout,
        downloads,
        assets,
        explorable,
        freshness,
        publishing,
    ):
        module.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
