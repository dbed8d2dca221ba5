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

.PHONY: html $(HTML_TARGETS) site test test-fast lint bench live clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[book,test,dev]'
	touch $@

## html: build both editions and assemble _build/site (open _build/site/index.html)
html: $(HTML_TARGETS)
	$(MAKE) --no-print-directory site

# Static pattern rule: html-en and html-ru are real, phony targets (a bare pattern rule
# listed in .PHONY would silently build nothing). The output folder is emptied first so
# that no stale page survives; doctrees and the execution cache are kept for speed.
$(HTML_TARGETS): html-%: $(STAMP)
	rm -rf _build/$*/html
	$(BIN)/sphinx-build -b html -c . -D language=$* -d _build/$*/doctrees $(SPHINXOPTS) book/$* _build/$*/html

site:
	rm -rf _build/site.tmp
	mkdir -p _build/site.tmp
	for lang in $(LANGS); do \
	  cp -r _build/$$lang/html _build/site.tmp/$$lang; \
	  rm -f _build/site.tmp/$$lang/.buildinfo; \
	done
	cp book/_site/index.html _build/site.tmp/index.html
	rm -rf _build/site
	mv _build/site.tmp _build/site
	@echo "The site is in _build/site: open _build/site/index.html"

## test: build both editions, then run every test (library, parity, the built site)
test: html
	$(BIN)/python -m pytest

## test-fast: the library and parity tests only, no book build
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks conf.py
	$(BIN)/ruff format --check src tests benchmarks conf.py
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_rnn.py

## live: rebuild one edition on every save and serve it (BOOK_LANG=ru make live)
live: $(STAMP)
	$(BIN)/sphinx-autobuild -c . -D language=$(BOOK_LANG) -d _build/live/$(BOOK_LANG)/doctrees \
	  --watch src/rnngrad -n --keep-going book/$(BOOK_LANG) _build/live/$(BOOK_LANG)/html

clean:
	rm -rf _build
