# A chapter with an exercise page and an API page, as the handout lays it out.
exclude_patterns = ["_build"]  # sphinx.testing builds inside the project
extensions = ["sphinx_exercise", "rnngrad_book"]
rnngrad_languages = {"en": "English", "ru": "Русский"}
rnngrad_titles = {"en": "Probe", "ru": "Проба"}
rnngrad_authors = {"en": "Probe authors", "ru": "Авторы пробы"}
rnngrad_handout = "probe"
rnngrad_handout_appendices = ("api",)
latex_engine = "xelatex"
