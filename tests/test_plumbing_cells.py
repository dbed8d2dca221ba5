"""Plumbing code is folded on the site and left off the handout's paper; code that teaches
is shown in both (rnngrad_book.handout).

A code cell whose only job is to glue values into the prose or to place a figure must be
tagged ``hide-input``: the site folds its code behind a "Show code" toggle and the PDF
prints only what it shows. Such a cell that teaches all the same (a derivation checked
numerically) is tagged ``keep-input`` instead; an exercise's solution always keeps its code.
A cell that asserts a claim or defines a function is not judged here: its author decides,
and tags it ``hide-input`` if its code is plumbing too.
"""

from __future__ import annotations

import ast

import pytest
from book_cells import BOOK, FOLDED, KEPT, code_cells, pages


def calls(tree: ast.AST) -> list[str]:
    """The names called in the code: ``glue`` for glue(...), ``plots.x`` for plots.x(...)."""
    return [ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)]


def only_glues_or_places_a_figure(source: str) -> bool:
    """Whether the cell's job, seen from its code, is only to glue values into the prose or
    to place a figure: it glues, or ends on a call of ``plots``, and checks no claim and
    defines nothing (an ``assert``, a ``def`` or a ``lambda`` is the author's call)."""
    tree = ast.parse(source)
    checks = any(
        isinstance(node, ast.Assert | ast.FunctionDef | ast.ClassDef | ast.Lambda)
        for node in ast.walk(tree)
    ) or any(name.rpartition(".")[2].startswith("assert") for name in calls(tree))
    last = tree.body[-1] if tree.body else None
    places = isinstance(last, ast.Expr) and any(name.startswith("plots.") for name in calls(last))
    return not checks and ("glue" in calls(tree) or places)


LANGS = ("en", "ru")


@pytest.mark.parametrize("lang", LANGS)
def test_plumbing_cells_are_folded(lang: str) -> None:
    untagged = [
        cell.where()
        for path in pages(lang)
        for cell in code_cells(path)
        if only_glues_or_places_a_figure(cell.source)
        and not cell.in_solution
        and not cell.tags & {FOLDED, KEPT}
    ]
    assert not untagged, (
        "these cells only glue values or place a figure, and their code is shown in full on "
        f"the site and in the PDF. Add the line ':tags: [{FOLDED}]' under the cell's "
        f"```{{code-cell}} line, in book/en and book/ru alike (or ':tags: [{KEPT}]' if the "
        "code itself teaches, as a derivation checked numerically does):\n  "
        + "\n  ".join(untagged)
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_cell_is_folded_or_kept_not_both(lang: str) -> None:
    both = [
        cell.where()
        for path in pages(lang)
        for cell in code_cells(path)
        if {FOLDED, KEPT} <= cell.tags or (cell.in_solution and FOLDED in cell.tags)
    ]
    assert not both, (
        f"tagged both {FOLDED} and {KEPT}, or a solution's code folded (on paper a "
        "solution keeps its code):\n  " + "\n  ".join(both)
    )


def test_the_book_has_cells_of_both_kinds() -> None:
    """Guard against a reader that finds no cell, or no tag, and so finds nothing wrong."""
    cells = [cell for path in pages("en") for cell in code_cells(path)]
    assert sum(FOLDED in cell.tags for cell in cells) >= 10
    assert any(cell.in_solution for cell in cells)
    assert any(not cell.tags and not only_glues_or_places_a_figure(cell.source) for cell in cells)
    lines = (BOOK / "en" / "why.md").read_text(encoding="utf-8").splitlines()
    for cell in code_cells(BOOK / "en" / "why.md"):
        assert lines[cell.line - 1].startswith("```{code-cell}"), cell.where()


@pytest.mark.parametrize(
    ("source", "plumbing"),
    [
        ('glue("lag", 9, display=False)', True),
        ('lag = 9\nglue("lag", format_count(lag, "step", lang="en"), display=False)', True),
        ('for k in (1, 2):\n    glue(f"k-{k}", k, display=False)', True),
        ('x = rnngrad.sweep(1)\nplots.spectral_sweep(x, lang="en")', True),
        ('gap = relative_error(a, b)\nassert gap < 1e-8\nglue("gap", gap, display=False)', False),
        ('np.testing.assert_allclose(a, b)\nglue("a", a, display=False)', False),
        ('def f(w):\n    return w\n\nglue("f", f(1), display=False)', False),
        ('J = numerical_jacobian(lambda z: W @ z, z0)\nglue("J", J, display=False)', False),
        ("import numpy as np\nmodel = rnngrad.RNN.random(3, 4, rng=0)", False),
        ('plots.spectral_sweep(x, lang="en")\nx = 1', False),
    ],
)
def test_the_rule(source: str, plumbing: bool) -> None:
    assert only_glues_or_places_a_figure(source) is plumbing
