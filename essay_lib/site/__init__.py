"""The rendered site's parts: nbconvert template, page CSS, MathML rendering, kernel hook.

Top floor (DESIGN.md §7), used only by :mod:`essay_lib.build`:

* :mod:`essay_lib.site.execute`  one notebook in a fresh kernel (nbclient); failures name the
  notebook, cell and line
* :mod:`essay_lib.site.render`  notebook -> HTML page (nbconvert, LaTeX -> MathML), index page
* :mod:`essay_lib.site.figure_alt`  run inside each build kernel: gives inline matplotlib
  figures alt text taken from their titles
* ``templates/essay/``  our nbconvert template (extends JupyterLab's ``lab`` template)
* ``static/essay.css``  navigation and index-page styles, copied next to the pages
"""

from __future__ import annotations

from pathlib import Path

#: Folder with the site's files (templates, static).
SITE_DIR = Path(__file__).resolve().parent
#: nbconvert template base folder; the template itself is ``essay``.
TEMPLATES_DIR = SITE_DIR / "templates"
#: Files copied as they are into the site's root.
STATIC_DIR = SITE_DIR / "static"
