"""The PDF handouts (`make pdf`), as a teacher prints them: one per language, from the same
sources as the site, with the same figures, every reference resolved, nothing cut off.

`make test` builds the handouts before running this file when XeLaTeX is installed. Outside
CI, without XeLaTeX, the tests are skipped and say why; in CI (``CI`` set) a missing handout
or a missing tool is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from book_cells import FOLDED, code_cells, pages
from bs4 import BeautifulSoup
from built_site import ROOT, SITE, equation_numbers

import rnngrad
from rnngrad_book.publishing import CITE_TITLE

LANGS = ("en", "ru")
HANDOUT = "vanishing-gradients"  # conf.py: rnngrad_handout; the Makefile: HANDOUT
TITLES = {"en": "Vanishing gradients", "ru": "Затухающие градиенты"}
SEED = "Человек, на голове которого была шляпа с павлиньим пером, зашёл в бар"
CAPTION = {"en": r"Fig\. (\d+):", "ru": r"Рис\. (\d+):"}
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}
# A line may stick out of the text block by a hair (LaTeX reports fractions of a point);
# anything wider is visible on paper.
OVERFULL_LIMIT_PT = 5.0
# The chapter, its solutions and the API appendix, plumbing code left off: en 167 and ru 173
# pages (190 and 197 with it printed). Room above for the sections being added.
PAGES = range(120, 231)
SUBTITLES = {
    "en": "Why gradients vanish and explode in recurrent networks",
    "ru": "Почему градиенты в рекуррентных сетях затухают или взрываются",
}
LECTURE = {"en": "Grown from the lecture", "ru": "Глава основана на лекции"}
CODE_NOTE = {"en": "Code. Cells that only compute", "ru": "Код. Ячейки, которые лишь вычисляют"}
AUTHORS = {"en": "rnngrad contributors", "ru": "Авторы rnngrad"}

pytestmark = [pytest.mark.site, pytest.mark.pdf]


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def unavailable(message: str) -> None:
    """Fail in CI; elsewhere skip, with the reason shown by `pytest -ra`."""
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def handout(lang: str) -> Path:
    return SITE / lang / f"{HANDOUT}-{lang}.pdf"


def latex_dir(lang: str) -> Path:
    return ROOT / "_build" / lang / "latex"


@pytest.fixture(scope="module", params=LANGS)
def lang(request: pytest.FixtureRequest) -> str:
    lang = str(request.param)
    if not handout(lang).is_file():
        if shutil.which("xelatex") is None or shutil.which("latexmk") is None:
            unavailable("XeLaTeX/latexmk not installed (`make check-tex` says what to install)")
        pytest.fail(f"{handout(lang)} is missing: run `make pdf` (`make test` builds it)")
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} not installed (apt-get install poppler-utils)")
    return lang


def pdf_text(lang: str, *pages: int, layout: bool = False) -> str:
    """The handout's text; pdftotext joins words hyphenated at a line end unless `layout`."""
    options = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    options += ["-layout"] if layout else []
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, str(handout(lang)), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out


def flatten(text: str) -> str:
    """Text as a reader reads it: ligatures undone, words hyphenated at a line end joined,
    soft hyphens dropped, all whitespace one space."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = re.sub(r"(?<=\w)[-\u2010]\n(?=\w)", "", text)
    return " ".join(text.split())


def latex_log(lang: str) -> str:
    log = latex_dir(lang) / f"{HANDOUT}-{lang}.log"
    assert log.is_file(), f"{log} is missing: the handout in the site is not from `make pdf`"
    return log.read_text(encoding="utf-8", errors="replace")


def site_figures(lang: str) -> int:
    root = SITE / lang  # the decks have their own PDF (test_slides_pdf.py)
    pages = [
        p
        for p in root.rglob("*.html")
        if not {"_static", "slides"} & set(p.relative_to(root).parts)
    ]
    return sum(
        len(BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").select("figure img"))
        for p in pages
    )


def test_equations_are_numbered_as_on_the_site(lang: str) -> None:
    aux = (latex_dir(lang) / f"{handout(lang).stem}.aux").read_text(encoding="utf-8")
    in_pdf = dict(re.findall(r"\\newlabel\{equation:([\w.-]+:[\w.-]+)\}\{\{(\d+)\}", aux))
    on_site = {
        f"{page}:{label}": number for (page, label), number in equation_numbers(SITE, lang).items()
    }
    assert on_site, f"{lang}: no numbered equation found on the site"
    assert in_pdf == on_site


SOLUTIONS = {
    "en": ("Solutions to the exercises", "Solution to"),
    "ru": ("Решения упражнений", "Решение упражнения"),
}
POINTER = {"en": "Solution: page", "ru": "Решение: с."}
API_APPENDIX = {"en": "API reference", "ru": "Справочник по API"}


def test_solutions_are_an_appendix_after_the_exercises(lang: str) -> None:
    """On paper a solution cannot be folded away: the handout prints them all after the
    chapter, in an appendix before the API reference, none beside its exercise."""
    heading, title = SOLUTIONS[lang]
    text = flatten(pdf_text(lang))
    appendix = text.find(heading)
    solutions = [m.start() for m in re.finditer(title, text)]
    exercises = BeautifulSoup(
        (SITE / lang / "exercises.html").read_text(encoding="utf-8"), "html.parser"
    ).select("div.exercise.admonition")
    assert appendix > 0, f"{lang}: no appendix {heading!r}"
    assert len(solutions) == len(exercises), f"{lang}: {len(solutions)} solutions"
    assert min(solutions) > appendix, f"{lang}: a solution is printed before the appendix"
    assert text.find(API_APPENDIX[lang], appendix) > max(solutions), f"{lang}: order"
    # Where each solution stood, the page it is on: one pointer per exercise, in order.
    pages = [int(n) for n in re.findall(rf"{POINTER[lang]} (\d+)\.", text[:appendix])]
    assert len(pages) == len(exercises), f"{lang}: pointers to pages {pages}"
    assert pages == sorted(pages), f"{lang}: pointers out of order: {pages}"


def test_title_page_in_the_documents_language(lang: str) -> None:
    first = flatten(pdf_text(lang, 1))
    assert TITLES[lang] in first, f"{lang}: title page reads {first!r}"
    assert SUBTITLES[lang] in first, f"{lang}: no subtitle on the title page: {first!r}"
    assert LECTURE[lang] in first, f"{lang}: the lecture is not named: {first!r}"
    assert CODE_NOTE[lang] in first, f"{lang}: the title page does not say where the code is"
    assert AUTHORS[lang] not in first, f"{lang}: the title page names {AUTHORS[lang]!r}"
    lecture = {"en": "Vanishing gradients problem", "ru": "Проблема затухающих градиентов"}
    assert lecture[lang] in first, f"{lang}: the lecture's title is missing: {first!r}"
    months = "|".join(MONTHS[lang].split())
    assert re.search(rf"\b\d{{1,2}} ({months}) \d{{4}}\b", first), (
        f"{lang}: no date in the document's language on the title page: {first!r}"
    )
    info = subprocess.run(
        ["pdfinfo", str(handout(lang))], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(rf"^Title:\s+{TITLES[lang]}$", info, re.M), info


def code_lines(sources: list[str]) -> set[str]:
    """The lines of code, without whitespace: pdftotext may break a wrapped line anywhere."""
    return {"".join(line.split()) for source in sources for line in source.splitlines()}


def test_plumbing_code_is_not_printed(lang: str) -> None:
    """The code of every cell tagged hide-input is left off the paper, and the code of the
    cells that teach is printed (tests/test_plumbing_cells.py says which cells must be
    tagged)."""
    cells = [cell for path in pages(lang) for cell in code_cells(path)]
    folded = code_lines([cell.source for cell in cells if FOLDED in cell.tags])
    shown = code_lines([cell.source for cell in cells if FOLDED not in cell.tags])
    # Lines long enough to be told apart; a line found in the other kind of cell (as a
    # shorter import inside a longer one) proves nothing.
    folded, shown = (
        {line for line in one if len(line) >= 40 and not any(line in o for o in other)}
        for one, other in ((folded, shown), (shown, folded))
    )
    assert len(folded) > 50, f"{lang}: too few folded lines to tell ({len(folded)})"
    text = "".join(flatten(pdf_text(lang)).split())
    printed = sorted(line for line in folded if line in text)
    assert not printed, f"{lang}: plumbing code in the PDF:\n" + "\n".join(printed)
    # The control: the same search finds most of the taught code (a line that wraps carries
    # a mark at its break and is not found).
    found = sum(line in text for line in shown)
    assert found > len(shown) / 2, f"{lang}: only {found} of {len(shown)} lines of code found"


HEADING_ONLY = re.compile(r"(?:chapter|глава|appendix|приложение)\s+\S+(?:\s+\S+){0,6}", re.I)


def only_a_heading(page: str, lang: str) -> bool:
    """Whether a page's text, without its running head and page number, is a chapter's or
    an appendix's heading and nothing else."""
    running = rf"^\s*{TITLES[lang]}, \S+ [\d.]+\s*|\s*\d+\s*$"
    return bool(HEADING_ONLY.fullmatch(re.sub(running, "", flatten(page))))


@pytest.mark.parametrize(
    ("page", "alone"),
    [
        ("CHAPTER 1\n\nVanishing gradients\n\n2", True),
        ("Vanishing gradients, Release 0.1.0\nAPPENDIX A\nSolutions to the exercises\n90", True),
        (
            "CHAPTER 1\nVanishing gradients\n«Человек, на голове которого была шляпа» In Russian",
            False,
        ),
        ("Vanishing gradients, Release 0.1.0\nnothing is learnt about the first word.\n7", False),
    ],
)
def test_a_page_with_only_a_heading_is_seen(page: str, alone: bool) -> None:
    assert only_a_heading(page, "en") is alone


def test_no_page_holds_only_a_heading(lang: str) -> None:
    """A chapter or appendix heading shares its page with the text that follows it."""
    alone = [
        f"page {number}: {flatten(page)!r}"
        for number, page in enumerate(pdf_text(lang).split("\f"), 1)
        if only_a_heading(page, lang)
    ]
    assert not alone, f"{lang}: pages with only a heading:\n" + "\n".join(alone)


def test_text_holds_title_and_seed_sentence(lang: str) -> None:
    text = flatten(pdf_text(lang))
    assert text.count(TITLES[lang]) >= 2, f"{lang}: the chapter heading is missing"
    assert SEED in text, f"{lang}: the seed's sentence is missing"


def test_no_unresolved_references(lang: str) -> None:
    text = pdf_text(lang)
    assert "??" not in text, f"{lang}: '??' in the PDF: an unresolved reference"
    log = latex_log(lang)
    undefined = re.findall(r"^LaTeX Warning: (?:Reference|Citation) .*$", log, re.M)
    assert not undefined, "\n".join(undefined)
    assert "There were undefined references" not in log


def test_every_site_figure_is_in_the_handout_as_vector_pdf(lang: str) -> None:
    expected = site_figures(lang)
    assert expected, f"{lang}: the site shows no figure"
    numbers = {int(n) for n in re.findall(rf"^{CAPTION[lang]}", pdf_text(lang), re.M)}
    assert numbers == set(range(1, expected + 1)), (
        f"{lang}: site has {expected} figures, the PDF's captions number {sorted(numbers)}"
    )
    tex = (latex_dir(lang) / f"{HANDOUT}-{lang}.tex").read_text(encoding="utf-8")
    graphics = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([^}]*)\}(\.\w+)\}", tex)
    assert len(graphics) == expected, graphics
    raster = [name + ext for name, ext in graphics if ext != ".pdf"]
    assert not raster, f"{lang}: figures not in vector PDF: {raster}"


def test_latex_log_is_clean(lang: str) -> None:
    log = latex_log(lang)
    missing = sorted(set(re.findall(r"^Missing character: .*$", log, re.M)))
    assert not missing, f"{lang}: glyphs missing from the fonts:\n" + "\n".join(missing)
    assert "No hyphenation patterns" not in log, f"{lang}: hyphenation patterns missing"
    overfull = [
        m.group(0)
        for m in re.finditer(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\).*$", log, re.M)
        if float(m.group(1)) > OVERFULL_LIMIT_PT
    ]
    assert not overfull, (
        f"{lang}: lines run into the margin by more than {OVERFULL_LIMIT_PT}pt:\n"
        + "\n".join(overfull)
    )


def test_page_count_is_sane(lang: str) -> None:
    info = subprocess.run(
        ["pdfinfo", str(handout(lang))], check=True, capture_output=True, text=True
    ).stdout
    match = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    assert match, info
    assert int(match.group(1)) in PAGES, f"{lang}: {match.group(1)} pages"


def test_words_are_hyphenated_in_the_documents_language(lang: str) -> None:
    # Without the language's patterns (texlive-lang-cyrillic for Russian) XeLaTeX breaks no
    # word, and lines stretch or stick out instead.
    letters = {"en": "a-z", "ru": "а-яё"}[lang]
    text = pdf_text(lang, layout=True)
    assert re.search(rf"[{letters}]{{2}}-\n\s*[{letters}]{{2}}", text), (
        f"{lang}: no word is hyphenated at a line end"
    )


def test_handout_matches_the_latest_latex_build(lang: str) -> None:
    built = latex_dir(lang) / f"{HANDOUT}-{lang}.pdf"
    assert built.is_file(), f"{built} is missing"
    assert built.read_bytes() == handout(lang).read_bytes(), f"{lang}: the site's PDF is stale"


@pytest.mark.parametrize("edition", LANGS)
def test_every_page_links_to_its_handout(site: Path, edition: str) -> None:
    root = site / edition
    skipped = {"_static", "slides"}  # the decks link to their own PDF
    pages = sorted(p for p in root.rglob("*.html") if not skipped & set(p.relative_to(root).parts))
    assert pages
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = soup.select("a.btn-download-handout-button")
        where = page.relative_to(site).as_posix()
        assert len(links) == 1, f"{where}: {len(links)} links to the handout"
        href = str(links[0]["href"])
        assert "://" not in href, f"{where}: {href} is not relative"
        assert not href.startswith("/"), f"{where}: {href} is not relative"
        assert (page.parent / href).resolve() == handout(edition).resolve(), f"{where}: {href}"


def test_the_page_after_the_title_says_how_to_cite_and_the_licence(lang: str) -> None:
    """rnngrad_book.publishing's citation page, with this version and this edition's URL."""
    text = pdf_text(lang, 2)
    flat = "".join(text.split())  # a URL may break across lines
    assert CITE_TITLE[lang] in text, f"{lang}: page 2 reads {text[:300]!r}"
    assert rnngrad.__version__ in text
    assert "CCBY-SA4.0" in flat
    assert f"vanishing-gradients/{lang}/" in flat
