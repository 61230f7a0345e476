"""The rendered site's parts: nbconvert template, page CSS, MathML rendering, kernel hook.

A publishing stack beside the science, not a floor above it (DESIGN.md §7): it imports
only :mod:`essay_lib.util` (no torch, no data, nets, measures, experiment or report: it
executes the notebooks, which import those in their own kernels), no floor of the science
imports it, and only :mod:`essay_lib.cli` uses both.  An import-linter contract in
``pyproject.toml`` says so.

* :mod:`essay_lib.site.execute`  one notebook in a fresh kernel (nbclient); failures name the
  notebook, cell and line
* :mod:`essay_lib.site.build`  the whole build: execute or reuse, render, index, gallery
* :mod:`essay_lib.site.cache`  the execution cache's key and stored run times
* :mod:`essay_lib.site.render`  notebook -> HTML page (nbconvert, LaTeX -> MathML; code
  folded and solutions collapsed in ``<details>``), index and gallery pages
* :mod:`essay_lib.site.pages`  the index (reading and run times, variant parameters) and
  gallery pages
* :mod:`essay_lib.site.chapter_page`  a chapter page's header line (reading time, run time,
  ``.ipynb``/``.py`` downloads copied next to it), its references, and ``references.html``
* :mod:`essay_lib.site.reading`  a chapter's reading time, computed from its words
* :mod:`essay_lib.site.bibliography`  the essay's one bibliography (every work it cites)
* :mod:`essay_lib.site.citations`  ``[@key]`` citations turned into links to the references
* :mod:`essay_lib.site.gallery`  every figure with its caption, in reading order, copied and
  zipped
* :mod:`essay_lib.site.captions`  the caption of every figure the notebooks save (one home)
* :mod:`essay_lib.site.numbering`  "Figure C.k", computed in reading order; numbered
  ``<figure>``/``<figcaption>`` on the chapter pages
* :mod:`essay_lib.site.instructors`  the instructors' page: a lecture plan per chapter
  (:mod:`essay_lib.site.lecture_plans`), slide figures, the exercise to assign
* :mod:`essay_lib.site.pdf`  the built site printed to one PDF through headless Chromium
* :mod:`essay_lib.site.variant_build`  variant builds: parameters injected after the
  ``parameters`` cell (papermill's ``injected-parameters``)
* :mod:`essay_lib.site.assignments`  a chapter notebook -> an nbgrader source notebook
  (the exercises' solutions, hidden tests and points)
* :mod:`essay_lib.site.course`  the nbgrader course folder (``python -m essay_lib
  assignments``) and ``python -m nbgrader`` runs in it
* :mod:`essay_lib.site.figure_alt`  run inside each build kernel: gives inline matplotlib
  figures alt text taken from their titles
* ``templates/essay/``  our nbconvert template (extends JupyterLab's ``lab`` template);
  ``contents``, ``gallery`` and ``references.html.j2`` for the other pages
* ``static/essay.css``  navigation and index-page styles, the print stylesheet, copied
  next to the pages
"""

from __future__ import annotations

from pathlib import Path

#: Folder with the site's files (templates, static).
SITE_DIR = Path(__file__).resolve().parent
#: nbconvert template base folder; the template itself is ``essay``.
TEMPLATES_DIR = SITE_DIR / "templates"
#: Files copied as they are into the site's root.
STATIC_DIR = SITE_DIR / "static"
