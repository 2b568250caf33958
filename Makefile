# The two commands of the quick start live here: `make up` (main job) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8080
WORKERS ?= 3

.PHONY: up down env test lint emulator dev venv pulumi actionlint clean

## up: the main job: emulator + local file backend + `pulumi up` of the catalog on `dev`
up:
	bash programs/dev.sh up

## down: stop the background emulator started by `make up`
down:
	bash programs/dev.sh down

## env: `export` lines for running pulumi by hand on the dev stack: eval "$$(make -s env)"
env: $(VENV)/.installed
	@bash programs/dev.sh env

## test: venv, the Pulumi CLI (found or built once), actionlint, lint, type-check, the whole suite
test: $(VENV)/.installed
	$(BIN)/ruff check provider tests bench programs
	$(BIN)/mypy
	CAPILLARY_ACTIONLINT="$$(bash tools/actionlint/build.sh)" \
	CAPILLARY_PULUMI_DIR="$$(bash tools/pulumi/ensure.sh || true)" \
	  $(BIN)/pytest --numprocesses $(WORKERS) --dist worksteal

lint: $(VENV)/.installed
	$(BIN)/ruff check provider tests bench programs
	$(BIN)/mypy

## emulator: run the local Capillary API in the foreground on $(PORT)
emulator: $(VENV)/.installed
	$(BIN)/capillary-emulator --port $(PORT)

## dev (or venv): only the environment: .venv with the package, the emulator and the CLI
dev venv: $(VENV)/.installed

## pulumi: build the pinned Pulumi CLI from Go modules (once; about 7 minutes on 2 cores)
pulumi:
	@bash tools/pulumi/build.sh

$(VENV)/.installed: pyproject.toml
	@echo "==> creating $(VENV) and installing pulumi-capillary with its extras (about a minute)" >&2
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,emulator]"
	touch $@

## clean: back to a fresh clone (git status --ignored shows nothing): stops the emulator,
## removes the venv, caches, build output and the dev stack's local state (.pulumi, .emulator);
## it refuses, naming them, while .pulumi holds other stacks' state.
## The pinned Pulumi CLI stays in ~/.cache/pulumi-capillary (shared by every clone).
clean:
	bash programs/dev.sh down
	bash programs/dev.sh clean-state
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .mypy_cache .import_linter_cache build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name '*.egg-info' -type d -prune -exec rm -rf {} +
