"""Citations and bibliography entries in each edition's conventions.

The styles are plugins that pybtex and sphinxcontrib-bibtex look up by name through entry
points (pyproject.toml), so nothing is registered when this module is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from docutils import nodes
from pybtex.database import Entry, Person
from pybtex.richtext import Text
from pybtex.style import template as bib
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import dashify, toplevel
from pybtex.style.template import FieldIsMissing
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

# The entry-point names (pyproject.toml) of each language's styles.
REFERENCE_STYLES = {"en": "author_year_round", "ru": "author_year_round_ru"}
ENTRY_STYLES = {"en": "plain", "ru": "plain_ru"}


def _round_brackets() -> BracketStyle:
    return BracketStyle(left="(", right=")")


@dataclass
class RoundBrackets(AuthorYearReferenceStyle):
    """Author–year citations in round brackets: Pascanu et al. (2013)."""

    bracket_parenthetical: BracketStyle = field(default_factory=_round_brackets)
    bracket_textual: BracketStyle = field(default_factory=_round_brackets)
    bracket_year: BracketStyle = field(default_factory=_round_brackets)


def _russian_joiners() -> PersonStyle:
    return PersonStyle(sep2=" и ", last_sep=" и ", other=" и др.")


@dataclass
class RussianRoundBrackets(RoundBrackets):
    """The same, with Russian joiners: Pascanu и др. (2013), Hochreiter и Schmidhuber."""

    person: PersonStyle = field(default_factory=_russian_joiners)


def _initials(person: Person) -> list[Text]:
    return [name.abbreviate() for name in person.rich_first_names + person.rich_middle_names]


def _surname_initials(person: Person, abbreviate: bool = True) -> Text:
    """Pascanu R., van Merriënboer B.: surname first, then initials, kept on one line."""
    surname = Text(" ").join(person.rich_prelast_names + person.rich_last_names)
    return Text(surname, *(Text("\N{NO-BREAK SPACE}", i) for i in _initials(person)))


def _format_editors(children: list[Any], context: dict[str, Any]) -> Text:
    """«ed. by J. F. Kolen, S. C. Kremer»: after «/» the initials come first."""
    entry = context["entry"]
    if "editor" not in entry.persons:
        raise FieldIsMissing("editor", entry)
    people = [
        Text(*(Text(i, "\N{NO-BREAK SPACE}") for i in _initials(p)), *p.rich_last_names)
        for p in entry.persons["editor"]
    ]
    return Text("ed. by ", Text(", ").join(people))


_editors = bib.node(_format_editors)


_PAGES = bib.join["P.\N{NO-BREAK SPACE}", bib.field("pages", apply_func=dashify)]


class RussianEntries(UnsrtStyle):  # type: ignore[misc]  # pybtex is untyped: Any base
    """Bibliography entries as a Russian textbook prints a foreign source (after GOST R
    7.0.100): authors as "Surname I.", the container after «//», then year, volume, number
    and pages, each closed by a full stop; the source's own words stay in its language.

    pybtex's styles write English joiners ("and", "In", "editors", "volume … of") that a
    Russian page should not carry.
    """

    default_sorting_style = "author_year_title"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(abbreviate_names=True, **kwargs)
        self.format_name = _surname_initials

    def format_names(self, role: str, as_sentence: bool = True) -> Any:
        """The people of ``role``, comma-separated, as a sentence unless told otherwise."""
        people = bib.names(role, sep=", ")
        return bib.sentence[people] if as_sentence else people

    def _title_in(self, container: Any) -> Any:
        return bib.sentence[bib.join(sep=" // ")[bib.field("title"), container]]

    def _published(self) -> Any:
        return bib.sentence[bib.join(sep=", ")[bib.field("publisher"), bib.field("year")]]

    def _year_volume_pages(self) -> Any:
        return bib.sentence(sep=". ")[
            bib.field("year"),
            bib.optional[bib.join["Vol.\N{NO-BREAK SPACE}", bib.field("volume")]],
            bib.optional[bib.join["No.\N{NO-BREAK SPACE}", bib.field("number")]],
            bib.optional[_PAGES],
        ]

    def _note_and_links(self, e: Entry) -> list[Any]:
        return [bib.optional[bib.sentence[bib.field("note")]], self.format_web_refs(e)]

    def get_article_template(self, e: Entry) -> Any:
        """Author. Title // Journal. Year. Vol. V. No. N. P. pages."""
        return toplevel[
            self.format_names("author"),
            self._title_in(bib.field("journal")),
            self._year_volume_pages(),
            *self._note_and_links(e),
        ]

    def get_inproceedings_template(self, e: Entry) -> Any:
        """Author. Title // Proceedings (Series). Year. Vol. V. P. pages."""
        series = bib.optional[" (", bib.field("series"), ")"]
        return toplevel[
            self.format_names("author"),
            self._title_in(bib.join[bib.field("booktitle"), series]),
            self._year_volume_pages(),
            *self._note_and_links(e),
        ]

    def get_incollection_template(self, e: Entry) -> Any:
        """Author. Title // Book / ed. by Editors. Publisher, Year. P. pages."""
        book = bib.join(sep=" / ")[bib.field("booktitle"), bib.optional[_editors]]
        return toplevel[
            self.format_names("author"),
            self._title_in(book),
            self._published(),
            bib.optional[bib.sentence[_PAGES]],
            *self._note_and_links(e),
        ]

    def get_book_template(self, e: Entry) -> Any:
        """Author. Title. Publisher, Year."""
        return toplevel[
            self.format_names("author"),
            bib.sentence[bib.field("title")],
            self._published(),
            *self._note_and_links(e),
        ]

    def get_misc_template(self, e: Entry) -> Any:
        """Author. Title. How published. Year."""
        return toplevel[
            self.format_names("author"),
            bib.sentence[bib.field("title")],
            bib.optional[bib.sentence[bib.field("howpublished")]],
            bib.sentence[bib.field("year")],
            *self._note_and_links(e),
        ]


def choose_styles(app: Sphinx, config: Config) -> None:
    """Cite and list in the conventions of ``language`` (set after conf.py's body)."""
    config.bibtex_reference_style = REFERENCE_STYLES[config.language]
    config.bibtex_default_style = ENTRY_STYLES[config.language]


class BibliographyAsList(SphinxPostTransform):
    """Give the site's bibliography list semantics: an ordered list of entries.

    docutils writes citations as ``<div role="doc-biblioentry">`` inside a
    ``<div role="list">``: a deprecated ARIA role, and a list without list items, which
    screen readers announce wrongly (axe-core reports both). After the citations are
    resolved, each run of them becomes an ``<ol>`` whose items keep the citations' ids, so
    every link from the text still lands on its entry.

    Not sphinxcontrib-bibtex's ``:list: enumerated`` (2.7.0): a directive option applies to
    every builder, so the handout would lose LaTeX's own bibliography
    (``sphinxthebibliography``) for a plain enumerated list.
    """

    builders = ("html",)
    default_priority = 950  # after sphinxcontrib-bibtex and reference resolution

    def run(self, **kwargs: Any) -> None:
        """Replace each run of citations by one ordered list."""
        parents = {id(c.parent): c.parent for c in self.document.findall(nodes.citation)}
        for parent in parents.values():
            citations = [child for child in parent.children if isinstance(child, nodes.citation)]
            entries = nodes.enumerated_list(enumtype="arabic", classes=["bibliography"])
            for citation in citations:
                entry = nodes.list_item(ids=citation["ids"])
                entry.extend(
                    c.deepcopy() for c in citation.children if not isinstance(c, nodes.label)
                )
                entries += entry
            parent.insert(parent.index(citations[0]), entries)
            for citation in citations:
                parent.remove(citation)


def setup(app: Sphinx) -> None:
    """Choose the styles per language and list the site's bibliography."""
    app.connect("config-inited", choose_styles, priority=100)
    app.add_post_transform(BibliographyAsList)
