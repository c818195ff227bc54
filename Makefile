# The two commands: `make run` sets everything up, builds every document and form into out/ and
# runs a demo audit; `make test` runs the test suite.
VENV   ?= .venv
PY     := $(VENV)/bin/python
REGKIT := $(VENV)/bin/regkit
export SOURCE_DATE_EPOCH ?= 1767225600
# The audit's compiled test of CSV cells (without it the same test runs as SQL, slower).
CELLS  := src/regkit/check/_cells.so

.PHONY: run test test-latest setup system lint lock bench schema clean serve

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
	@echo "web application: make serve (or .venv/bin/regkit serve), then open http://127.0.0.1:8000/;"
	@echo "  give people passwords first: .venv/bin/regkit db password 李娜 (see README, The web application)"

# The web application on http://127.0.0.1:8000/ (SQLite in .regkit/; PORT=, DATABASE=postgresql://... to change).
PORT ?= 8000
serve: setup
	$(REGKIT) serve --port $(PORT) $(if $(DATABASE),--database $(DATABASE))

test: setup
	$(PY) -m pytest

# Byte-compiled once, as pip does for an installed package: an editable install compiles at
# first import and, where PYTHONDONTWRITEBYTECODE is set, again at every start of every command.
setup: system $(VENV)/.installed $(CELLS)
	$(PY) -m compileall -q src

$(CELLS): src/regkit/check/cells.c
	$${CC:-cc} -O3 -Wall -Wextra -Werror -shared -fPIC \
	  -DCELLS_SOURCE='"'"$$(sha256sum $< | cut -c1-16)"'"' -o $@.tmp $< && mv $@.tmp $@

system:
	@scripts/system-deps.sh

# The exact tested versions, every one checked against its hash: requirements.lock is the lock
# of every Python dependency, transitive, for regkit and its tests (pyproject.toml keeps the
# declared compatible ranges). regkit itself goes in without touching the index.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# Re-lock after a change to pyproject.toml's dependencies, keeping the other pins; `make lock
# UPGRADE=1` moves every pin to the newest release the ranges admit. Review the diff, run
# `make test`, commit requirements.lock. Never edit the lock by hand.
LOCK_VENV ?= .venv-lock
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || (python3 -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install -q pip-tools)
	$(LOCK_VENV)/bin/pip-compile -q $(if $(UPGRADE),--upgrade) --generate-hashes --allow-unsafe --all-build-deps --strip-extras --extra dev \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# The test suite against the newest releases pyproject.toml admits, in a venv of its own: finds
# upstream drift before users do. Not used by CI; a failure here means `make lock` will need work.
LATEST_VENV ?= .venv-latest
test-latest: system
	test -x $(LATEST_VENV)/bin/python || python3 -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install -q --upgrade --upgrade-strategy eager -e '.[dev]'
	$(LATEST_VENV)/bin/python -m pip list --format=freeze | sort > $(LATEST_VENV)/versions.txt
	$(LATEST_VENV)/bin/python -m pytest

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

bench: setup
	@scripts/bench-deps.sh
	$(PY) -m pip install -q frictionless  # compared against in check_bench; not a regkit dependency
	$(PY) bench/build_bench.py
	$(PY) bench/forms_bench.py
	$(PY) bench/check_bench.py
	$(PY) bench/json_bench.py
	$(PY) bench/expr_bench.py

schema: setup
	$(REGKIT) schema > schema/regulation.schema.json
	$(REGKIT) schema --org > schema/org.schema.json

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
