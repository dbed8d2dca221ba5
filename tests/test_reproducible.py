"""Two clean builds give the same glued numbers and the same figure files, byte for byte.

The cheaper honest version of "build everything twice": the English edition is built twice
at once (two cores), each into its own temporary folder with its own execution cache and
kernel profile (RNNGRAD_BUILD_DIR) and with every cell executed afresh
(nb_execution_mode=force), with the options `make html` uses. The two builds then compare
what execution produced: the glued values and figures of every page (MyST-NB's
``jupyter_execute/<page>.glue.json``, which holds the SVG and PDF of each figure too) and the
site's ``_images`` and published notebooks. The Russian edition runs the same cells with
``lang="ru"`` (tests/test_parity.py), so it shares every source of variation.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from test_pipeline import isolated_build

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.build


def start_build(out: Path) -> subprocess.Popen[str]:
    command, env = isolated_build(ROOT / "book" / "en", out, "-D", "nb_execution_mode=force")
    env.pop("SOURCE_DATE_EPOCH", None)  # rnngrad_book sets it from the last commit, as in make
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )


def digests(folder: Path, pattern: str) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.glob(pattern))
        if p.is_file()
    }


def test_two_clean_builds_execute_to_identical_outputs(tmp_path: Path) -> None:
    outs = [tmp_path / "first", tmp_path / "second"]
    builds = [start_build(out) for out in outs]
    for out, build in zip(outs, builds, strict=True):
        log, _ = build.communicate(timeout=600)
        assert build.returncode == 0, f"{out.name} build failed:\n{log[-3000:]}"
        assert "Executing notebook" in log or "Executed notebook" in log, (
            f"{out.name}: the cells were not executed afresh:\n{log[-2000:]}"
        )
    first, second = outs

    glue = [digests(out / "jupyter_execute", "**/*.glue.json") for out in outs]
    assert glue[0], "no glued outputs were written"
    assert glue[0] == glue[1], _differences(glue, first, second, "jupyter_execute")

    images = [digests(out / "html" / "_images", "*") for out in outs]
    assert images[0], "the build wrote no figure"
    assert any(name.endswith(".svg") for name in images[0]), images[0]
    assert images[0] == images[1], _differences(images, first, second, "html/_images")

    notebooks = [digests(out / "html", "**/*.ipynb") for out in outs]
    assert notebooks[0], "no notebook was published"
    assert notebooks[0] == notebooks[1], _differences(notebooks, first, second, "html/*.ipynb")


def _differences(pair: list[dict[str, str]], first: Path, second: Path, where: str) -> str:
    a, b = pair
    names = sorted(set(a) | set(b))
    lines = [
        f"  {name}: {a.get(name, 'missing')[:12]} vs {b.get(name, 'missing')[:12]}"
        for name in names
        if a.get(name) != b.get(name)
    ]
    return f"two clean builds differ in {where} ({first} vs {second}):\n" + "\n".join(lines)
