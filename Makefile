# The two commands a newcomer needs: `make run` and `make test`. Both build .venv from scratch when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: venv run test lint check bench clean screenshot

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev,gui,docker]'
	$(BIN)/workbench sdk build || $(BIN)/workbench sdk build --python-only
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/workbench gui --sample

lint: $(STAMP)
	$(BIN)/ruff check workbench tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/invoke.py --quick
	$(BIN)/python bench/gui_lag.py --quick

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# The README's screenshot: the scripted demo, played offscreen, saved as a PNG of the whole window.
screenshot: $(STAMP)
	$(BIN)/workbench gui --sample --demo --screenshot docs/screenshot.png
