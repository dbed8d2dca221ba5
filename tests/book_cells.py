"""The book's code cells as MyST-NB reads them: where each stands, its tags, and whether it
belongs to an exercise's solution (tests/test_plumbing_cells.py, tests/test_pdf.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from myst_nb.core.read import read_myst_markdown_notebook

BOOK = Path(__file__).resolve().parents[1] / "book"
FOLDED, KEPT = "hide-input", "keep-input"
SOLUTION = re.compile(r"^(`{3,}|:{3,})\{solution-(start|end)\}", re.M)


@dataclass(frozen=True)
class Cell:
    """A code cell where a reader of the source finds it."""

    page: str
    number: int  # the page's n-th code cell, counted from 1 as tests/test_parity.py does
    line: int  # of its ```{code-cell} fence
    source: str
    tags: frozenset[str]
    in_solution: bool

    def where(self) -> str:
        return f"{self.page}, code cell {self.number} (line {self.line})"


def code_cells(path: Path) -> list[Cell]:
    """The code cells of a MyST page, read by MyST-NB as the build reads them."""
    notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), add_source_map=True)
    page = path.relative_to(BOOK.parent).as_posix()
    cells, in_solution = [], False
    for cell, line in zip(notebook.cells, notebook.metadata["source_map"], strict=True):
        if cell.cell_type == "markdown":
            # A gated solution opens in one markdown cell and closes in a later one.
            for match in SOLUTION.finditer(cell.source):
                in_solution = match.group(2) == "start"
        elif cell.cell_type == "code":
            tags = frozenset(cell.metadata.get("tags", ()))
            cells.append(Cell(page, len(cells) + 1, line, cell.source, tags, in_solution))
    return cells


def pages(lang: str) -> list[Path]:
    """Every MyST page of an edition."""
    return sorted((BOOK / lang).rglob("*.md"))
