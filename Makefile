# One command to build, one to test. The virtual environment is created on first use.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := html

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LANGS := en ru
BOOK_LANG ?= en
# -n: every cross-reference must resolve; -W: warnings are errors; --keep-going: list them all.
SPHINXOPTS ?= -n -W --keep-going
HTML_TARGETS := $(addprefix html-,$(LANGS))

# -- PDF handout (settings) ----------------------------------------------------------------
# conf.py names the LaTeX document $(HANDOUT)-<lang>.tex; the site serves <lang>/$(HANDOUT)-<lang>.pdf.
HANDOUT := vanishing-gradients
PDF_TARGETS := $(addprefix pdf-,$(LANGS))
# The Debian packages of the TeX toolchain, each beside the shell test that finds it installed:
# the one list. `make check-tex` stops on a missing one; .ci/run installs what `make -s
# missing-tex` prints.
define TEX_PIECES
texlive-xetex              command -v xelatex
latexmk                    command -v latexmk
texlive-fonts-recommended  kpsewhich pzdr.tfm
texlive-lang-cyrillic      kpsewhich loadhyph-ru.tex
fonts-freefont-otf         fc-list FreeSerif file | grep -q .
endef
export TEX_PIECES
LATEXMKOPTS ?= -pdfxe -interaction=nonstopmode -halt-on-error -file-line-error
# `make test` builds the handouts when XeLaTeX is installed, and always in CI (where
# missing TeX is an error, not a skip).
WITH_PDF := $(or $(CI),$(shell command -v xelatex >/dev/null && command -v latexmk >/dev/null && echo yes))

.PHONY: html $(HTML_TARGETS) experiments site test test-fast lint bench live clean constraints
.PHONY: pdf $(PDF_TARGETS) handouts check-tex missing-tex
.PHONY: slides $(SLIDE_TARGETS)

# -- Slides (settings) ---------------------------------------------------------------------
# One reveal.js deck per language from slides/<lang>/index.md (its own Sphinx project,
# slides/conf.py), printed to <lang>/slides/$(DECK)-<lang>.pdf by Chromium through Playwright.
DECK := vanishing-gradients-slides
SLIDE_TARGETS := $(addprefix slides-,$(LANGS))
CHROMIUM ?= /usr/bin/chromium
# The PDF needs Chromium; in CI a missing one is an error (rnngrad_book.slides says so), not a skip.
WITH_CHROMIUM := $(or $(CI),$(shell test -x $(CHROMIUM) && echo yes))

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[book,test,dev]'
	touch $@

## html: build both editions and their slides, and assemble _build/site (open _build/site/index.html)
html: $(HTML_TARGETS) $(SLIDE_TARGETS)
	$(MAKE) --no-print-directory site

## experiments: compute the chapter's training runs that the cache misses, with a progress bar
# The build reads them from the same cache (rnngrad_book.execution's default, unless
# RNNGRAD_EXPERIMENT_CACHE names another), so a cold build shows its progress here instead of
# in one silent cell; when all are cached this takes a fraction of a second.
EXPERIMENT_CACHE := $(or $(RNNGRAD_EXPERIMENT_CACHE),_build/experiments)
experiments: $(STAMP)
	$(BIN)/python -m rnngrad.experiments run --jobs 2 --cache-dir $(EXPERIMENT_CACHE)

# Static pattern rule: html-en and html-ru are real, phony targets (a bare pattern rule
# listed in .PHONY would silently build nothing). Built into the previous output, so that
# Sphinx reads only the pages that changed; rnngrad_book.freshness removes the pages whose
# source is gone (tests/test_book_stale_pages.py).
$(HTML_TARGETS): html-%: $(STAMP) experiments
	$(BIN)/sphinx-build -b html -c . -D language=$* -d _build/$*/doctrees $(SPHINXOPTS) book/$* _build/$*/html

site:
	rm -rf _build/site.tmp
	mkdir -p _build/site.tmp
	for lang in $(LANGS); do \
	  cp -r _build/$$lang/html _build/site.tmp/$$lang; \
	  rm -f _build/site.tmp/$$lang/.buildinfo; \
	  pdf=_build/$$lang/latex/$(HANDOUT)-$$lang.pdf; \
	  if [ -f "$$pdf" ]; then cp "$$pdf" _build/site.tmp/$$lang/; fi; \
	  if [ -d _build/$$lang/slides/deck ]; then \
	    cp -r _build/$$lang/slides/deck _build/site.tmp/$$lang/slides; \
	    rm -rf _build/site.tmp/$$lang/slides/{.buildinfo,_sources,objects.inv}; \
	  fi; \
	done
	cp book/_site/index.html _build/site.tmp/index.html
	$(BIN)/python -m rnngrad_book.sitefiles _build/site.tmp
	rm -rf _build/site
	mv _build/site.tmp _build/site
	@echo "The site is in _build/site: open _build/site/index.html"

# -- Slides --------------------------------------------------------------------------------
## slides: both decks and their PDFs; into _build/site/<lang>/slides once the editions are built
slides: $(SLIDE_TARGETS)
	@if [ -d _build/en/html ] && [ -d _build/ru/html ]; then \
	  $(MAKE) --no-print-directory site; \
	else \
	  echo "The decks are in _build/<lang>/slides/deck; \`make html\` puts them into the site."; \
	fi

# Built into the previous output, like the editions; the deck is one page, so a rebuild is
# its execution (cached) and the PDF. The deck gets a folder of its own: MyST-NB writes executed
# notebooks beside the output folder (<out>/../jupyter_execute), and the deck's index.ipynb must
# not replace the chapter's, which the edition publishes from there.
$(SLIDE_TARGETS): slides-%: $(STAMP) experiments
	$(BIN)/sphinx-build -b revealjs -c slides -D language=$* -d _build/$*/slides/doctrees $(SPHINXOPTS) slides/$* _build/$*/slides/deck
	@if [ -n "$(WITH_CHROMIUM)" ]; then \
	  CHROMIUM=$(CHROMIUM) $(BIN)/python -m rnngrad_book.slides _build/$*/slides/deck/index.html _build/$*/slides/deck/$(DECK)-$*.pdf; \
	else \
	  echo "Note: no Chromium at $(CHROMIUM), so no PDF of the $* deck; tests/test_slides_pdf.py will be skipped." \
	       "Install it: sudo apt-get install --no-install-recommends chromium"; \
	fi

# -- PDF handout ---------------------------------------------------------------------------
## pdf: build both editions and their PDF handouts (XeLaTeX), into _build/site/<lang>/
# The site pages link to <lang>/$(HANDOUT)-<lang>.pdf; `make site` (and so `make html`)
# copies the PDF that the last `make pdf` built. HTML and LaTeX of one language share
# doctrees and the execution cache, so they run one after the other, never in parallel.
pdf: check-tex
	$(MAKE) --no-print-directory $(HTML_TARGETS)
	$(MAKE) --no-print-directory handouts

handouts: $(PDF_TARGETS)
	$(MAKE) --no-print-directory site

# The LaTeX output folder is emptied first: after a failed run latexmk would report
# "All targets up-to-date". XeLaTeX's chatter goes to latexmk.out; on failure its errors
# are printed with the log's path.
$(PDF_TARGETS): pdf-%: $(STAMP) check-tex
	rm -rf _build/$*/latex
	$(BIN)/sphinx-build -b latex -c . -D language=$* -d _build/$*/doctrees $(SPHINXOPTS) book/$* _build/$*/latex
	cd _build/$*/latex && if ! latexmk $(LATEXMKOPTS) $(HANDOUT)-$*.tex >latexmk.out 2>&1; then \
	  echo "XeLaTeX failed on _build/$*/latex/$(HANDOUT)-$*.tex:" >&2; \
	  grep -E -A3 '^!|^[^ ]+:[0-9]+: ' $(HANDOUT)-$*.log >&2 || tail -n 30 latexmk.out >&2; \
	  echo "Full log: _build/$*/latex/$(HANDOUT)-$*.log" >&2; \
	  exit 1; \
	fi
	@echo "The $* handout is _build/$*/latex/$(HANDOUT)-$*.pdf"

# The Debian packages of TEX_PIECES that are not installed, one a line.
missing-tex:
	@while read -r package test; do \
	  bash -c "$$test" >/dev/null 2>&1 || echo "$$package"; \
	done <<<"$$TEX_PIECES"

# Fails at once, with what to install, when a piece of the TeX toolchain is missing.
check-tex:
	@missing=$$($(MAKE) --no-print-directory -s missing-tex | xargs); \
	if [ -n "$$missing" ]; then \
	  echo "make pdf: the PDF handout needs XeLaTeX. Install on Debian/Ubuntu:" >&2; \
	  echo "  sudo apt-get install --no-install-recommends $$missing" >&2; \
	  exit 1; \
	fi

## test: build both editions (and the PDF handouts if XeLaTeX is installed), run every test
test: html
	@if [ -n "$(WITH_PDF)" ]; then \
	  $(MAKE) --no-print-directory handouts; \
	else \
	  echo "Note: XeLaTeX/latexmk not found, so no PDF handout; tests/test_pdf.py will be skipped." \
	       "\`make check-tex\` says what to install."; \
	fi
	$(BIN)/python -m pytest

## test-fast: every test that needs no book build, no built site and no long training (< 1 min)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not build and not site and not pdf and not browser and not train"

## lint: what .pre-commit-config.yaml runs before a commit, over the whole tree
# Then the publishing files, offline: every file's licence (REUSE.toml), CITATION.cff, the
# GitHub workflows (with a time limit on every job) and the issue forms, each against the
# schema that check-jsonschema ships.
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks conf.py
	$(BIN)/ruff format --check src tests benchmarks conf.py
	$(BIN)/mypy
	$(BIN)/codespell
	$(BIN)/reuse lint --quiet
	$(BIN)/check-jsonschema --builtin-schema vendor.citation-file-format CITATION.cff
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema custom.github-workflows-require-timeout .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-issue-forms .github/ISSUE_TEMPLATE/[!c]*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-issue-config .github/ISSUE_TEMPLATE/config.yml

## constraints: regenerate constraints.txt in a fresh venv (how and why: the file's header)
# LOCK_PINS are the versions to keep; LOCK_PINS=/dev/null moves every pin to the newest.
LOCK_PINS ?= constraints.txt
LOCK_VENV := _build/lock-venv
constraints:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c $(LOCK_PINS) -e '.[book,test,dev,compare]'
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c $(LOCK_PINS) --no-deps hatchling
	{ grep '^#' constraints.txt; \
	  $(LOCK_VENV)/bin/python -m pip freeze --all --exclude-editable | grep -v -E '^(pip|torch)==' \
	    | $(LOCK_VENV)/bin/python -c 'import sys; sys.stdout.writelines(sorted(sys.stdin, key=str.lower))'; \
	} >_build/constraints.txt
	mv _build/constraints.txt constraints.txt
	rm -rf $(LOCK_VENV)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_rnn.py
	$(BIN)/python benchmarks/bench_lru.py
	$(BIN)/python benchmarks/bench_batched.py
	$(BIN)/python benchmarks/bench_experiments.py

## live: rebuild one edition on every save and serve it (BOOK_LANG=ru make live)
live: $(STAMP)
	$(BIN)/sphinx-autobuild -c . -D language=$(BOOK_LANG) -d _build/live/$(BOOK_LANG)/doctrees \
	  --watch src/rnngrad --watch src/rnngrad_book -n --keep-going book/$(BOOK_LANG) _build/live/$(BOOK_LANG)/html

clean:
	rm -rf _build
