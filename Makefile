# Dropout and Linearity -- the two commands of the README, and a few helpers.
#
#   make essay   set up .venv if needed, execute every notebook, write figures/,
#                render the site to build/html/ (re-executes only what changed)
#   make essay SEED=1   a variant of the whole site with other seeds, in build/seed-1/html
#                (its own figures in build/seed-1/figures; figures/ is not touched)
#   make pdf     the site (built first, incrementally, as by `make essay`) printed to one PDF,
#                build/dropout-and-linearity.pdf, through Debian's chromium
#   make lab     JupyterLab on notebooks/: double-click a .py and it opens as a notebook
#   make test    set up .venv (+ test tools, Debian's chromium) and run the whole suite
#                (ruff and the import contract included: tests/test_style.py, test_architecture.py)
#   make check   the fast tier: no Jupyter kernel, browser or server (about a minute)
#   make assignments   nbgrader course in build/course/: one assignment per chapter, source
#                and student versions (installs the "teach" extra, nbgrader, when missing)
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
# JupyterLab's settings overrides inside the venv (essay_lib/cli/lab.py): .py files open as
# notebooks (jupytext), no news pop-up.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
export MPLBACKEND ?= Agg

.PHONY: essay pdf test check lab setup browser lint clean assignments

essay: $(STAMP) $(LAB_SETTINGS)
	$(PY) -m essay_lib build $(if $(SEED),--seed $(SEED) --output build/seed-$(SEED)) $(BUILD_ARGS)

# The PDF edition (essay_lib.site.pdf): `make essay` first (it re-executes nothing when
# nothing changed), then every page of build/html printed in print media and joined.
PDF ?= $(if $(SEED),build/seed-$(SEED)/dropout-and-linearity.pdf,build/dropout-and-linearity.pdf)
pdf: essay browser
	$(PY) -m essay_lib pdf --site $(if $(SEED),build/seed-$(SEED)/html,build/html) --out $(PDF)

test: $(STAMP) $(LAB_SETTINGS) browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The fast tier (about a minute): unit, property and equivalence tests of essay_lib, ruff,
# the import contract and the notebook rules.  It leaves out every test that starts a
# Jupyter kernel or server (markers in pyproject.toml: kernel = the site build on tiny
# notebooks, notebooks = the chapters, site = the browser, lab = JupyterLab).
check: $(STAMP)
	$(PY) -m pytest -m "not notebooks and not site and not lab and not kernel and not nbgrader" \
	  $(PYTEST_ARGS)

# The chapters' exercises as an nbgrader course (essay_lib.site.course; its README.md says
# how to release and grade).  nbgrader is the optional "teach" extra: installed here when
# missing (make test installs it too).
assignments: $(STAMP)
	@$(PY) -c "import nbgrader" 2>/dev/null || { echo "make: installing nbgrader (the teach extra)"; \
	  $(PY) -m pip install -q -e ".[teach]"; }
	$(PY) -m essay_lib assignments --generate $(ASSIGNMENTS_ARGS)

# JupyterLab on the notebooks: jupytext (a server extension installed with it) opens each
# NN_name.py as a notebook paired with its .ipynb.  Root (containers, CI) needs --allow-root.
lab: $(STAMP) $(LAB_SETTINGS)
	@echo "make: starting JupyterLab in notebooks/ (open the URL it prints; Ctrl-C stops it)"
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

setup: $(STAMP) $(LAB_SETTINGS)

$(LAB_SETTINGS): $(STAMP) essay_lib/cli/lab.py
	@$(PY) -m essay_lib lab-settings --settings-dir $(dir $@)

$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "make: creating virtual environment $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@$(PY) -c "import torch" 2>/dev/null \
	  && echo "make: keeping the installed torch $$($(PY) -c 'import torch; print(torch.__version__)')" \
	  || { echo "make: installing $(TORCH_SPEC)"; $(PY) -m pip install -q "$(TORCH_SPEC)"; }
	@echo "make: installing essay_lib (editable) with its test tools and nbgrader (teach)"
	@$(PY) -m pip install -q -e ".[test,teach]"
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
