"""Every figure helper of the essay, in one namespace: ``from essay_lib.report import plotting``.

* :mod:`~essay_lib.report.plotting.style`: ``set_style``, ``save_figure``, ``STYLE``;
* :mod:`~essay_lib.report.plotting.basic`: learning curves, 1-D functions, mean ± interval,
  2-D decision maps, network diagrams, annotated heat maps;
* :mod:`~essay_lib.report.plotting.sweeps`: a measure against strength, rank-correlation forests;
* one module per chapter topic: :mod:`~essay_lib.report.plotting.capacity` (00),
  :mod:`~essay_lib.report.plotting.penalties` (01),
  :mod:`~essay_lib.report.plotting.dropout_figures` (02),
  :mod:`~essay_lib.report.plotting.functions` (03),
  :mod:`~essay_lib.report.plotting.linearity_figures` (04),
  :mod:`~essay_lib.report.plotting.verdict_figures` (05),
  :mod:`~essay_lib.report.plotting.mechanism_figures` (06),
  :mod:`~essay_lib.report.plotting.variants_figures` (07),
  :mod:`~essay_lib.report.plotting.validity_figures` (the measure's validity, chapter 04),
  :mod:`~essay_lib.report.plotting.frontier_figures` (the fit frontier of chapter 05);
  their ``__all__`` names are re-exported here.

Helpers take an optional ``ax`` and return it (or the figure); they never call
``plt.show()`` and never train anything.  Colours and labels come from
:mod:`essay_lib.report.vocabulary`.  The appendix's specification curve is drawn by
:mod:`~essay_lib.report.plotting.curve_figures`.
"""

from essay_lib.report.plotting import (
    capacity,
    curve_figures,
    dropout_figures,
    frontier_figures,
    functions,
    linearity_figures,
    mechanism_figures,
    penalties,
    validity_figures,
    variants_figures,
    verdict_figures,
)
from essay_lib.report.plotting.basic import (
    axes_or_new,
    draw_intervals,
    plot_decision_function_2d,
    plot_function_1d,
    plot_gate_matrix,
    plot_learning_curves,
    plot_mean_interval,
    plot_subnetwork,
)
from essay_lib.report.plotting.capacity import *  # noqa: F403
from essay_lib.report.plotting.curve_figures import *  # noqa: F403
from essay_lib.report.plotting.dropout_figures import *  # noqa: F403
from essay_lib.report.plotting.frontier_figures import *  # noqa: F403
from essay_lib.report.plotting.functions import *  # noqa: F403
from essay_lib.report.plotting.linearity_figures import *  # noqa: F403
from essay_lib.report.plotting.mechanism_figures import *  # noqa: F403
from essay_lib.report.plotting.penalties import *  # noqa: F403
from essay_lib.report.plotting.style import STYLE, save_figure, set_style
from essay_lib.report.plotting.sweeps import plot_rank_correlations, plot_strength_panels
from essay_lib.report.plotting.validity_figures import *  # noqa: F403
from essay_lib.report.plotting.variants_figures import *  # noqa: F403
from essay_lib.report.plotting.verdict_figures import *  # noqa: F403
from essay_lib.report.vocabulary import REGULARIZER_COLORS
from essay_lib.util.paths import figures_dir

__all__ = [*capacity.__all__, *curve_figures.__all__, *dropout_figures.__all__,
           *frontier_figures.__all__,
           *functions.__all__,
           *linearity_figures.__all__, *mechanism_figures.__all__, *penalties.__all__,
           *validity_figures.__all__,
           *variants_figures.__all__,
           *verdict_figures.__all__,
           "REGULARIZER_COLORS", "STYLE", "axes_or_new", "draw_intervals", "figures_dir",
           "plot_decision_function_2d", "plot_function_1d", "plot_gate_matrix",
           "plot_learning_curves", "plot_mean_interval",
           "plot_rank_correlations", "plot_strength_panels", "plot_subnetwork", "save_figure",
           "set_style"]
