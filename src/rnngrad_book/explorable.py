"""Explorable figures: a static figure that the page's script turns into an instrument.

A page writes::

    ::::{explorable} explore-sweep
    :::{glue:figure} fig-sweep-tanh
    :name: fig-sweep-tanh
    ...
    :::
    ::::

where ``explore-sweep`` is the glue key of an :class:`rnngrad.explorable.Explorable` and the
figure inside is the static figure of the same data. The HTML page gets
``<div class="explorable" data-explorable="kind">`` around the figure, the data as
``<script type="application/json">``, and the figure's image inside ``<noscript>``: with
script, ``_static/explorable.js`` draws the controls, the SVG, the live sentence and the
table into the figure above its caption; without it (and in the handout, which gets the
figure alone) the reader sees the static figure, numbered as on the site. The code cell that
glues the data is the same in both editions but for ``lang``.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from docutils import nodes
from myst_nb.core.variables import RetrievalError
from myst_nb.ext.glue.utils import retrieve_glue_data
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from rnngrad.explorable import MIME

SCRIPT = "explorable.js"
STYLE = "explorable.css"


class explorable(nodes.General, nodes.Element):  # docutils names its nodes in lower case
    """A figure with the data its script needs: attributes ``kind`` and ``data`` (JSON)."""


class ExplorableDirective(SphinxDirective):
    """``{explorable} <glue key>`` around the static figure of the same data."""

    required_arguments = 1
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        key = self.arguments[0]
        try:
            bundle = retrieve_glue_data(self.state.document, key).data
        except RetrievalError as error:
            raise self.error(f"explorable: {error}") from error
        if MIME not in bundle:
            raise self.error(
                f"explorable: the glue key {key!r} holds {sorted(bundle)}, not {MIME}: glue an "
                "rnngrad.explorable.Explorable"
            )
        glued = bundle[MIME]
        node = explorable(
            kind=glued["kind"],
            data=json.dumps(
                glued, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            ),
        )
        self.state.nested_parse(self.content, self.content_offset, node)
        if next(node.findall(nodes.figure), None) is None:
            raise self.error("explorable: the content must be the static figure of the same data")
        return [node]


def visit_html(translator: SphinxTranslator, node: explorable) -> None:
    # "</" would end the script element early; JSON allows "<\/" for it.
    data = node["data"].replace("</", "<\\/")
    translator.body.append(  # type: ignore[attr-defined]
        f'<div class="explorable" data-explorable="{node["kind"]}">'
        f'<script type="application/json" class="explorable-data">{data}</script>'
    )


def depart_html(translator: SphinxTranslator, node: explorable) -> None:
    translator.body.append("</div>")  # type: ignore[attr-defined]


def pass_through(translator: SphinxTranslator, node: explorable) -> None:
    """Outside HTML the static figure stands alone."""


def hide_images_without_script(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put each explorable's static image inside ``<noscript>``: drawn once, not twice."""
    if app.builder.format != "html":
        return
    for node in doctree.findall(explorable):
        for image in list(node.findall(nodes.image)):
            parent = image.parent
            index = parent.index(image)
            parent.insert(index + 1, nodes.raw("", "</noscript>", format="html"))
            parent.insert(index, nodes.raw("", "<noscript>", format="html"))


def add_assets(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """The script and its style on the pages that have an explorable figure, and only there."""
    if doctree is not None and any(True for _ in doctree.findall(explorable)):
        app.add_js_file(SCRIPT, defer="defer")
        app.add_css_file(STYLE)


def setup(app: Sphinx) -> None:
    """The directive, its node in every builder and the page's script."""
    app.add_node(
        explorable,
        html=(visit_html, depart_html),
        latex=(pass_through, pass_through),
        text=(pass_through, pass_through),
    )
    app.add_directive("explorable", ExplorableDirective)
    app.connect("doctree-resolved", hide_images_without_script)
    app.connect("html-page-context", add_assets)
