"""The two decks (slides/en, slides/ru) must be the same lecture in two languages.

Slide by slide: the same figures, glue keys, fragments, speaker notes and links back to the
chapter, and the same code cells up to the language argument and the comments (as
tests/test_parity.py asks of the chapter). Every link back names a page of the chapter and
an anchor that page defines, and the lecture's slides are all there, in the lecture's order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_parity import LANG_ARG, PATTERNS, split_cells, without_comments

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("en", "ru")
SLIDE_COUNT = range(20, 31)  # issue #17: "about 20–30 slides"
CHAPTER = re.compile(r"\{chapter\}`(?:[^<`]*<)?([^>`]+)>?`")
PER_SLIDE = {
    "figures": re.compile(r"^:::\{glue:figure\}\s+(\S+)", re.M),
    "glue keys": PATTERNS["glue keys"],
    "chapter links": CHAPTER,
    "notes": re.compile(r"^```\{revealjs-notes\}", re.M),
    "fragments": re.compile(r"^:::\{container\} fragment\s*$", re.M),
}
# What each slide of the lecture (../shared/seed) shows, in its order, as the deck writes it.
LECTURE = (
    "[Человек]{.subject}",  # the sentence, the attractor marked
    "[шляпа]{.attractor}",
    r"\frac{\partial E_t}{\partial W} = \sum_{k=0}^{t}",  # BPTT
    r"\boxed{\frac{\partial s_t}{\partial s_k}}",  # the boxed factor
    r"\prod_{j=k+1}^{t} \frac{\partial s_j}{\partial s_{j-1}}",  # the product
    r"W\, \frac{\partial f}{\partial (W s_{t-1})}",  # one factor
    "{glue:figure} fig-sigmoid",  # sigmoid and derivative
    r"\frac{\partial E_{10}}{\partial W}",  # E_10, the index corrected
    r"j = 2, \dots, 10",
    "# Как бороться?",
)


def read(lang: str) -> str:
    return (ROOT / "slides" / lang / "index.md").read_text(encoding="utf-8")


def slides(text: str) -> list[str]:
    """The deck's slides: the text from each top-level heading to the next."""
    _, prose = split_cells(text)
    return re.split(r"^# ", prose, flags=re.M)[1:]


def features(slide: str) -> dict[str, list[str]]:
    return {
        name: ["".join(m) if isinstance(m, tuple) else m for m in pattern.findall(slide)]
        for name, pattern in PER_SLIDE.items()
    }


def anchors(lang: str, page: str) -> set[str]:
    """The ids a page of the chapter defines through its labels, equations and figures."""
    text = (ROOT / "book" / lang / f"{page}.md").read_text(encoding="utf-8")
    found = set(PATTERNS["targets"].findall(text)) | set(PATTERNS["names"].findall(text))
    for groups in PATTERNS["equation labels"].findall(text):
        found |= {f"equation-{label}" for label in groups if label}
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_deck_length(lang: str) -> None:
    assert len(slides(read(lang))) in SLIDE_COUNT


def test_same_slides_in_both_decks() -> None:
    en, ru = (slides(read(lang)) for lang in LANGS)
    assert len(en) == len(ru)
    for number, (one, other) in enumerate(zip(en, ru, strict=True), start=1):
        assert features(one) == features(other), f"slide {number}: {one.splitlines()[0]!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_slide_has_notes_and_a_link_back(lang: str) -> None:
    for slide in slides(read(lang)):
        found = features(slide)
        assert len(found["notes"]) == 1, f"notes on {slide.splitlines()[0]!r}"
        assert found["chapter links"], f"no link to the chapter on {slide.splitlines()[0]!r}"


def test_code_cells_identical_up_to_language() -> None:
    en, ru = (split_cells(read(lang))[0] for lang in LANGS)
    assert len(en) == len(ru)
    for number, (one, other) in enumerate(zip(en, ru, strict=True), start=1):
        assert {lang for _, lang in LANG_ARG.findall(one)} <= {"en"}, f"cell {number}"
        assert {lang for _, lang in LANG_ARG.findall(other)} <= {"ru"}, f"cell {number}"
        same = LANG_ARG.sub('lang="xx"', without_comments(one))
        assert same == LANG_ARG.sub('lang="xx"', without_comments(other)), f"cell {number}"


@pytest.mark.parametrize("lang", LANGS)
def test_links_back_name_a_page_and_an_anchor_it_defines(lang: str) -> None:
    for target in CHAPTER.findall(read(lang)):
        page, _, anchor = target.partition("#")
        assert (ROOT / "book" / lang / f"{page}.md").is_file(), target
        if anchor:
            assert anchor in anchors(lang, page), f"{target}: no such label in {lang}/{page}.md"


@pytest.mark.parametrize("lang", LANGS)
def test_every_lecture_slide_in_order(lang: str) -> None:
    text = read(lang)
    where = [text.find(needle) for needle in LECTURE]
    missing = [needle for needle, at in zip(LECTURE, where, strict=True) if at < 0]
    assert not missing
    assert where == sorted(where)


def test_the_expansion_is_revealed_term_by_term() -> None:
    for lang in LANGS:
        expansion = next(s for s in slides(read(lang)) if r"\partial^+ s_{t-1}" in s)
        assert len(features(expansion)["fragments"]) >= 3
