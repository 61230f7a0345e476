"""Figures of chapter 03 (polynomial fits, ReLU pieces, gates).

Helpers take an optional ``ax`` (or ``axes``) and return what they drew on; they never
call ``plt.show()`` and never train anything.  Re-exported by
:mod:`essay_lib.report.plotting` through ``__all__``.
"""

from __future__ import annotations

__all__: list[str] = []
