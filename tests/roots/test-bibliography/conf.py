# One page that cites two works and lists them.
exclude_patterns = ["_build"]  # sphinx.testing builds inside the project
extensions = ["sphinxcontrib.bibtex", "rnngrad_book"]
rnngrad_languages = {"en": "English", "ru": "Русский"}
rnngrad_titles = {"en": "Probe", "ru": "Проба"}
bibtex_bibfiles = ["refs.bib"]
