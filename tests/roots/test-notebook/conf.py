# One notebook page whose outputs are stored in it: nothing is executed.
exclude_patterns = ["_build"]  # sphinx.testing builds inside the project
extensions = ["myst_nb", "rnngrad_book"]
rnngrad_languages = {"en": "English", "ru": "Русский"}
rnngrad_titles = {"en": "Probe", "ru": "Проба"}
rnngrad_handout = "probe"
nb_execution_mode = "off"
nb_output_stderr = "show"
html_theme = "sphinx_book_theme"
html_theme_options = {"use_download_button": True}
