# Two commands from a fresh clone: `make run` and `make test`. Each sets itself up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home

.PHONY: run test install ui bench clean lock

# The venv is rebuilt when the pins change. requirements.lock pins every package exactly and is
# installed with --no-deps: camel-tools declares torch, which we do not need (see pyproject.toml).
$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

install: $(BIN)/.installed

run: install
	@$(BIN)/python -m news_assets.dagster_home $(DAGSTER_HOME) >/dev/null
	$(BIN)/news-assets build
	@echo
	@$(BIN)/news-assets top --limit 15
	@echo
	@echo "Warehouse: $${NEWS_DUCKDB_PATH:-data/news.duckdb}"
	@echo "  UI:    DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev    # then open http://127.0.0.1:3000"
	@echo "  SQL:   $(BIN)/python -c \"import duckdb; print(duckdb.connect('data/news.duckdb', read_only=True).sql('SELECT * FROM mention_counts_daily LIMIT 10'))\""

# The suite on TEST_WORKERS processes (pytest-xdist; `worksteal`: an idle worker takes tests
# queued for the other, so one slow file does not leave a core idle at the end). Each test has its
# own temporary corpus, warehouse and Dagster home. `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal

ui: install
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

# The benchmarks that print the README's figures (they read ../shared/corpora/ant-v2.1 in place).
bench: install
	$(BIN)/python bench/corpus_scale.py
	$(BIN)/python bench/memory_scale.py
	$(BIN)/python bench/event_log.py
	$(BIN)/python bench/camel_speed.py

clean:
	rm -rf data .pytest_cache

# Refresh requirements.lock from the direct pins in pyproject.toml (needs PyPI). camel-tools goes in
# without its declared deps: emoji/six for the text utilities, pyrsistent/muddler/docopt for
# camel_tools.data (imported by camel_tools.ner); torch (2.13.0+cpu from /opt/wheels) and
# transformers are resolved with the other pyproject pins.
lock:
	rm -rf /tmp/news_assets_lock && $(PYTHON) -m venv /tmp/news_assets_lock
	/tmp/news_assets_lock/bin/pip install --quiet pip==26.3
	/tmp/news_assets_lock/bin/pip install --quiet $$(python3 -c "import tomllib;d=tomllib.load(open('pyproject.toml','rb'));print(' '.join(x for x in d['project']['dependencies']+d['project']['optional-dependencies']['test'] if not x.startswith('camel-tools')))") setuptools==84.2.1
	/tmp/news_assets_lock/bin/pip install --quiet --no-deps camel-tools==1.6.0 emoji==2.16.0 six==1.17.0 \
		pyrsistent==0.20.0 muddler==0.1.3 docopt==0.6.2
	/tmp/news_assets_lock/bin/pip freeze --all --exclude-editable | LC_ALL=C sort > requirements.lock
