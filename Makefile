# StarNet Studio — the two set-up commands: `make run` and `make test`.
# Both create .venv with the system's python3 (>= 3.11) and install what they need.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
# Debian packages for Qt's xcb platform (the app on a desktop) ...
QT_PACKAGES := libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 \
	libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0 libxcb-shape0 \
	libxcb-xinerama0 libxcb-xkb1 libxcb-cursor0 libgl1-mesa-dri
# ... plus a virtual X server and the PDF/desktop-file tools the tests use.
APT_PACKAGES := $(QT_PACKAGES) xvfb xauth poppler-utils desktop-file-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
MISSION ?= resources/missions/default.yaml

.PHONY: run test test-core lint bench package smoke system-deps clean

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed-gui: $(VENV)/.created pyproject.toml
	$(PIP) install --quiet -e '.[gui]'
	@touch $@

$(VENV)/.installed-test: $(VENV)/.created pyproject.toml
	$(PIP) install --quiet -e '.[gui,test]'
	@touch $@ $(VENV)/.installed-gui

## run: open the app on the default mission (headless analysis when there is no display)
run: $(VENV)/.installed-gui
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && ! ldconfig -p | grep -q libxcb-cursor.so.0; then \
		echo "installing the Qt platform libraries (Debian packages)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(QT_PACKAGES) >/dev/null; \
	fi
	$(VENV)/bin/starnet gui $(MISSION)

## system-deps: the Debian packages the GUI tests need (skipped when Xvfb is already there)
system-deps:
	@if ! command -v Xvfb >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 || ! command -v desktop-file-validate >/dev/null 2>&1 \
		|| ! ldconfig -p | grep -q libxcb-cursor.so.0; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

## test: install the test dependencies (Xvfb included), run the linters, then the whole suite
test: system-deps $(VENV)/.installed-test lint
	$(PY) -m pytest

## lint: ruff and mypy (settings in pyproject.toml) and the import-layer contracts
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check core app tests benchmarks
	$(VENV)/bin/mypy
	PYTHONPATH=. $(VENV)/bin/lint-imports

## test-core: the engine tests only (no display needed)
test-core: $(VENV)/.installed-test
	$(PY) -m pytest tests/core

## bench: the side-by-side benchmarks (prints ratios against the peers)
bench: system-deps $(VENV)/.installed-test
	$(PY) benchmarks/propagation.py
	$(PY) benchmarks/coverage.py
	$(PY) benchmarks/network.py
	$(PY) benchmarks/sweep.py
	xvfb-run -a -s '-screen 0 1600x1000x24' $(PY) benchmarks/gui.py
	xvfb-run -a -s '-screen 0 1600x1000x24' $(PY) benchmarks/startup.py --runs 3

$(VENV)/.installed-package: $(VENV)/.created pyproject.toml
	$(PIP) install --quiet -e '.[gui,package]'
	@touch $@ $(VENV)/.installed-gui

## package: a one-folder bundle of the app in dist/starnet/ (PyInstaller; a few minutes)
package: $(VENV)/.installed-package
	PYTHON=$(PY) packaging/build.sh

## smoke: the bundle's --version, presets, analyze and screenshot (under Xvfb)
smoke: system-deps
	packaging/smoke_test.sh dist/starnet/starnet

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
