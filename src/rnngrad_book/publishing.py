"""The published site: where it lives, who may copy it, how to cite it, and what the web
expects of a site (a sitemap, a 404 page, social-card metadata, edit and issue links, a date).

Two settings in conf.py, each written once: ``rnngrad_repository`` (the GitHub repository,
for the edit and issue buttons and the licence link) and ``rnngrad_site_url`` (where
``_build/site`` is published; each edition lives under ``<lang>/``). The version is
``rnngrad.__version__``, the project's single version source.

Everything here is a hyperlink or a ``<meta>`` value, never an asset: the site still makes
no request outside its folder. The files of the whole site, which no one edition's build
can write (the 404 page and the sitemap index), are rnngrad_book.sitefiles'.
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

import rnngrad

CC_BY_SA = {
    "en": "https://creativecommons.org/licenses/by-sa/4.0/",
    "ru": "https://creativecommons.org/licenses/by-sa/4.0/deed.ru",
}
# The licence line of every page's footer, the title page and the handout: {cc} and {mit}
# are the two licences' URLs.
LICENCE = {
    "en": (
        "The text and figures are licensed under {cc}, the code under the {mit}.",
        "CC BY-SA 4.0",
        "MIT licence",
    ),
    "ru": (
        "Текст и рисунки — по лицензии {cc}, код — по {mit}.",
        "CC BY-SA 4.0",
        "лицензии MIT",
    ),
}
CITE_CLASS = "how-to-cite"
CITE_TITLE = {"en": "How to cite", "ru": "Как цитировать"}
# The reference as the edition's readers write one: an English author–title–version line,
# and the Russian bibliographic description of GOST R 7.0.100-2018.
CITATION = {
    "en": "{authors}. {title}. {version}. {year}. {url}",
    "ru": "{title} / {authors}. — {version}. — {year}. — URL: {url}",
}
VERSION = {"en": "Version {}", "ru": "Версия {}"}
# The words of the theme's repository menu, by the theme's label of each entry: its Russian
# catalogue leaves the menu and "Suggest edit" in English and calls an issue «Открыть
# вопрос». The issue entry opens the erratum form with the page filled in, not a blank issue.
REPOSITORY_MENU = {
    "en": {
        "source-buttons": "Repository",
        "source-edit-button": "Suggest an edit",
        "source-issues-button": "Report an error",
    },
    "ru": {
        "source-buttons": "Репозиторий",
        "source-edit-button": "Предложить правку",
        "source-issues-button": "Сообщить об ошибке",
    },
}
ERRATUM_FORM = "erratum.yml"  # .github/ISSUE_TEMPLATE/
BIBTEX_LANGUAGE = {"en": "english", "ru": "russian"}
OG_LOCALE = {"en": "en_GB", "ru": "ru_RU"}


def site_url(config: Config) -> str:
    """The published site's root URL, with its trailing slash."""
    url: str = config.rnngrad_site_url
    return url.rstrip("/") + "/"


def edition_url(config: Config) -> str:
    """The URL of this language's edition: the site's root, then ``<lang>/``."""
    return f"{site_url(config)}{config.language}/"


def in_git_work_tree(folder: Path) -> bool:
    """Whether ``folder`` is inside a git work tree with git installed: only there do the
    pages have a history to date them by (a tarball or a test's temporary copy has none)."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return False
    return found.stdout.strip() == "true"


def licence_html(config: Config) -> str:
    """The licence line with its two links, in the edition's language."""
    sentence, cc, mit = LICENCE[config.language]
    mit_url = f"{config.rnngrad_repository}/blob/main/LICENSE"
    return sentence.format(
        cc=f'<a href="{CC_BY_SA[config.language]}" rel="license">{cc}</a>',
        mit=f'<a href="{mit_url}" rel="license">{mit}</a>',
    )


def citation_fields(config: Config) -> dict[str, str]:
    """What a reference to this edition says: authors, title, version, year and URL.

    The year is that of the last commit (``SOURCE_DATE_EPOCH``, which rnngrad_book.execution
    sets), so every build of one commit cites it alike.
    """
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    lang = config.language
    return {
        "authors": config.rnngrad_authors.get(lang, config.author),
        "title": config.rnngrad_titles[lang],
        "version": VERSION[lang].format(rnngrad.__version__),
        "year": str(datetime.fromtimestamp(epoch, UTC).year),
        "url": edition_url(config),
    }


def bibtex(config: Config) -> str:
    """The edition as a BibTeX entry, to copy into a bibliography."""
    fields = citation_fields(config)
    return "\n".join(
        [
            f"@book{{rnngrad-vanishing-gradients-{config.language},",
            f"  author   = {{{{{fields['authors']}}}}},",
            f"  title    = {{{fields['title']}}},",
            f"  year     = {{{fields['year']}}},",
            f"  note     = {{{fields['version']}}},",
            f"  url      = {{{fields['url']}}},",
            f"  language = {{{BIBTEX_LANGUAGE[config.language]}}},",
            "}",
        ]
    )


def configure_site(app: Sphinx, config: Config) -> None:
    """Point the theme, the sitemap, the social-card tags and the footer at the settings.

    Runs after rnngrad_book.bilingual has checked the language (``-D language=…`` is known
    only now). Without ``rnngrad_site_url`` (the extension's test projects) only the
    version is set.
    """
    config.version = config.release = rnngrad.__version__
    if not config.rnngrad_site_url:
        return
    lang = config.language
    config.html_baseurl = edition_url(config)
    config.copyright = f"2026, {config.rnngrad_authors.get(lang, config.author)}"
    config.html_theme_options.update(
        {
            "repository_url": config.rnngrad_repository,
            "repository_branch": "main",
            "path_to_docs": f"book/{lang}",
            "use_edit_page_button": True,
            "use_issues_button": True,
            "extra_footer": f'<p class="licence">{licence_html(config)}</p>',
            # Without the theme's "By …" line: the copyright line names the authors, in the
            # edition's language ("By" printed conf.py's English author on Russian pages).
            "footer_content_items": ["copyright.html", "last-updated.html", "extra-footer.html"],
        }
    )
    # sphinx-sitemap: the site's root, and each page's twin in every language as an
    # hreflang alternate (its URL scheme puts the language first: <root>/<lang>/<page>).
    config.site_url = site_url(config)
    config.sitemap_url_scheme = "{lang}{link}"
    config.sitemap_locales = list(config.rnngrad_languages)
    config.sitemap_excludes = ["search.html", "genindex.html", "py-modindex.html"]
    # sphinxext-opengraph: the page's own title and opening words, in its language. No
    # social-card image: the extension draws one PNG a page with matplotlib, which would
    # add ≈ 40 files to each edition's 5 MB budget for a picture of the title.
    config.ogp_site_url = edition_url(config)
    config.ogp_site_name = config.project
    config.ogp_type = "article"
    config.ogp_social_cards = {"enable": False}
    # Lean, for the 150 KB page budget: a card needs one short description, not a second
    # copy as <meta name="description">.
    config.ogp_description_length = 100
    config.ogp_enable_meta_description = False
    others = [code for code in config.rnngrad_languages if code != lang]
    config.ogp_custom_meta_tags = [
        f'<meta property="og:locale" content="{OG_LOCALE[lang]}">',
        *(f'<meta property="og:locale:alternate" content="{OG_LOCALE[c]}">' for c in others),
    ]
    dated = in_git_work_tree(Path(app.srcdir))
    config.sitemap_show_lastmod = dated
    if dated:
        # sphinx-last-updated-by-git: a page not yet committed keeps its source link.
        config.git_untracked_show_sourcelink = True
        config.git_last_updated_timezone = "UTC"
        config.git_last_updated_metatags = False  # the sitemap's lastmod says it once
    config.latex_elements["maketitle"] = "\\sphinxmaketitle\n" + latex_citation_page(config)


def repository_menu(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Word the theme's repository menu in the page's language; its issue entry opens the
    erratum form with the page's address filled in."""
    config = app.config
    if not config.rnngrad_site_url:
        return
    words = REPOSITORY_MENU[config.language]
    groups = context.get("header_buttons", [])
    for button in [b for group in groups for b in [group, *group.get("buttons", [])]]:
        label = button.get("label")
        if label not in words:
            continue
        button["tooltip"] = words[label]
        if button.get("text"):
            button["text"] = words[label]
        if label == "source-issues-button":
            page = f"{edition_url(config)}{pagename}.html"
            query = {"template": ERRATUM_FORM, "title": f"Erratum: {page}", "page": page}
            button["url"] = f"{config.rnngrad_repository}/issues/new?{urlencode(query)}"


def load_dates(app: Sphinx) -> None:
    """Date each page by its last commit (sphinx-last-updated-by-git), where there is git.

    Loaded by this extension, not listed in conf.py: outside a work tree the extension
    warns, and the strict build would fail a tarball's or a test's temporary copy for
    having no history.
    """
    if in_git_work_tree(Path(app.srcdir)):
        app.setup_extension("sphinx_last_updated_by_git")


def latex_citation_page(config: Config) -> str:
    """The page after the handout's title page: how to cite it and its licence."""
    fields = citation_fields(config)
    citation = CITATION[config.language].format(**(fields | {"url": f"\\url{{{fields['url']}}}"}))
    sentence, cc, mit = LICENCE[config.language]
    licence = sentence.format(
        cc=f"{cc} (\\url{{{CC_BY_SA[config.language]}}})",
        mit=f"{mit} (\\url{{{config.rnngrad_repository}/blob/main/LICENSE}})",
    )
    # Ragged right: a justified line of long URLs stretches its spaces across the page.
    return (
        "\\vspace*{\\fill}\n\\begin{flushleft}\n\\textbf{"
        + CITE_TITLE[config.language]
        + "}\\par\\smallskip\n"
        + citation
        + "\\par\\bigskip\n"
        + licence
        + "\\par\n\\end{flushleft}\n\\clearpage\n"
    )


class HowToCite(SphinxDirective):
    """``:::{how-to-cite}``: the reference, a BibTeX entry and the licence line, in the
    page's language, with the version of rnngrad."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Build the box from the settings; the page's source holds no number."""
        config = self.config
        fields = citation_fields(config)
        box = nodes.admonition(classes=[CITE_CLASS])
        box += nodes.title("", CITE_TITLE[config.language])
        line = CITATION[config.language].format(**(fields | {"url": "\0"}))
        before, after = line.split("\0")
        link = nodes.reference("", fields["url"], refuri=fields["url"])
        box += nodes.paragraph("", "", nodes.Text(before), link, nodes.Text(after))
        box += nodes.literal_block(bibtex(config), bibtex(config), language="bibtex")
        sentence, cc, mit = LICENCE[config.language]
        cc_link = nodes.reference("", cc, refuri=CC_BY_SA[config.language])
        mit_link = nodes.reference("", mit, refuri=f"{config.rnngrad_repository}/blob/main/LICENSE")
        head, rest = sentence.split("{cc}")
        middle, tail = rest.split("{mit}")
        box += nodes.paragraph(
            "", "", nodes.Text(head), cc_link, nodes.Text(middle), mit_link, nodes.Text(tail)
        )
        return [box]


class DropCitationBox(SphinxPostTransform):
    """The handout prints the citation after its title page, not at the chapter's end."""

    builders = ("latex",)
    default_priority = 700

    def run(self, **kwargs: Any) -> None:
        """Remove every how-to-cite box from the LaTeX document."""
        for node in list(self.document.findall(nodes.admonition)):
            if CITE_CLASS in node["classes"]:
                node.parent.remove(node)


def write_every_page(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Have every page written, not only those read again.

    sphinx-sitemap lists the pages written in this run, so after an incremental build the
    sitemap lost every unchanged page. Writing is cheap next to reading: nothing is executed
    again, the doctrees are pickled.
    """
    if not app.config.rnngrad_site_url or app.builder.format != "html":
        return []
    return sorted(env.found_docs)


def setup(app: Sphinx) -> None:
    """Register the two settings, the site's metadata, the citation box and the dates."""
    app.add_config_value("rnngrad_repository", "", "env", str)
    app.add_config_value("rnngrad_site_url", "", "env", str)
    app.connect("config-inited", configure_site, priority=102)
    load_dates(app)
    app.connect("html-page-context", repository_menu, priority=504)  # after the theme's (501)
    app.connect("env-updated", write_every_page)
    app.add_directive("how-to-cite", HowToCite)
    app.add_post_transform(DropCitationBox)
