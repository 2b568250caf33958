# The two commands of the quick start live here: `make up` (main job) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8080
WORKERS ?= 3

.PHONY: up down test lint emulator clean

## up: the main job: emulator + local file backend + `pulumi up` of the catalog on `dev`
up:
	bash programs/dev.sh up

## down: stop the background emulator started by `make up`
down:
	bash programs/dev.sh down

## test: create .venv, install the package with its extras, lint, type-check, run the whole suite
test: $(VENV)/.installed
	$(BIN)/ruff check provider tests bench programs
	$(BIN)/mypy
	$(BIN)/pytest --numprocesses $(WORKERS) --dist worksteal

lint: $(VENV)/.installed
	$(BIN)/ruff check provider tests bench programs
	$(BIN)/mypy

## emulator: run the local Capillary API in the foreground on $(PORT)
emulator: $(VENV)/.installed
	$(BIN)/capillary-emulator --port $(PORT)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,emulator]"
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .mypy_cache
