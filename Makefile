# Two commands do all the set-up on a fresh machine: `make dev` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: dev test lint pytest openapi mutation audit

dev: $(VENV)/.synced
	$(VENV)/bin/connect-backend dev

test: lint pytest

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

pytest: $(VENV)/.synced
	$(VENV)/bin/pytest

# Mutation testing of the domain (docs/mutation-testing.md): what is mutated and which tests run
# are `[tool.mutmut]` in pyproject.toml. Always from scratch: mutmut's cache does not notice
# changed tests. mypy (its type-check filter) is found on PATH.
MUTATION_JOBS ?= $(shell nproc)
mutation: $(VENV)/.synced
	rm -rf mutants
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) \
		> .mutmut-run.log 2>&1 || { tr '\r' '\n' < .mutmut-run.log | tail -40; exit 1; }
	$(VENV)/bin/python -m tests.mutation.gate

# Every package of uv.lock through pip-audit: against OSV when it answers, else against the dated
# advisory copy in ../shared/advisories, served by a loopback OSV endpoint that lives as long as
# the command (README: "Vulnerability audit"; findings accepted in deploy/audit-accepted.toml).
audit: $(VENV)/.synced
	$(VENV)/bin/python -m deploy.audit --uv $(UV)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The lock file is the source of truth: --frozen installs exactly it, or fails.
$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen
	touch $@
