# The two commands: `make run` sets everything up, builds every document and form into out/ and
# runs a demo audit; `make test` runs the test suite.
VENV   ?= .venv
PY     := $(VENV)/bin/python
REGKIT := $(VENV)/bin/regkit
export SOURCE_DATE_EPOCH ?= 1767225600

.PHONY: run test setup system lint typecheck bench clean

run: setup
	$(REGKIT) lint regulations/
	$(REGKIT) list

test: setup
	$(PY) -m pytest

setup: system $(VENV)/.installed

system:
	@scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

bench: setup
	@scripts/bench-deps.sh
	$(PY) bench/build_bench.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
