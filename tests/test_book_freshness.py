"""rnngrad_book.freshness and rnngrad_book.api, in-process: a page whose source is gone
leaves nothing behind when the HTML folder is built into again; the nitpick pattern."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from sphinx.builders.html._assets import _file_checksum_inner
from sphinx_apps import UPSTREAM_DEPRECATIONS

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


def test_a_replaced_figure_leaves_no_file_behind(make_app, tmp_path: Path, rootdir: Path) -> None:
    """As when a library change redraws a glued figure under a new name."""
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-handout", srcdir)
    for name in ("old.svg", "new.svg", "kept.svg"):
        (srcdir / name).write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg"><title>{name}</title></svg>'
        )
    index = srcdir / "index.rst"
    words = index.read_text(encoding="utf-8")
    index.write_text(f"{words}\n.. image:: old.svg\n\n.. image:: kept.svg\n", encoding="utf-8")
    build = {"srcdir": srcdir, "builddir": tmp_path / "out"}
    app = make_app("html", **build)
    app.build()
    images = app.outdir / "_images"
    assert sorted(path.name for path in images.iterdir()) == ["kept.svg", "old.svg"]

    index.write_text(f"{words}\n.. image:: new.svg\n\n.. image:: kept.svg\n", encoding="utf-8")
    make_app("html", **build).build()
    assert sorted(path.name for path in images.iterdir()) == ["kept.svg", "new.svg"]


def test_an_unchanged_page_is_not_written_again(make_app, tmp_path: Path, rootdir: Path) -> None:
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-handout", srcdir)
    build = {"srcdir": srcdir, "builddir": tmp_path / "out"}
    app = make_app("html", **build)
    app.build()
    written = (app.outdir / "exercises.html").stat().st_mtime_ns
    make_app("html", **build).build()
    assert (app.outdir / "exercises.html").stat().st_mtime_ns == written


def test_a_page_rewritten_by_a_warm_build_is_the_cold_build_page(
    make_app, tmp_path: Path, rootdir: Path
) -> None:
    """MyST-NB's CSS, copied once the build has finished, is linked the same way by both."""
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-notebook", srcdir)
    build = {"srcdir": srcdir, "builddir": tmp_path / "out"}
    app = make_app("html", **build)
    app.build()
    page = app.outdir / "index.html"
    cold, written = page.read_bytes(), page.stat().st_mtime_ns
    assert b"_static/mystnb." in cold
    later = (srcdir / "index.ipynb").stat().st_mtime + 60
    os.utime(srcdir / "index.ipynb", (later, later))
    # Sphinx caches each asset's checksum for the life of the process; `make html` starts a
    # new one for every build.
    _file_checksum_inner.cache_clear()
    make_app("html", **build).build()
    assert page.stat().st_mtime_ns > written, "the warm build did not rewrite the page"
    assert page.read_bytes() == cold


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
