# Sohoa — the two commands: `make run` (digitize a sample box and serve it) and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export SOHOA_DATA ?= $(CURDIR)/data
export OMP_THREAD_LIMIT := 1
export SOHOA_TEST_PG_URL ?= postgresql+psycopg://sohoa:sohoa-test@127.0.0.1:5432/sohoa_test

.PHONY: install install-test run demo serve test test-fast screenshots lint bench bench-accuracy bench-search bench-soak bench-load clean

install:
	scripts/bootstrap.sh all

install-test:
	scripts/bootstrap.sh test

run: install
	$(BIN)/sohoa init
	$(BIN)/sohoa demo
	$(BIN)/sohoa serve --host $${SOHOA_HOST:-127.0.0.1} --port $${SOHOA_PORT:-8000}

demo: install
	$(BIN)/sohoa demo

serve: install
	$(BIN)/sohoa serve

test: install-test
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not tesseract and not browser and not postgres and not slow"

# The docs' screenshots (docs/screenshots), taken by the browser tests; `make test` writes them to a scratch folder.
screenshots: install-test
	SOHOA_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q -m browser tests/web tests/shared/test_portal_mobile.py

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/pipeline.py $(BENCH_ARGS)

bench-accuracy: install
	$(BIN)/python bench/accuracy.py --seed $${SEED:-7}

bench-search: install-test
	$(BIN)/python bench/search.py

bench-soak: install
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

# Load (locust): stations uploading and officials searching, embedded and cluster profiles (LOAD_ARGS: --duration …).
bench-load: install-test
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
