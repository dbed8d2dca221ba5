"""rnngrad_book.handout, in-process on tests/roots/test-handout: the LaTeX the handout is
made of, read without running XeLaTeX."""

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
