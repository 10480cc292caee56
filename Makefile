# The two commands a newcomer needs: `make run` and `make test`. Both build .venv from scratch when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: venv run test lint check bench clean screenshot dist bundle deb icons

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
	$(BIN)/ruff check workbench tests bench packaging setup.py
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/invoke.py --quick
	$(BIN)/python bench/gui_lag.py --quick

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist

# The README's screenshot: the scripted demo, played offscreen, saved as a PNG of the whole window.
screenshot: $(STAMP)
	$(BIN)/workbench gui --sample --demo --screenshot docs/screenshot.png

# What a release ships, all into dist/: the wheel and the sdist (the wheel is built from the sdist, so the sdist
# is known to be complete), the one-folder desktop bundle (dist/bundle/workbench, no Python needed) and the
# Debian package made from it.
dist: $(STAMP)
	rm -rf dist build/pyinstaller
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(MAKE) deb

bundle: $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist/bundle --workpath build/pyinstaller \
		packaging/workbench.spec && \
	echo "bundle: dist/bundle/workbench, $$(du -sh dist/bundle/workbench | cut -f1), built in $$(( $$(date +%s) - start )) s"

deb: bundle
	$(BIN)/python packaging/build_deb.py --bundle dist/bundle/workbench --out dist

# The PNG icons from the SVG (committed; only needed after editing the SVG).
icons: $(STAMP)
	$(BIN)/python packaging/render_icons.py
