"""Sphinx settings of the lecture's slides, one reveal.js deck per language.

    sphinx-build -b revealjs -c slides -D language=xx slides/xx _build/xx/slides/deck

The deck is executed like the chapter (rnngrad_book.execution: the same kernel profile, the
same execution cache and experiments), so its figures and numbers come from the same calls.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

project = "Vanishing gradients"
author = "rnngrad contributors"
copyright = "2026, rnngrad contributors"
language = "en"
root_doc = "index"
extensions = ["myst_nb", "sphinx.ext.mathjax", "sphinx_revealjs", "rnngrad_book.slides"]
exclude_patterns = ["jupyter_execute"]

# -- Execution: the chapter's (conf.py at the root) ---------------------------------------
rnngrad_build_dir = os.environ.get("RNNGRAD_BUILD_DIR") or str(ROOT / "_build")
rnngrad_experiment_cache = str(ROOT / "_build" / "experiments")
rnngrad_ipython_profile = str(ROOT / "book" / "_ipython")
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "attrs_inline"]
myst_dmath_double_inline = True
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
nb_output_stderr = "show"
nb_merge_streams = False
# A slide shows what a cell computes, never its code: the chapter shows the code.
nb_remove_code_source = True
# MyST-NB knows no priorities for the revealjs builder: the site's, SVG first.
nb_mime_priority_overrides = [
    ("revealjs", "image/svg+xml", 10),
    ("revealjs", "image/png", 20),
    ("revealjs", "text/html", 30),
    ("revealjs", "text/plain", 40),
]

# -- reveal.js ----------------------------------------------------------------------------
# MathJax from the deck's own _static (rnngrad_book.assets copies it), as on the site.
mathjax_path = "mathjax/tex-chtml-full.js"
revealjs_html_theme = "revealjs-simple"
templates_path = [str(ROOT / "slides" / "_templates")]  # page.html: one landmark, see there
revealjs_style_theme = "white"
revealjs_static_path = [str(ROOT / "slides" / "_static")]
revealjs_css_files = ["slides.css"]
revealjs_js_files = [("slides.js", {"defer": "defer"})]
revealjs_script_conf = {
    "width": 1280,
    "height": 720,
    "hash": True,
    "center": False,
    "transition": "none",
    "slideNumber": "c/t",
    # The PDF: one slide a page, every fragment shown.
    "pdfMaxPagesPerSlide": 1,
    "pdfSeparateFragments": False,
}
revealjs_script_plugins = [
    {"name": "RevealNotes", "src": "revealjs/plugin/notes/notes.js"},
]
