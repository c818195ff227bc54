# The two commands: `make run` sets everything up, builds every document and form into out/ and
# runs a demo audit; `make test` runs the test suite.
VENV   ?= .venv
PY     := $(VENV)/bin/python
REGKIT := $(VENV)/bin/regkit
export SOURCE_DATE_EPOCH ?= 1767225600

.PHONY: run test setup system lint bench schema clean

# The demo records contain real breaches: `regkit check` exits 1 on findings, which is the
# expected outcome here; 2 (bad input) or 3 (internal error) still fails the target.
DEMO_CHECK = $(REGKIT) check examples/records --as-of 2026-11-30

run: setup
	$(REGKIT) lint regulations/
	$(REGKIT) list
	$(REGKIT) build -o out/
	$(DEMO_CHECK) --format html -o out/audit.html || test $$? -eq 1
	$(DEMO_CHECK) --format json -o out/audit.json || test $$? -eq 1
	$(DEMO_CHECK) --format text || test $$? -eq 1
	@echo "documents and forms in out/, audit report in out/audit.html"

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
	$(PY) -m pip install -q frictionless  # compared against in check_bench; not a regkit dependency
	$(PY) bench/build_bench.py
	$(PY) bench/forms_bench.py
	$(PY) bench/check_bench.py

schema: setup
	$(REGKIT) schema > schema/regulation.schema.json
	$(REGKIT) schema --org > schema/org.schema.json

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
