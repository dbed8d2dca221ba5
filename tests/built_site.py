"""Reading the site that `make html` assembles in ``_build/site``: plain functions, no fixtures."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "site"


def equation_numbers(site: Path, lang: str) -> dict[tuple[str, str], str]:
    """``{(page, label): number}`` for every numbered equation of one edition as the site
    shows it; ``page`` is the docname (``"why"``, ``"api/rnn"``)."""
    found = {}
    for path in sorted((site / lang).rglob("*.html")):
        if "_static" in path.parts:
            continue
        page = path.relative_to(site / lang).with_suffix("").as_posix()
        html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for div in html.select("div.math[id^=equation-]"):
            number = div.select_one("span.eqno")
            if number is not None:
                label = div["id"].removeprefix("equation-")
                found[page, label] = number.get_text().strip("()# \n")
    return found
