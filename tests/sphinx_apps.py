"""Shared by the in-process tests of the book's extension (tests/test_book_*.py)."""

from __future__ import annotations

import pytest

# sphinx-exercise 1.2.1 and sphinx-book-theme 1.4.0 read ``env.app`` and their transforms'
# ``self.app``, which Sphinx 9 deprecates (removal in 11): theirs to fix, not ours.
UPSTREAM_DEPRECATIONS = pytest.mark.filterwarnings(
    r"ignore:'(sphinx\.environment\.BuildEnvironment|(sphinx_book_theme|sphinx_exercise)\.[\w.]+)"
    r"\.app'"
    ":sphinx.deprecation.RemovedInSphinx11Warning"
)
