# A notebook page with a plumbing cell, a cell whose folded code shows a table, and a cell
# that teaches; outputs are stored in it, nothing is executed. The book's own Russian strings.
from pathlib import Path

import rnngrad_book

exclude_patterns = ["_build"]  # sphinx.testing builds inside the project
extensions = ["myst_nb", "rnngrad_book"]
# sphinx.testing builds a copy of this folder elsewhere: found from the installed package.
locale_dirs = [str(Path(rnngrad_book.__file__).resolve().parents[2] / "book" / "locale")]
rnngrad_languages = {"en": "English", "ru": "Русский"}
rnngrad_titles = {"en": "Probe", "ru": "Проба"}
rnngrad_subtitles = {"en": "A probe of the handout", "ru": "Проба раздатки"}
rnngrad_lectures = {"en": "The probe lecture", "ru": "Пробная лекция"}
rnngrad_handout = "probe"
latex_engine = "xelatex"
nb_execution_mode = "off"
html_theme = "sphinx_book_theme"
