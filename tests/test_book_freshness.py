"""rnngrad_book.freshness and rnngrad_book.api, in-process: a page whose source is gone
leaves nothing behind when the HTML folder is built into again; the nitpick pattern."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from test_book_bilingual import UPSTREAM_DEPRECATIONS

from rnngrad_book.api import outside_names

pytestmark = UPSTREAM_DEPRECATIONS


def search_docnames(outdir: Path) -> list[str]:
    text = (outdir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])["docnames"]


def test_a_deleted_page_leaves_no_output(make_app, tmp_path: Path, rootdir: Path) -> None:
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-handout", srcdir)
    build = {"srcdir": srcdir, "builddir": tmp_path / "out"}
    app = make_app("html", **build)
    app.build()
    outdir = app.outdir
    page = ("api.html", "_sources/api.rst.txt")
    assert all((outdir / name).is_file() for name in page)
    assert "api" in search_docnames(outdir)

    (srcdir / "api.rst").unlink()
    index = srcdir / "index.rst"
    index.write_text(index.read_text(encoding="utf-8").replace("   api\n", ""), encoding="utf-8")
    make_app("html", **build).build()
    assert [name for name in page if (outdir / name).exists()] == []
    assert search_docnames(outdir) == ["exercises", "index"]


def test_an_unchanged_page_is_not_written_again(make_app, tmp_path: Path, rootdir: Path) -> None:
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-handout", srcdir)
    build = {"srcdir": srcdir, "builddir": tmp_path / "out"}
    app = make_app("html", **build)
    app.build()
    written = (app.outdir / "exercises.html").stat().st_mtime_ns
    make_app("html", **build).build()
    assert (app.outdir / "exercises.html").stat().st_mtime_ns == written


@pytest.mark.parametrize(
    ("target", "ignored"),
    [
        ("numpy.ndarray", True),
        ("array_like", True),
        ("rnngradient", True),
        ("rnngrad", False),
        ("rnngrad.RNN", False),
        ("RNN", False),
    ],
)
def test_only_rnngrad_names_must_resolve(target: str, ignored: bool) -> None:
    assert bool(re.fullmatch(outside_names(), target)) is ignored
