"""The PDF of each deck (``make slides``/``make html`` print it with Chromium): one slide a
page, every slide's title in the extractable text (vector text, not a screenshot), and
landscape pages of the deck's 16:9 shape.

Outside CI, without Chromium (so without the PDF) or pdftotext, these tests are skipped and
say why; in CI (``CI`` set) that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from built_site import SITE

pytestmark = [pytest.mark.site, pytest.mark.browser]

LANGS = ("en", "ru")
DECK = "vanishing-gradients-slides"  # the Makefile's DECK


def unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def pdf_of(lang: str) -> Path:
    pdf = SITE / lang / "slides" / f"{DECK}-{lang}.pdf"
    if not pdf.is_file():
        unavailable(f"{pdf} is missing: `make slides` prints it when Chromium is installed")
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is missing: sudo apt-get install poppler-utils")
    return pdf


def slide_titles(lang: str) -> list[str]:
    html = BeautifulSoup(
        (SITE / lang / "slides" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    slides = html.select("div.slides section:not(:has(> section))")
    return [slide.find("h1").get_text(" ", strip=True) for slide in slides]


def pages(pdf: Path) -> list[str]:
    """The text of each page, as pdftotext extracts it."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("lang", LANGS)
def test_one_slide_a_page_with_its_title_as_text(lang: str) -> None:
    titles = slide_titles(lang)
    texts = pages(pdf_of(lang))
    assert len(titles) >= 20
    assert len(texts) == len(titles)
    for number, (title, text) in enumerate(zip(titles, texts, strict=True), start=1):
        assert words(title) in words(text), f"page {number}: no {title!r} in its text"


@pytest.mark.parametrize("lang", LANGS)
def test_pages_are_landscape_16_to_9(lang: str) -> None:
    info = subprocess.run(
        ["pdfinfo", str(pdf_of(lang))], check=True, capture_output=True, text=True
    ).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width / height == pytest.approx(16 / 9, rel=0.01)
