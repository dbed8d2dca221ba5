# Two editions of a two-page project; the tests set language, templates and locale_dirs.
exclude_patterns = ["_build"]  # sphinx.testing builds inside the project
extensions = ["sphinx_exercise", "rnngrad_book"]
rnngrad_languages = {"en": "English", "ru": "Русский"}
rnngrad_titles = {"en": "Probe", "ru": "Проба"}
html_theme = "sphinx_book_theme"
html_theme_options = {"article_header_end": ["language-switch.html"]}
