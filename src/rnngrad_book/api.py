"""The API reference: which cross-references must resolve.

The site is offline, so there is no intersphinx: numpy's, typing's and matplotlib's types,
and the numpydoc vocabulary in docstring types ("array_like", "shape (T, B)", "optional"),
are shown as text. A reference to rnngrad itself -- its module or any name it exports --
must still resolve, so a renamed function cannot leave a dead link.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config

import rnngrad


def outside_names() -> str:
    """A pattern for reference targets that are not rnngrad's own names."""
    own = "|".join(["rnngrad", *sorted(rnngrad.__all__)])
    return rf"(?!(?:{own})(?:\.|$)).*"


def ignore_outside_names(app: Sphinx, config: Config) -> None:
    """Let nitpicky mode pass references to other projects' Python names, only those."""
    config.nitpick_ignore_regex = [
        *config.nitpick_ignore_regex,
        (r"py:(class|data|obj)", outside_names()),
    ]


def setup(app: Sphinx) -> None:
    """Register the pattern once the configuration is read."""
    app.connect("config-inited", ignore_outside_names)
