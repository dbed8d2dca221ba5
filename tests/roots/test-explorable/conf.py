# One notebook page with an explorable figure, its outputs stored in it: nothing is executed.
exclude_patterns = ["_build"]  # sphinx.testing builds inside the project
extensions = ["myst_nb", "rnngrad_book"]
rnngrad_languages = {"en": "English", "ru": "Русский"}
rnngrad_titles = {"en": "Probe", "ru": "Проба"}
rnngrad_handout = "probe"
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence"]
numfig = True
