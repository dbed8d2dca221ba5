"""Two editions of one chapter: per-language settings, links between twin pages, the
Russian interface strings Sphinx's own catalogue leaves empty, and solution titles in the
page's grammar."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import sphinx
from babel.messages.pofile import read_po
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise import nodes as exercise_nodes

from rnngrad_book.bibliography import ENTRY_STYLES, REFERENCE_STYLES
from rnngrad_book.downloads import HANDOUT_TOOLTIP, NOTEBOOK_TOOLTIP
from rnngrad_book.handout import SOLUTION_POINTER, SOLUTIONS_TITLE
from rnngrad_book.publishing import (
    BIBTEX_LANGUAGE,
    CC_BY_SA,
    CITATION,
    CITE_TITLE,
    LICENCE,
    OG_LOCALE,
    REPOSITORY_MENU,
    VERSION,
)

# The theme's search box placeholder, an interface string the theme does not translate.
SEARCH_TEXT = {"en": "Search…", "ru": "Поиск…"}
# A solution's title where sphinx-exercise's is wrong: it puts its "Solution to" before the
# exercise's own title, which in Russian reads «Решение к Упражнение 3» (a preposition
# asking for the dative, then a nominative).
SOLUTION_TITLES = {"ru": ("Решение", "упражнения {number}")}
# The extension's words and styles that every language needs (SOLUTION_TITLES only mends
# where sphinx-exercise is wrong): a new language must bring an entry in each.
LANGUAGE_TABLES = {
    "SEARCH_TEXT": SEARCH_TEXT,
    "REFERENCE_STYLES": REFERENCE_STYLES,
    "ENTRY_STYLES": ENTRY_STYLES,
    "HANDOUT_TOOLTIP": HANDOUT_TOOLTIP,
    "NOTEBOOK_TOOLTIP": NOTEBOOK_TOOLTIP,
    "SOLUTIONS_TITLE": SOLUTIONS_TITLE,
    "SOLUTION_POINTER": SOLUTION_POINTER,
    "LICENCE": LICENCE,
    "CC_BY_SA": CC_BY_SA,
    "CITE_TITLE": CITE_TITLE,
    "CITATION": CITATION,
    "VERSION": VERSION,
    "OG_LOCALE": OG_LOCALE,
    "BIBTEX_LANGUAGE": BIBTEX_LANGUAGE,
    "REPOSITORY_MENU": REPOSITORY_MENU,
}


def configure_language(app: Sphinx, config: Config) -> None:
    """Set what depends on ``language``, which ``-D language=…`` gives only after conf.py."""
    lang = config.language
    if lang not in config.rnngrad_languages:
        raise ValueError(
            f"language must be one of {sorted(config.rnngrad_languages)}, got {lang!r}"
        )
    tables = {"rnngrad_titles": config.rnngrad_titles, **LANGUAGE_TABLES}
    missing = [name for name, table in tables.items() if lang not in table]
    if missing:
        raise ValueError(
            f"language {lang!r} has no entry in {', '.join(missing)} "
            "(conf.py's rnngrad_titles; the other tables are rnngrad_book's)"
        )
    config.project = config.html_title = config.rnngrad_titles[lang]
    config.html_theme_options["search_bar_text"] = SEARCH_TEXT[lang]
    overlay = complete_search_messages(lang, config.locale_dirs, Path(config.rnngrad_build_dir))
    if overlay is not None:
        config.locale_dirs = [str(overlay), *(d for d in config.locale_dirs if d != str(overlay))]


def complete_search_messages(lang: str, locale_dirs: list[str], build: Path) -> Path | None:
    """Write Sphinx's ``sphinx.js`` catalogue of ``lang`` with our translations laid over it.

    Sphinx ships each language's search messages as a ready ``sphinx.js`` and reads no .po
    for them. Its Russian one has "Search finished, found N pages" as four empty plural
    forms, so a Russian reader was never told that the search had finished or how much it
    found. Returns the locale directory to put first (Sphinx takes the first ``sphinx.js``
    it finds), or None when neither Sphinx nor ``locale_dirs`` has a catalogue for ``lang``.
    """
    shipped = Path(sphinx.__file__).parent / "locale" / lang / "LC_MESSAGES" / "sphinx.js"
    ours = [
        po
        for folder in locale_dirs
        if (po := Path(folder) / lang / "LC_MESSAGES" / "sphinx.po").is_file()
    ]
    if not (shipped.is_file() and ours):
        return None
    text = shipped.read_text(encoding="utf-8")
    catalogue = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    messages = catalogue["messages"]
    with ours[0].open("rb") as catalogue_file:
        for message in read_po(catalogue_file, locale=lang):
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if key in messages and message.string:
                string = message.string
                messages[key] = list(string) if isinstance(string, tuple) else string
    folder = build / lang / "locale"
    target = folder / lang / "LC_MESSAGES" / "sphinx.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    content = f"Documentation.addTranslations({json.dumps(catalogue, ensure_ascii=False)});\n"
    # Rewritten only when it changes: Sphinx copies it on every build if it is newer.
    if not target.is_file() or target.read_text(encoding="utf-8") != content:
        target.write_text(content, encoding="utf-8")
    return folder


def language_links(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Give every page the relative URL of the same page in each language.

    The builds sit side by side (site/en, site/ru), so ``../`` climbs out of this language;
    relative links work from file:// and under any base URL. The templates language-switch
    and layout turn them into the switch and the hreflang alternates.
    """
    up = "../" * (pagename.count("/") + 1)
    context["language_links"] = [
        {
            "code": code,
            "name": name,
            "url": f"{up}{code}/{pagename}.html",
            "current": code == app.config.language,
        }
        for code, name in app.config.rnngrad_languages.items()
    ]


class SolutionTitles(SphinxPostTransform):
    """Retitle each solution «Решение упражнения 3», the link still on the exercise."""

    default_priority = 30  # after sphinx-exercise has built the titles (21)

    def run(self, **kwargs: Any) -> None:
        """Rewrite every solution's title when the language has its own words for it."""
        words = SOLUTION_TITLES.get(self.config.language)
        if words is None:
            return
        lead, exercise = words
        for node in self.document.findall(exercise_nodes.solution_node):
            title = node.children[0]
            link = next(title.findall(nodes.reference), None)
            number = re.search(r"\d+", link.astext()) if link is not None else None
            if link is None or number is None:
                raise ValueError(f"solution {node.get('label')!r}: no numbered exercise link")
            link.clear()
            link += nodes.Text(exercise.format(number=number.group()))
            title.clear()
            title += [nodes.Text(f"{lead} "), link]
            node["title"] = title.astext()


def setup(app: Sphinx) -> None:
    """Register the languages, the titles, the links and the solution titles."""
    app.add_config_value("rnngrad_languages", {"en": "English"}, "env", dict)
    app.add_config_value("rnngrad_titles", {}, "env", dict)
    # Before the other modules' config-inited hooks (100), which look their tables up.
    app.connect("config-inited", configure_language, priority=99)
    app.connect("html-page-context", language_links)
    app.add_post_transform(SolutionTitles)
