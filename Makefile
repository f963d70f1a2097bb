# Two commands matter: `make run` and `make test`. Everything else is a step of those.
# Python 3.12 first: CPython 3.11.7 segfaults in its garbage collector on our 100-row list
# pages (see README, "Python version"); 3.13 and plain python3 are fallbacks.
# The first candidate that really runs (a pyenv shim may exist and still refuse to run).
CANDIDATES := python3.12 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) python3.13 python3
PYTHON ?= $(shell for p in $(CANDIDATES); do $$p -c 'import sys' >/dev/null 2>&1 && { command -v $$p; break; }; done)
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(BIN)/.installed-$(PYVER)
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
MO := forum/translations/es/LC_MESSAGES/messages.mo forum/translations/en/LC_MESSAGES/messages.mo

.PHONY: run test lint migrate demo translations extract bench clean

$(INSTALLED): requirements.lock
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

forum/translations/%/LC_MESSAGES/messages.mo: forum/translations/%/LC_MESSAGES/messages.po $(INSTALLED)
	$(BIN)/pybabel compile --use-fuzzy -d forum/translations -l $* --statistics

translations: $(MO)

migrate: $(INSTALLED) $(MO)
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load --if-empty

run: demo
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python wsgi.py

lint: $(INSTALLED)
	$(BIN)/ruff check .

test: $(INSTALLED) $(MO) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# --ignore-dirs: pybabel skips folders starting with "_" by default, and templates/_macros holds
# the pagination and card texts.
extract: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".*" -o forum/translations/messages.pot .
	$(BIN)/pybabel update -i forum/translations/messages.pot -d forum/translations --no-fuzzy-matching --ignore-obsolete

bench: $(INSTALLED) $(MO)
	$(BIN)/python bench/all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
