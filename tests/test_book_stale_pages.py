"""No stale page on the site: `make html` builds into the previous output instead of
emptying it (fast warm builds), so a page whose source is deleted must still vanish.

A copy of the project gets one more page in both editions, is built with `make html`,
loses the page again and is built once more. The copy reuses the real build's execution
cache and experiments (RNNGRAD_BUILD_DIR, RNNGRAD_EXPERIMENT_CACHE), so only the probe
page's cell runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_pipeline import PAGE as NOTEBOOK_PAGE

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("en", "ru")
PROBE = "stale-probe"
PAGE = NOTEBOOK_PAGE.format(code="1 + 1")

pytestmark = pytest.mark.build


def make_html(project: Path) -> None:
    env = dict(
        os.environ,
        RNNGRAD_BUILD_DIR=str(ROOT / "_build"),
        RNNGRAD_EXPERIMENT_CACHE=str(ROOT / "_build" / "experiments"),
    )
    venv = Path(sys.executable).parents[1]
    # This test's venv, taken as installed (-o): reinstalling from the copy would point the
    # editable install at a temporary folder.
    command = ["make", "--no-print-directory", "-C", str(project), "html", f"VENV={venv}"]
    result = subprocess.run(
        [*command, "-o", str(venv / ".installed")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def set_probe(project: Path, present: bool) -> None:
    """Add the probe page to both editions (at the end of the contents), or remove it."""
    for lang in LANGS:
        book = project / "book" / lang
        index = book / "index.md"
        text = index.read_text(encoding="utf-8")
        if present:
            (book / f"{PROBE}.md").write_text(PAGE, encoding="utf-8")
            text = text.replace("\napi\n```", f"\napi\n{PROBE}\n```", 1)
            assert PROBE in text, "the contents of index.md changed shape"
        else:
            (book / f"{PROBE}.md").unlink()
            text = text.replace(f"\n{PROBE}\n", "\n")
        index.write_text(text, encoding="utf-8")


def published(site: Path, lang: str) -> list[str]:
    # The book theme sets no source link suffix: _sources/<page>.md, not .md.txt.
    names = [f"{PROBE}.html", f"{PROBE}.ipynb", f"_sources/{PROBE}.md"]
    return [name for name in names if (site / lang / name).exists()]


def search_docnames(site: Path, lang: str) -> list[str]:
    text = (site / lang / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])["docnames"]


def test_a_deleted_page_leaves_the_site(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("book", "src", "slides"):  # `make html` builds the decks too
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("conf.py", "Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy2(ROOT / name, project / name)
    site = project / "_build" / "site"

    set_probe(project, present=True)
    make_html(project)
    for lang in LANGS:
        assert len(published(site, lang)) == 3, f"{lang}: the probe page was not published"
        assert PROBE in search_docnames(site, lang)

    set_probe(project, present=False)
    make_html(project)
    for lang in LANGS:
        assert published(site, lang) == [], f"{lang}: the deleted page is still on the site"
        assert PROBE not in search_docnames(site, lang), f"{lang}: still in the search index"
