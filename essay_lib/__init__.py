"""essay_lib: the companion package of the executable essay "Dropout and Linearity".

Modules (DESIGN.md §7): ground floor ``data``, ``models``, ``regularization``,
``dropout``, ``polynomials``, ``linearity``, ``stats``, ``plotting``; middle
floor ``training``, ``sweeps``, ``cache``; top floor ``build`` and the CLI
(``python -m essay_lib``).  Import the modules you need, e.g.
``from essay_lib import data, models, training``.
"""

__version__ = "0.1.0"
