# A one-page book published at a site URL from a repository, as conf.py sets them.
exclude_patterns = ["_build"]  # sphinx.testing builds inside the project
extensions = ["sphinx_sitemap", "sphinxext.opengraph", "rnngrad_book"]
rnngrad_languages = {"en": "English", "ru": "Русский"}
rnngrad_titles = {"en": "Probe", "ru": "Проба"}
rnngrad_authors = {"en": "Probe authors", "ru": "Авторы пробы"}
rnngrad_repository = "https://github.com/probe/book"
rnngrad_site_url = "https://probe.example.org/book"
html_theme = "sphinx_book_theme"
html_theme_options: dict[str, object] = {}
latex_engine = "xelatex"
