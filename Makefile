# Two commands on a fresh machine:
#   make demo   - create .venv, install, run the responder offline on examples/
#   make test   - create .venv with the dev extras, run the checkers and the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck forms tests bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "issueops-responder needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/python examples/demo.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

forms: $(VENV)/.installed-dev
	$(BIN)/responder templates --config examples/responder.yml --check
	$(BIN)/check-jsonschema --builtin-schema vendor.github-issue-forms \
		.github/ISSUE_TEMPLATE/outage-report.yml .github/ISSUE_TEMPLATE/feature-request.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-issue-config .github/ISSUE_TEMPLATE/config.yml

tests: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test: lint typecheck forms tests

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/investigate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
