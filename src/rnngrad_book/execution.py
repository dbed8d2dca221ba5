"""Executing the chapter's cells: a cache that is never stale, a kernel that draws the
book's figures, reproducible outputs, and stderr that cannot pass silently."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from rnngrad.provenance import source_hash

LOGGER = logging.getLogger(__name__)
# Outside a git checkout: a fixed date, so that two builds still agree.
FALLBACK_EPOCH = "1764633600"


def last_commit_time(folder: Path) -> str:
    """The time of the last commit: the same on every build of one commit, and true as a
    "last updated" date."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    return out or FALLBACK_EPOCH


def execution_key(profile: Path | None) -> str:
    """A digest of what cell outputs depend on besides cell source.

    That is rnngrad's source (and numpy's version) and the kernel's IPython ``profile``
    (figure formats), when there is one.
    """
    digest = hashlib.sha256(source_hash().encode())
    if profile is not None:
        for path in sorted(profile.rglob("*.py")):
            digest.update(path.relative_to(profile).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def keyed_cache(root: Path, key: str) -> Path:
    """The execution cache for ``key`` under ``root``; the caches of other keys are deleted.

    jupyter-cache keys on cell source only; a cache per library version means an edit of
    src/rnngrad re-executes every page instead of serving outputs of the old library.
    """
    if root.is_dir():
        for stale in root.iterdir():
            if stale.name != key:
                shutil.rmtree(stale)
    return root / key


def configure_execution(app: Sphinx, config: Config) -> None:
    """Key the execution cache on the library and the profile, and point the kernel at it."""
    profile = Path(config.rnngrad_ipython_profile) if config.rnngrad_ipython_profile else None
    build = Path(config.rnngrad_build_dir)
    key = execution_key(profile)
    # A change of value makes Sphinx re-read every page, so the kernel runs again.
    config.rnngrad_execution_key = key
    config.nb_execution_cache_path = str(
        keyed_cache(build / config.language / "jupyter_cache", key)
    )
    if profile is not None:
        # A copy, because IPython writes into its profile directory.
        target = build / "ipython"
        shutil.copytree(profile, target, dirs_exist_ok=True)
        os.environ["IPYTHONDIR"] = str(target)
    # The chapter's training experiments are cached on disk, keyed on their configuration and
    # the library's source: both editions (and the test builds) compute each one once.
    os.environ.setdefault("RNNGRAD_EXPERIMENT_CACHE", config.rnngrad_experiment_cache)


def report_stderr(app: Sphinx, doctree: nodes.document) -> None:
    """Report, text and page, whatever a cell wrote to stderr; -W makes it an error.

    MyST-NB's own ``nb_output_stderr = "warn"`` (1.4.0, ``render_stderr``) logs only
    "stderr was found in the cell outputs of cell N", without the text.
    """
    for node in doctree.findall(nodes.literal_block):
        if "stderr" in node.get("classes", []):
            LOGGER.warning("a code cell wrote to stderr:\n%s", node.astext(), location=node)


def setup(app: Sphinx) -> None:
    """Register the execution settings and hooks; fix the kernel's environment."""
    # The kernel inherits this environment: matplotlib writes no build date into SVG/PDF
    # files, and Python's hash seed cannot reorder anything between two builds.
    os.environ.setdefault("SOURCE_DATE_EPOCH", last_commit_time(Path(app.confdir)))
    os.environ.setdefault("PYTHONHASHSEED", "0")
    build = Path(app.confdir) / "_build"
    # RNNGRAD_BUILD_DIR: where the execution cache and the kernel profile live, for builds
    # that must not share them with _build (tests/test_reproducible.py builds twice).
    state = os.environ.get("RNNGRAD_BUILD_DIR") or str(build)
    app.add_config_value("rnngrad_build_dir", state, "", str)
    # Not under RNNGRAD_BUILD_DIR: a from-scratch test build reuses the experiments.
    app.add_config_value("rnngrad_experiment_cache", str(build / "experiments"), "", str)
    app.add_config_value("rnngrad_ipython_profile", "", "", str)
    app.add_config_value("rnngrad_execution_key", "", "env", str)
    app.connect("config-inited", configure_execution, priority=100)
    app.connect("doctree-read", report_stderr)
