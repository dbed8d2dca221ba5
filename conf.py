"""Sphinx settings shared by both editions of the chapter.

One Sphinx run per language:  sphinx-build -c . -D language=xx book/xx _build/xx/html
The machinery (hooks, transforms, bibliography styles) is the extension ``rnngrad_book``
(src/rnngrad_book/); what depends on the language it sets once ``-D language=…`` is known.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from sphinx.deprecation import RemovedInSphinx10Warning

ROOT = Path(__file__).resolve().parent
# sphinx-autodoc-typehints 3.6 calls a Sphinx API deprecated for Sphinx 10; not ours to fix.
warnings.filterwarnings(
    "ignore", category=RemovedInSphinx10Warning, module="sphinx_autodoc_typehints"
)

# -- Project -------------------------------------------------------------------------------
rnngrad_languages = {"en": "English", "ru": "Русский"}
rnngrad_titles = {"en": "Vanishing gradients", "ru": "Затухающие градиенты"}
project = rnngrad_titles["en"]
author = "rnngrad contributors"
copyright = "2026, rnngrad contributors"
language = "en"
root_doc = "index"
# Written once; rnngrad_book.publishing derives links, html_baseurl, sitemap, 404 and citation.
rnngrad_repository = "https://github.com/rnngrad/vanishing-gradients"
rnngrad_site_url = "https://rnngrad.github.io/vanishing-gradients/"
# A date every reader can parse: «25 ноября 2026», "25 November 2026".
today_fmt = html_last_updated_fmt = "%-d %B %Y"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_autodoc_typehints",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
    "sphinx_exercise",
    "sphinx_togglebutton",
    "sphinx_sitemap",
    "sphinxext.opengraph",
    "rnngrad_book",
]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]
templates_path = [str(ROOT / "book" / "_templates")]
html_static_path = [str(ROOT / "book" / "_static")]
# Switching language keeps the reader at the same section (see the file).
html_js_files = [("language-switch.js", {"defer": "defer"})]
# The theme's Russian catalogue misses a few interface strings; ours fills them in.
locale_dirs = [str(ROOT / "book" / "locale")]

# -- Strictness ----------------------------------------------------------------------------
# Every reference to rnngrad's own names must resolve (others: see rnngrad_book.api).
nitpicky = True
# Docstring types such as "array_like, shape (T, n_h)" make every word a cross-reference, and
# "n_h" names an attribute of RNN, LSTM and GRU alike. "ref.python" is only the warning
# about such ambiguous targets; a missing target is still an error.
suppress_warnings = ["ref.python"]

# -- MyST and execution --------------------------------------------------------------------
# Figures and equations are numbered through the chapter, in toctree order, as in the
# handout; 0: no section prefix (Fig. 7 and (17), not Fig. 1.7 and (1.17)).
numfig = True
numfig_secnum_depth = 0
math_numfig = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True
# The execution cache is keyed on the library's source and this profile (rnngrad_book).
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
rnngrad_ipython_profile = str(ROOT / "book" / "_ipython")
# stderr is shown on the page and reported with its text as a warning (rnngrad_book).
nb_output_stderr = "show"
nb_merge_streams = False

# -- Bibliography: {cite:t}`key` → "Pascanu et al. (2013)", «Pascanu и др. (2013)» --------
bibtex_bibfiles = ["book/references.bib"]

# -- Autodoc -------------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_type_aliases = {"ArrayLike": "numpy.typing.ArrayLike"}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
typehints_use_rtype = False
always_document_param_types = False

# -- HTML: offline (MathJax from _static), accessible (tests/test_browser.py) ---------------
html_theme = "sphinx_book_theme"
html_copy_source = True
html_show_sourcelink = True
mathjax_path = "mathjax/tex-chtml-full.js"
html_theme_options: dict[str, Any] = {
    "article_header_end": [
        "language-switch.html",
        "slides-link.html",
        "article-header-buttons.html",
    ],
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
    # Module pages nested in the sidebar would add expand toggles whose <summary> has no
    # text (axe-core: summary-name, serious); the API page lists them.
    "max_navbar_depth": 1,
}
# Left empty, the theme logs "Got invalid theme mode" as a console error on first visits.
html_context: dict[str, Any] = {"default_mode": "auto"}
# The title link inside a <nav> landmark (home-link.html; axe-core rule "region").
html_sidebars = {
    "**": ["home-link.html", "icon-links.html", "search-button-field.html", "sbt-sidebar-nav.html"]
}
# Without an icon of its own every page makes the browser ask for /favicon.ico (a 404).
html_favicon = str(ROOT / "book" / "_static" / "favicon.svg")

# -- LaTeX / PDF: the handout, _build/<lang>/latex/vanishing-gradients-<lang>.pdf ----------
# Sphinx's xelatex defaults (polyglossia, fontspec, FreeSerif) cover Cyrillic and give
# Russian hyphenation; figures are vector PDF (book/_ipython).
rnngrad_handout = "vanishing-gradients"  # the Makefile's HANDOUT
rnngrad_authors = {"en": author, "ru": "Авторы rnngrad"}  # cited, not on the title page
# The title page: a subtitle, and the title of the lecture (the seed's slides) it grew from.
rnngrad_subtitles = {
    "en": "Why gradients vanish and explode in recurrent networks, and what to do about it",
    "ru": "Почему градиенты в рекуррентных сетях затухают или взрываются и что с этим делать",
}
rnngrad_lectures = {"en": "Vanishing gradients problem", "ru": "Проблема затухающих градиентов"}
# Printed after the chapter (and its solutions) as appendices, not as sections of it.
rnngrad_handout_appendices = ("api",)
latex_engine = "xelatex"
latex_use_xindy = False
latex_toplevel_sectioning = "chapter"
latex_domain_indices = False
latex_show_urls = "footnote"
# The handout's layout (no blank pages, no contents, the chapter heading, wrapped code) is
# rnngrad_book.handout's; a key set here overrides it.
latex_elements: dict[str, str] = {"papersize": "a4paper", "pointsize": "11pt"}
