"""rnngrad_book.handout, in-process on tests/roots/test-handout and test-plumbing: the LaTeX
the handout is made of, read without running XeLaTeX, and the site's folded plumbing code."""

from __future__ import annotations

import re

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx_apps import UPSTREAM_DEPRECATIONS

pytestmark = UPSTREAM_DEPRECATIONS


def latex(app: SphinxTestApp) -> str:
    app.build()
    return (app.outdir / f"probe-{app.config.language}.tex").read_text(encoding="utf-8")


def positions(tex: str, *needles: str) -> list[int]:
    found = [tex.find(needle) for needle in needles]
    missing = [needle for needle, at in zip(needles, found, strict=True) if at < 0]
    assert not missing, f"not in the .tex: {missing}"
    return found


@pytest.mark.sphinx("latex", testroot="handout", srcdir="handout-en")
def test_the_chapter_comes_first_then_solutions_then_the_api(app: SphinxTestApp) -> None:
    tex = latex(app)
    order = positions(
        tex,
        r"\chapter{Probe}",
        "opening words.",
        r"\section{Exercises}",
        r"\section{The last section}",
        r"\appendix",
        r"\chapter{Solutions to the exercises}",
        "Three steps.",
        r"\chapter{API reference}",
    )
    assert order == sorted(order), "the handout's parts are out of order"
    assert tex.count(r"\appendix") == 1


@pytest.mark.sphinx("latex", testroot="handout", srcdir="handout-en")
def test_title_page_and_file_name_follow_the_language(app: SphinxTestApp) -> None:
    tex = latex(app)
    assert r"\title{Probe}" in tex
    assert r"\author{Probe authors}" in tex


@pytest.mark.sphinx("latex", testroot="handout", srcdir="handout-en")
def test_an_exercise_carries_the_label_references_point_at(app: SphinxTestApp) -> None:
    tex = latex(app)
    anchor = r"\phantomsection\label{exercises:ex-steps}"
    label, exercise = positions(tex, anchor, "How many steps?")
    assert label < exercise


@pytest.mark.sphinx("latex", testroot="handout", srcdir="handout-en")
def test_a_solution_leaves_a_page_pointer_behind(app: SphinxTestApp) -> None:
    tex = latex(app)
    pointer = (
        r"\par\noindent\hyperref[exercises:sol-steps]"
        r"{Solution: page~\pageref*{exercises:sol-steps}}.\par"
    )
    question, left, appendix, answer = positions(
        tex, "How many steps?", pointer, r"\appendix", "Three steps."
    )
    assert question < left < appendix < answer


@pytest.mark.sphinx(
    "latex", testroot="handout", srcdir="handout-ru", confoverrides={"language": "ru"}
)
def test_the_russian_handout_speaks_russian(app: SphinxTestApp) -> None:
    tex = latex(app)
    assert r"\title{Проба}" in tex
    assert r"\author{Авторы пробы}" in tex
    assert r"\chapter{Решения упражнений}" in tex
    assert re.search(r"\{Решение: с\.~\\pageref\*\{exercises:sol-steps\}\}", tex)


@pytest.mark.sphinx("html", testroot="handout", srcdir="handout-html")
def test_the_site_keeps_each_solution_under_its_exercise(app: SphinxTestApp) -> None:
    app.build()
    html = (app.outdir / "exercises.html").read_text(encoding="utf-8")
    assert "Solutions to the exercises" not in html
    assert html.index("How many steps?") < html.index("Three steps.")


@pytest.mark.sphinx("latex", testroot="plumbing", srcdir="plumbing-latex")
def test_plumbing_code_is_left_off_the_paper(app: SphinxTestApp) -> None:
    """A cell tagged hide-input prints no code; its output stays; a cell that teaches is
    printed whole."""
    tex = latex(app)
    assert r"\PYG{n}{taught}" in tex, "the untagged cell's code is missing"
    assert "a table the code made" in tex, "the folded cell's output is missing"
    for name in ("glued", "folded"):
        assert name not in tex, f"the code of the cell that defines {name!r} is printed"


def title_page(tex: str) -> str:
    start, end = positions(tex, r"\begin{titlepage}", r"\end{titlepage}")
    return tex[start:end]


@pytest.mark.sphinx("latex", testroot="plumbing", srcdir="plumbing-title")
def test_title_page_says_what_the_chapter_is_and_where_the_code_is(app: SphinxTestApp) -> None:
    page = title_page(latex(app))
    for words in (
        r"\@title",
        "A probe of the handout",
        "Grown from the lecture “The probe lecture”",
        r"\@date",
        r"\textbf{Code.} Cells that only compute",
        r"\url{/en/}",  # the root has no rnngrad_site_url
    ):
        assert words in page, f"not on the title page: {words!r}"
    assert r"{\@author}" not in page.replace(r"pdfauthor={\@author}", ""), "authors printed"


@pytest.mark.sphinx(
    "latex", testroot="plumbing", srcdir="plumbing-title-ru", confoverrides={"language": "ru"}
)
def test_the_russian_title_page_speaks_russian(app: SphinxTestApp) -> None:
    page = title_page(latex(app))
    assert "Проба раздатки" in page
    assert "Глава основана на лекции «Пробная лекция»" in page
    assert r"\textbf{Код.} Ячейки, которые лишь вычисляют" in page


FOLD = re.compile(
    # No aria-label: the visible prompt, in the page's language, is the toggle's name.
    r'<details class="[^"]*hide[^"]*above-input[^"]*">\s*<summary>\s*'
    r'<p class="collapsed admonition-title">([^<]*)</p>\s*'
    r'<p class="expanded admonition-title">([^<]*)</p>'
)


def folded_site(app: SphinxTestApp, prompts: tuple[str, str]) -> None:
    """The page folds each plumbing cell's code behind a toggle with these prompts, and
    leaves the lesson's code open."""
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    folds = FOLD.findall(html)
    assert folds == [prompts, prompts], f"the toggles read {folds}"
    assert "Toggle hidden content" not in html
    for at in (html.index("glued"), html.index("folded")):
        assert html.rfind("<details", 0, at) > html.rfind("</details>", 0, at), html[at - 300 : at]
    at = html.index("taught")
    assert html.rfind("<details", 0, at) < html.rfind("</details>", 0, at), "the lesson is folded"


@pytest.mark.sphinx("html", testroot="plumbing", srcdir="plumbing-html-en")
def test_the_site_folds_plumbing_code_behind_a_toggle(app: SphinxTestApp) -> None:
    folded_site(app, ("Show code", "Hide code"))


@pytest.mark.sphinx(
    "html", testroot="plumbing", srcdir="plumbing-html-ru", confoverrides={"language": "ru"}
)
def test_the_russian_toggle_speaks_russian(app: SphinxTestApp) -> None:
    """MyST-NB's prompts are settings, not in any catalogue; book/locale translates them."""
    folded_site(app, ("Показать код", "Скрыть код"))
