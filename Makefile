# Dropout and Linearity -- the two commands of the README, and a few helpers.
#
#   make essay   set up .venv if needed, execute every notebook, write figures/,
#                render the site to build/html/ (re-executes only what changed)
#   make test    set up .venv (+ test tools, Debian's chromium) and run the whole suite
#   make check   the fast tier: the essay_lib tests only (no notebooks, site or JupyterLab)
#
# Both are idempotent: a second run reuses .venv and the caches.

VENV       ?= .venv
PYTHON     ?= python3
PY         := $(VENV)/bin/python
# The PyTorch build to install when .venv has none.  torch==2.13.0 is the CPU
# build that lies on the project's machines; a GPU user passes e.g.
# `make essay TORCH_SPEC=torch` (README, "Running on a GPU").
TORCH_SPEC ?= torch==2.13.0
STAMP      := $(VENV)/.essay-installed
export MPLBACKEND ?= Agg

.PHONY: essay test check lab setup browser lint clean

essay: $(STAMP)
	$(PY) -m essay_lib build $(BUILD_ARGS)

test: $(STAMP) browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The fast tier (about a minute): unit, property and equivalence tests of essay_lib, the
# import contract and the notebook rules; no notebook execution, browser or JupyterLab.
check: $(STAMP)
	$(PY) -m pytest -m "not notebooks and not site and not lab" $(PYTEST_ARGS)

# JupyterLab on the notebooks: jupytext (a server extension installed with it) opens each
# NN_name.py as a notebook paired with its .ipynb.  Root (containers, CI) needs --allow-root.
lab: $(STAMP)
	@echo "make: starting JupyterLab in notebooks/ (open the URL it prints; Ctrl-C stops it)"
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "make: creating virtual environment $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@$(PY) -c "import torch" 2>/dev/null \
	  && echo "make: keeping the installed torch $$($(PY) -c 'import torch; print(torch.__version__)')" \
	  || { echo "make: installing $(TORCH_SPEC)"; $(PY) -m pip install -q "$(TORCH_SPEC)"; }
	@echo "make: installing essay_lib (editable) with its test tools"
	@$(PY) -m pip install -q -e ".[test]"
	@touch $(STAMP)
	@echo "make: environment ready in $(VENV)"

# Debian's chromium (/usr/bin/chromium) drives the browser test of the site
# (tests/test_site.py, through Playwright).  Installs it when missing; needs root, as on
# the project's machines and CI.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then \
	  echo "make: using $$($(CHROMIUM) --version 2>/dev/null || echo $(CHROMIUM))"; \
	else \
	  echo "make: installing Debian's chromium for the browser test (about a minute)"; \
	  if [ "$$(id -u)" != 0 ]; then echo "make: not root: run 'sudo apt-get install chromium' and retry" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	    && echo "make: installed $$($(CHROMIUM) --version)"; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check essay_lib tests benchmarks notebooks
	$(VENV)/bin/lint-imports --config pyproject.toml

clean:
	rm -rf build
