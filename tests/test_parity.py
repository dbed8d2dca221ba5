"""The English and Russian trees must be the same book in two languages.

Same files; on each page the same labels, equation labels, figure names, glue keys, cited
works and heading structure; and the same code cells, up to the language argument and the comments
(which are written in the page's language). A failure names the file and what differs.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
LANGS = ("en", "ru")

FENCE = re.compile(r"^(`{3,}|:{3,})\s*(\{[\w:-]+\})?(.*)$")
LANG_ARG = re.compile(r"""lang\s*=\s*(["'])(en|ru)\1""")
PATTERNS = {
    "targets": re.compile(r"^\(([\w.-]+)\)=\s*$", re.M),
    "names": re.compile(r"^:name:\s*(\S+)", re.M),
    "equation labels": re.compile(r"\$\$\s*\(([\w.-]+)\)\s*$|^:label:\s*(\S+)", re.M),
    "glue keys": re.compile(
        r"""glue\(\s*["']([\w.-]+)["']|\{glue(?::\w+)?\}`([\w.-]+)|"""
        r"""\{glue:figure\}\s+([\w.-]+)"""
    ),
    "references": re.compile(r"\{(?:ref|numref|eq|doc)\}`(?:[^<`]*<)?([^>`]+)>?`"),
}
CITATION = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


def tree(lang: str) -> set[str]:
    root = BOOK / lang
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def pages() -> list[str]:
    return sorted(p for p in tree("en") if p.endswith(".md"))


def split_cells(text: str) -> tuple[list[str], str]:
    """Return the code cells of a MyST page and its prose with the code cells removed."""
    cells: list[str] = []
    prose: list[str] = []
    lines = iter(text.splitlines())
    for line in lines:
        match = FENCE.match(line)
        if match and match.group(2) == "{code-cell}":
            body = []
            for inner in lines:
                if inner.strip() == match.group(1):
                    break
                body.append(inner)
            cells.append("\n".join(body).strip())
        else:
            prose.append(line)
    return cells, "\n".join(prose)


def headings(prose: str) -> list[int]:
    """Heading levels in order, ignoring '#' lines inside fenced blocks."""
    levels, fence = [], None
    for line in prose.splitlines():
        match = FENCE.match(line)
        if match and (fence is None or match.group(1) == fence):
            fence = None if fence else match.group(1)
        elif fence is None and (heading := re.match(r"^(#{1,6})\s", line)):
            levels.append(len(heading.group(1)))
    return levels


def without_comments(code: str) -> str:
    """The code of a cell with its comments removed: comments are prose, in the page's language."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    kept = [tok for tok in tokens if tok.type != tokenize.COMMENT]
    lines = tokenize.untokenize(kept).splitlines()
    # Blank lines too: a comment may take more lines in one language than in the other.
    return "\n".join(line.rstrip() for line in lines if line.strip())


def features(text: str) -> dict[str, list[str]]:
    _cells, prose = split_cells(text)
    found = {
        name: sorted("".join(groups) for groups in pattern.findall(text))
        if pattern.groups > 1
        else sorted(pattern.findall(text))
        for name, pattern in PATTERNS.items()
    }
    found["heading levels"] = [str(level) for level in headings(prose)]
    # A work may be cited once in one language and twice in the other; the set must agree.
    keys = {key.strip() for keys in CITATION.findall(prose) for key in keys.split(",")}
    found["cited works"] = sorted(keys)
    return found


def read(lang: str, page: str) -> str:
    return (BOOK / lang / page).read_text(encoding="utf-8")


def test_same_files_in_both_trees() -> None:
    only = {lang: sorted(tree(lang) - tree(other)) for lang, other in [("en", "ru"), ("ru", "en")]}
    assert only == {"en": [], "ru": []}, f"files present in one tree only: {only}"


@pytest.mark.parametrize("page", pages())
def test_same_structure(page: str) -> None:
    en, ru = features(read("en", page)), features(read("ru", page))
    for kind in en:
        assert en[kind] == ru[kind], (
            f"book/{{en,ru}}/{page}: the {kind} differ\n  en: {en[kind]}\n  ru: {ru[kind]}"
        )


@pytest.mark.parametrize("page", pages())
def test_code_cells_identical_up_to_language(page: str) -> None:
    cells = {}
    for lang in LANGS:
        code, _ = split_cells(read(lang, page))
        for number, cell in enumerate(code, 1):
            wrong = {m.group(2) for m in LANG_ARG.finditer(cell)} - {lang}
            assert not wrong, f"book/{lang}/{page}, code cell {number}: passes lang={wrong}"
        cells[lang] = [LANG_ARG.sub("lang=LANG", without_comments(cell)) for cell in code]
    assert len(cells["en"]) == len(cells["ru"]), (
        f"book/{{en,ru}}/{page}: {len(cells['en'])} code cells in en, {len(cells['ru'])} in ru"
    )
    for number, (en, ru) in enumerate(zip(cells["en"], cells["ru"], strict=True), 1):
        assert en == ru, f"book/{{en,ru}}/{page}, code cell {number} differs:\n{en}\n---\n{ru}"


def test_the_parser_sees_what_it_compares() -> None:
    """Guard against a parser that finds nothing and so finds no difference."""
    found = features(read("en", "index.md"))
    assert found["glue keys"], "no glue key found in book/en/index.md"
    assert found["targets"] == ["title-page"]
    assert split_cells(read("en", "index.md"))[0], "no code cell found in book/en/index.md"
