# Two commands matter: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
MO := forum/translations/es/LC_MESSAGES/messages.mo forum/translations/en/LC_MESSAGES/messages.mo

.PHONY: run test lint migrate demo translations extract bench clean

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

forum/translations/%/LC_MESSAGES/messages.mo: forum/translations/%/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d forum/translations -l $* --statistics

translations: $(MO)

migrate: $(BIN)/.installed $(MO)
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load --if-empty

run: demo
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python wsgi.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .

test: $(BIN)/.installed $(MO) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

extract: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o forum/translations/messages.pot .
	$(BIN)/pybabel update -i forum/translations/messages.pot -d forum/translations --no-fuzzy-matching

bench: $(BIN)/.installed $(MO)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance .pytest_cache
