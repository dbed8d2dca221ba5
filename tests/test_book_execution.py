"""rnngrad_book.execution: the execution key, the cache it names, the kernel's profile,
and stderr reported with its text (in-process on tests/roots/test-notebook, whose
outputs are stored in the notebook, so no kernel runs)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx_apps import UPSTREAM_DEPRECATIONS

from rnngrad_book import execution

pytestmark = UPSTREAM_DEPRECATIONS


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    folder = tmp_path / "profile"
    (folder / "profile_default" / "startup").mkdir(parents=True)
    (folder / "profile_default" / "ipython_kernel_config.py").write_text("c = 1\n")
    return folder


def test_the_key_follows_the_profile(profile: Path) -> None:
    before = execution.execution_key(profile)
    assert before == execution.execution_key(profile)
    (profile / "profile_default" / "ipython_kernel_config.py").write_text("c = 2\n")
    assert execution.execution_key(profile) != before


def test_the_key_follows_the_library(profile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = execution.execution_key(profile)
    monkeypatch.setattr(execution, "source_hash", lambda: "another library")
    assert execution.execution_key(profile) != before


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    stale = tmp_path / "state" / "en" / "jupyter_cache" / "an-old-library"
    stale.mkdir(parents=True)
    return tmp_path / "state"


def test_the_cache_is_keyed_and_the_kernel_gets_the_profile(
    make_app, tmp_path: Path, profile: Path, build_dir: Path, rootdir: Path
) -> None:
    shutil.copytree(rootdir / "test-notebook", tmp_path / "src")
    app = make_app(
        "html",
        srcdir=tmp_path / "src",
        builddir=tmp_path / "out",
        confoverrides={
            "rnngrad_build_dir": str(build_dir),
            "rnngrad_ipython_profile": str(profile),
        },
    )
    key = execution.execution_key(profile)
    assert app.config.rnngrad_execution_key == key
    cache = build_dir / "en" / "jupyter_cache"
    assert app.config.nb_execution_cache_path == str(cache / key)
    assert not (cache / "an-old-library").exists(), "a cache of another library survived"
    assert os.environ["IPYTHONDIR"] == str(build_dir / "ipython")
    assert (build_dir / "ipython" / "profile_default" / "ipython_kernel_config.py").is_file()


@pytest.mark.sphinx("html", testroot="notebook", srcdir="notebook-stderr")
def test_stderr_is_reported_with_its_text_and_page(app: SphinxTestApp) -> None:
    app.build()
    warnings = app.warning.getvalue()
    assert "a code cell wrote to stderr:" in warnings
    assert "a message on stderr" in warnings
    assert "index.ipynb" in warnings


@pytest.mark.sphinx(
    "html",
    testroot="notebook",
    srcdir="notebook-myst-nb-warn",
    confoverrides={"nb_output_stderr": "warn", "extensions": ["myst_nb"]},
)
def test_myst_nb_warn_mode_would_drop_the_text(app: SphinxTestApp) -> None:
    """Why report_stderr stays: MyST-NB 1.4.0's own "warn" names the cell, not the text.
    Should this fail, ``nb_output_stderr = "warn"`` may replace the hook."""
    app.build()
    warnings = app.warning.getvalue()
    assert "stderr was found in the cell outputs" in warnings
    assert "a message on stderr" not in warnings
