"""The build pipeline itself, on a one-page book built in a temporary folder.

A broken cell must fail the build and name its page; a cell's stderr must not pass
silently; and an edit of rnngrad must never leave outputs of the old library in place.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.build

PAGE = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# Probe

```{{code-cell}} ipython3
{code}
```
"""


def sphinx_options() -> list[str]:
    """The options `make html` passes, read from the Makefile so the two cannot drift."""
    match = re.search(r"^SPHINXOPTS \?= (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, "SPHINXOPTS not found in the Makefile"
    return match.group(1).split()


def isolated_build(book: Path, out: Path, *options: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment of an English build of ``book`` into ``out``.

    It runs with the options `make html` uses, and with its own execution cache and kernel
    profile: a build with an edited library must not evict the real build's cache (the book's
    extension drops caches keyed on another library version).
    """
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT), "-D", "language=en",
        *options, "-d", str(out / "doctrees"), *sphinx_options(), str(book), str(out / "html"),
    ]  # fmt: skip
    return command, dict(os.environ, RNNGRAD_BUILD_DIR=str(out / "state"))


def build(
    book: Path, out: Path, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command, env = isolated_build(book, out)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        command, capture_output=True, text=True, env=env, check=False, timeout=300
    )


def write_page(book: Path, code: str) -> None:
    book.mkdir(parents=True, exist_ok=True)
    (book / "index.md").write_text(PAGE.format(code=code), encoding="utf-8")


@pytest.mark.parametrize(
    ("code", "evidence"),
    [
        ("1 / 0", "ZeroDivisionError"),
        ("import sys\nprint('a message on stderr', file=sys.stderr)", "a message on stderr"),
    ],
    ids=["exception", "stderr"],
)
def test_a_failing_cell_fails_the_build_and_names_the_page(
    tmp_path: Path, code: str, evidence: str
) -> None:
    write_page(tmp_path / "book", code)
    result = build(tmp_path / "book", tmp_path / "out")
    log = result.stdout + result.stderr
    assert result.returncode != 0, f"the build passed:\n{log[-3000:]}"
    assert "index.md" in log, log[-3000:]
    assert evidence in log, log[-3000:]


def test_a_library_edit_recomputes_the_outputs(tmp_path: Path) -> None:
    """Build, edit the library, build again into the same folders: the new value shows."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "rnngrad", src / "rnngrad")
    init = src / "rnngrad" / "__init__.py"
    original = init.read_text(encoding="utf-8")
    write_page(tmp_path / "book", "import rnngrad\nprint(rnngrad.PROBE)")

    for value in ("first-library-version", "second-library-version"):
        init.write_text(original + f'\nPROBE = "{value}"\n', encoding="utf-8")
        result = build(tmp_path / "book", tmp_path / "out", pythonpath=src)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        html = (tmp_path / "out" / "html" / "index.html").read_text(encoding="utf-8")
        assert value in html, f"the page still shows the old library's output, not {value}"
