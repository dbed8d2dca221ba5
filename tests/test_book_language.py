"""Mechanical checks on the prose of both editions, so that an editor's fixes stay fixed.

Each check reads the MyST sources (the chapter, the slide decks and the Russian strings of
``rnngrad.i18n``) with code, math and role targets masked, and names the file and line of every
hit with the wording to use instead. They need no build, so they run in ``make test-fast``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from rnngrad import i18n
from rnngrad.plots.style import house_style, plain_number

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("en", "ru")
NBSP = "\N{NO-BREAK SPACE}"

# A fence opens a block; its body is prose unless it is code, display math or literal text.
FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<what>\{[\w:-]+\}|[\w-]*)")
NOT_PROSE = {"{code-cell}", "{math}", "{code-block}", "{code}", "{eval-rst}"}
SINGLE_DOLLAR = re.compile(r"(?<!\$)\$(?!\$)")
INLINE_MATH = re.compile(r"(?<!\$)\$(?!\$)[^$\n]+\$")
# A role's text is prose only for the roles that print the words they are given.
# One pass over roles and inline code, left to right, so that the backtick closing one role
# never opens a code span.
ROLE = re.compile(r"\{(?P<name>[\w:-]+)\}`(?P<body>[^`]*)`|(?P<code>`[^`\n]+`)")
WORDED_ROLES = {"ref", "numref", "term", "chapter", "doc"}
TARGET = re.compile(r"<[^<>`]*>(?=\s*$)")
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
CYRILLIC = re.compile("[а-яё]", re.I)


@dataclass(frozen=True)
class Line:
    """A line of prose where a reader of the source finds it."""

    path: Path
    number: int
    raw: str
    text: str  # code, math and role targets replaced by spaces, so columns still match

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.number}"


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _mask_role(match: re.Match[str]) -> str:
    if match["code"]:
        return _blank(match)
    name, body = match["name"], match["body"]
    if name not in WORDED_ROLES:
        return match.group(0)[: len(name) + 3] + " " * len(body) + "`"
    return f"{{{name}}}`{TARGET.sub(_blank, body)}`"


def mask(text: str) -> str:
    """``text`` with inline math, inline code, the keys of non-worded roles and reference
    targets blanked out; what is left is what a reader reads."""
    text = INLINE_MATH.sub(_blank, text)
    return ROLE.sub(_mask_role, text)


def prose(path: Path) -> Iterator[Line]:
    """The prose lines of a MyST page: outside code cells, display math and literal blocks."""
    fences: list[tuple[str, bool]] = []  # the open blocks: their fence, and whether prose
    in_display = in_math = False  # inside $$ … $$, inside $ … $ wrapped across lines
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = raw.strip()
        in_math = in_math and bool(stripped)  # a paragraph ends what it opened
        if fences and stripped == fences[-1][0]:
            fences.pop()
            continue
        if fences and not fences[-1][1]:
            continue
        fence = FENCE.match(raw)
        if fence:
            what = fence["what"]
            fences.append((fence["fence"], what.startswith("{") and what not in NOT_PROSE))
            continue
        if in_display or stripped.startswith("$$"):
            # $$ … $$ on one line, or a block that opens here and closes on a later line.
            in_display = in_display != (stripped.count("$$") % 2 == 1)
            continue
        if re.match(r"^\([\w.-]+\)=\s*$", stripped) or stripped.startswith(
            ("%", ":label:", ":name:")
        ):
            continue
        opened = in_math
        text = "$" + raw if opened else raw
        in_math = len(SINGLE_DOLLAR.findall(text)) % 2 == 1
        masked = mask(text + "$" if in_math else text)
        yield Line(path, number, raw, masked[1 : len(raw) + 1] if opened else masked[: len(raw)])


def russian_strings() -> Iterator[Line]:
    """The Russian string literals of ``rnngrad.i18n``, each on the line that holds it (the
    rest of the line blanked)."""
    path = Path(i18n.__file__)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        russian = [m for m in STRING.finditer(raw) if CYRILLIC.search(m.group(0))]
        if russian and not raw.lstrip().startswith("#"):
            yield Line(path, number, raw, mask(" ".join(m.group(0)[1:-1] for m in russian)))


def sources(lang: str) -> list[Path]:
    pages = sorted((ROOT / "book" / lang).rglob("*.md"))
    return [*pages, ROOT / "slides" / lang / "index.md"]


def lines(lang: str) -> list[Line]:
    found = [line for path in sources(lang) for line in prose(path)]
    return [*found, *russian_strings()] if lang == "ru" else found


def report(hits: list[str], advice: str) -> str:
    return f"{len(hits)} hit(s); {advice}:\n" + "\n".join(hits)


@pytest.fixture(scope="module", params=LANGS)
def edition(request: pytest.FixtureRequest) -> tuple[str, list[Line]]:
    return request.param, lines(request.param)


def test_the_checks_read_prose_and_only_prose() -> None:
    """The reader must find prose, skip code and math, and keep a reference's words."""
    page = ROOT / "book" / "ru" / "bptt.md"
    text = "\n".join(line.text for line in prose(page))
    assert "import" not in text
    assert "\\frac" not in text
    assert "матриц" in text
    assert (
        mask("см. {ref}`«Измерения» <evidence>` и $x - 1$")
        == "см. {ref}`«Измерения»           ` и        "
    )
    assert mask("{glue:text}`first-step`") == "{glue:text}`          `"


def test_an_exercise_reference_is_not_preceded_by_its_own_word(
    edition: tuple[str, list[Line]],
) -> None:
    """sphinx-exercise prints "Exercise 9" / «Упражнение 9» for a reference: a word before it
    doubles the word («в упражнении Упражнение 9»)."""
    _, found = edition
    pattern = re.compile(r"(?i)\b(упражнени\w*|exercises?)\s+\{(ref|numref)\}`(?![^`]*%s)")
    hits = [f"{line.where()}: {line.text.strip()}" for line in found if pattern.search(line.text)]
    assert not hits, report(
        hits, "put the word inside: {numref}`упражнении %s <ex-…>` / {numref}`Exercise %s <ex-…>`"
    )


def test_every_reference_carries_its_own_words(edition: tuple[str, list[Line]]) -> None:
    """A bare {ref} prints the section's title into the sentence («В разделе Ошибка на слове…»)."""
    _, found = edition
    pattern = re.compile(r"\{ref\}`[^`<]*`")
    hits = [f"{line.where()}: {m.group(0)}" for line in found for m in pattern.finditer(line.raw)]
    assert not hits, report(
        hits, "give link text: {ref}`«Название» <label>` or words that fit the sentence"
    )


# Roles that print their own brackets: an equation number "(6)", an author-year citation
# ("Hochreiter et al. (2001)", «(2001)» after a Russian name).
BRACKETED = re.compile(r"\{(eq|cite:p|cite:t|cite:yearpar)\}`")


def paragraphs(found: list[Line]) -> Iterator[list[Line]]:
    """Consecutive prose lines of one file, split at blank lines."""
    block: list[Line] = []
    for line in found:
        if block and (line.path != block[-1].path or line.number != block[-1].number + 1):
            yield block
            block = []
        if line.text.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def doubled_brackets(block: list[Line]) -> Iterator[Line]:
    depth = 0
    for line in block:
        text = re.sub(r"\]\([^)]*\)", "]", line.text)  # a Markdown link's target
        roles = {m.start() for m in BRACKETED.finditer(text)}
        for column, char in enumerate(text):
            if column in roles and depth > 0:
                yield line
            depth += {"(": 1, ")": -1}.get(char, 0)
            depth = max(depth, 0)  # a list numbered «1)» closes nothing


def test_no_reference_prints_brackets_inside_brackets(edition: tuple[str, list[Line]]) -> None:
    """{eq} and the author-year citations print their own brackets: inside parentheses they
    render as «((6))» or «Хохрайтер (1991) (см. … (2001))»."""
    _, found = edition
    hits = [
        f"{line.where()}: {line.text.strip()}"
        for block in paragraphs(found)
        for line in doubled_brackets(block)
    ]
    advice = (
        "move the reference out of the parentheses, or inside them cite with {cite:alp}`key` "
        "(en: Hochreiter et al., 2001) or «Фамилия, {cite:year}`key`» (ru): they print no brackets"
    )
    assert not hits, report(hits, advice)


def test_no_hyphen_stands_for_a_minus(edition: tuple[str, list[Line]]) -> None:
    """A negative number in prose takes the minus sign U+2212, as the formatters print it."""
    _, found = edition
    pattern = re.compile(r"(?<![\w\-−–—])-\d")
    hits = [f"{line.where()}: {line.text.strip()}" for line in found if pattern.search(line.text)]
    assert not hits, report(hits, "write − (U+2212) or put the number in $…$")


def test_russian_abbreviations_keep_their_word() -> None:
    """«т. е.», «см. раздел», «рис. 3» must not break across lines: a no-break space follows."""
    found = lines("ru")
    pattern = re.compile(r"(?<![\w.])(т\.|см\.|рис\.|табл\.)(?:[ \t]|$)", re.I)
    hits = [f"{line.where()}: {line.text.strip()}" for line in found if pattern.search(line.text)]
    assert not hits, report(
        hits, f"put a no-break space (U+00A0) after the abbreviation: «см.{NBSP}раздел»"
    )


# Spellings where ё and е make two different words, so the ё rule cannot decide between them.
HOMOGRAPHS = frozenset(
    {"все", "всё", "всем", "всём", "нем", "нём", "совершенный", "узнаем", "небо"}
)
WORD = re.compile(r"[а-яё]+", re.I)


def test_the_russian_edition_writes_yo_where_it_belongs() -> None:
    """The book writes ё («зашёл», «её», «ещё»): a word it spells with ё somewhere must not
    appear spelled with е elsewhere."""
    found = lines("ru")
    with_yo = {w.lower() for line in found for w in WORD.findall(line.text) if "ё" in w.lower()}
    without = {
        w.replace("ё", "е"): w
        for w in with_yo
        if w not in HOMOGRAPHS and w.replace("ё", "е") not in HOMOGRAPHS
    }
    hits = [
        f"{line.where()}: «{word}» → «{without[word.lower()]}»"
        for line in found
        for word in WORD.findall(line.text)
        if word.lower() in without
    ]
    assert not hits, report(hits, "write ё")


@dataclass(frozen=True)
class Variant:
    """A wording the book has decided against, and the one it uses."""

    pattern: str
    use: str

    def hits(self, found: list[Line]) -> list[str]:
        """Each match as file:line, searched paragraph by paragraph so that a wrapped line
        hides nothing, and "^" is the paragraph's start."""
        regex = re.compile(self.pattern)
        out = []
        for block in paragraphs(found):
            text = "\n".join(line.text for line in block)
            for m in regex.finditer(text):
                line = block[
                    text.count("\n", 0, m.start() + len(m.group(0)) - len(m.group(0).lstrip()))
                ]
                out.append(f"{line.where()}: «{' '.join(m.group(0).split())}» → {self.use}")
        return out


# Both editions name the libraries as proper names in prose (the module names stay in code).
LIBRARY_NAMES = Variant(r"\b(numpy|torch)\b", "NumPy, PyTorch")

# The glossary's choices (book/<lang>/glossary.md); each variant was found in the text once.
VARIANTS = {
    "ru": [
        Variant(
            r"(?i)сжимающ\w*\s+(функци|нелинейн)\w*",
            "«насыщающаяся нелинейность» («сжимающая» — о динамике)",
        ),
        Variant(
            r"(?i)управляем\w*\s+сет\w*",
            "«вентильная сеть» (GRU — «управляемый рекуррентный блок»)",
        ),
        Variant(r"(?i)сет\w*\s+с\s+вентилями", "«вентильная сеть»"),
        Variant(r"(?i)вентильн\w*\s+ячейк\w*", "«вентильный блок» (у GRU ячейки нет)"),
        Variant(r"(?i)простая сеть с tanh", "«RNN с tanh»"),
        Variant(r"(?i)\bпотер(я|и|ю|е|ей|ям|ями|ях)\b", "«значение функции потерь»"),
        Variant(r"\bMSE\b", "«среднеквадратичная ошибка»"),
        Variant(r"\b[Пп]о\s+\{eq\}", "«согласно {eq}`…`» или «по формуле {eq}`…`»"),
        Variant(
            r"(?i)ячейк\w*\s+(кода|ниже|выше)|(следующ|предыдущ|последн)\w*\s+ячейк\w*",
            "«фрагмент кода», «код ниже» (ячейка — только у LSTM)",
        ),
        LIBRARY_NAMES,
        # Without words of its own, a reference prints the caption's «Рис. 5» mid-sentence.
        Variant(
            r"\{numref\}`(?![^`]*%s)[^`]*`", "«{numref}`рис.\u00a0%s <fig-…>`», «табл.\u00a0%s»"
        ),
    ],
    "en": [
        Variant(r"(?i)\bforget bias", "forget-gate bias"),
        Variant(r"(?i)\bgated cells?\b", "gated unit / gated network (the GRU has no cell)"),
        Variant(r"(?i)\b(plain|simple) tanh (network|RNN)", "tanh RNN"),
        Variant(
            r"(?i)\b(lower|upper) (right|left) (block|corner|entry|entries)",
            "a hyphenated compound: lower-right block",
        ),
        Variant(r"(?i)how to fight", "what can be done about it"),
        Variant(
            r"(?:^|[.!?]\s+)\{numref\}`(?![^`]*%s)[^`]*`",
            "{numref}`Figure %s <fig-…>` at the start of a sentence",
        ),
        LIBRARY_NAMES,
    ],
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_glossary_terms_are_used(lang: str) -> None:
    found = lines(lang)
    hits = [hit for variant in VARIANTS[lang] for hit in variant.hits(found)]
    assert not hits, report(hits, "use the glossary's term")


def test_a_figure_prints_the_minus_sign() -> None:
    """Tick labels and the numbers the plots put in their labels use U+2212, as the prose does."""
    with house_style():
        fig, ax = plt.subplots()
        ax.plot([-3.0, 3.0], [-2.0, 2.0])
        fig.canvas.draw()
        ticks = [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels())]
        plt.close(fig)
    texts = [*ticks, plain_number(-1.5, "ru"), plain_number(-1.5, "en")]
    assert not [t for t in texts if re.search(r"-\d", t)], texts
    assert any("\N{MINUS SIGN}" in t for t in ticks), ticks
