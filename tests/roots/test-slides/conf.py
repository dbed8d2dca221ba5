# A deck of two slides, built with sphinx-revealjs and the book's slide extension.
exclude_patterns = ["_build"]  # sphinx.testing builds inside the project
extensions = ["sphinx_revealjs", "rnngrad_book.slides"]
mathjax_path = "mathjax/tex-chtml-full.js"
revealjs_script_plugins = [{"name": "RevealNotes", "src": "revealjs/plugin/notes/notes.js"}]
