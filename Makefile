# Two commands on a fresh machine:
#   make demo   - create .venv, install, run the responder offline on examples/
#   make test   - create .venv with the dev extras, run the checkers and the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck forms workflows docs browser prometheus tests bench clean lock

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

# ruff, and the import direction between the layers (import-linter contracts in pyproject.toml).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

forms: $(VENV)/.installed-dev
	$(BIN)/responder templates --config examples/responder.yml --check
	$(BIN)/statuspage templates --config examples/responder.yml --check
	$(BIN)/check-jsonschema --builtin-schema vendor.github-issue-forms \
		.github/ISSUE_TEMPLATE/outage-report.yml .github/ISSUE_TEMPLATE/feature-request.yml \
		.github/ISSUE_TEMPLATE/platform-request.yml .github/ISSUE_TEMPLATE/maintenance.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-issue-config .github/ISSUE_TEMPLATE/config.yml

# The workflows and pipelines: GitHub's and Woodpecker's schemas, and zizmor's audit
# (offline; any finding of medium severity or higher fails).
# The action, and what `responder init` writes into a user's repository (pinned to a sample commit),
# get the same checks.
workflows: $(VENV)/.installed-dev
	$(BIN)/check-jsonschema --builtin-schema vendor.github-actions action.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.woodpecker-ci .woodpecker/*.yml
	$(BIN)/zizmor --offline --min-severity medium .github/ action.yml
	@scratch="$$(mktemp -d)" && trap 'rm -rf "$$scratch"' EXIT && \
	$(BIN)/responder init "$$scratch" --repository acme/infra --woodpecker \
		--action-ref acme/issueops-responder@0123456789abcdef0123456789abcdef01234567 >/dev/null && \
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows "$$scratch"/.github/workflows/*.yml && \
	$(BIN)/check-jsonschema --builtin-schema vendor.woodpecker-ci "$$scratch"/.woodpecker/*.yml && \
	$(BIN)/zizmor --offline --min-severity medium "$$scratch"/.github/

# This project's documentation site (docs/mkdocs.yml, pages in docs/pages/), built strictly:
# any warning, such as a broken link or anchor, fails. Output in build/docs/ (git-ignored).
docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --config-file docs/mkdocs.yml --site-dir "$(CURDIR)/build/docs"

browser:
	@.ci/install-chromium

# Debian's prometheus package: the metrics tests start a real Prometheus (and fail, never skip, without it).
prometheus:
	@.ci/install-prometheus

tests: $(VENV)/.installed-dev browser prometheus
	$(BIN)/python -m pytest

test: lint typecheck forms workflows docs tests

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/guard.py
	$(BIN)/python bench/postmortem.py
	$(BIN)/python bench/statuspage.py
	$(BIN)/python bench/investigate.py
	$(BIN)/python bench/watch.py

# Side by side with peers, on the same inputs, in one run (bench/peers.py): the form parser against
# GitHub's @github/issue-parser (pinned by bench/peers/package-lock.json, installed into the git-ignored
# bench/peers/node_modules), the guard against a bare json.load and an OPA/Rego evaluation (regopy, the
# bench extra), the status page against a bare Jinja render. Not part of `make test`: measured, not asserted.
bench-peers: $(VENV)/.installed-bench
	npm ci --prefix bench/peers --no-audit --no-fund --silent
	$(BIN)/python bench/peers.py

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@touch $@ $(VENV)/.installed-dev $(VENV)/.installed

# The hash-pinned install of the action and the runner image: every package the responder and the
# post-mortem site need, for every Python >= 3.11, plus the build backend for `pip install --no-build-isolation`.
# Regenerate after changing dependencies in pyproject.toml; a test checks the lock still covers them.
lock: $(VENV)/.installed-dev
	printf 'setuptools>=68\nwheel\n' | $(BIN)/uv pip compile pyproject.toml - --extra site --universal \
		--python-version 3.11 --generate-hashes --custom-compile-command 'make lock' --quiet -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
