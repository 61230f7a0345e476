"""The conclusion's analogy figure (``08-analogy``): its labels never cover an interval."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from essay_lib.report.plotting.verdict_figures import plot_analogy  # noqa: E402

LABELS = ["L1 → sparsity ↑", "L2 → norm ↓", "dropout → Z ↓", "L2 → Z ↓", "mixup → Z ↓"]
TASKS = ["1-D quadratic", "two moons", "diabetes", "digits"]


@pytest.mark.parametrize("rho", [0.85, 0.99, -0.99])
def test_the_section_labels_and_legend_stay_clear_of_the_intervals(rho, no_plt_show):
    # every interval near the right edge, where the labels used to be drawn
    rows = [{"label": label, "group": task, "rho": rho, "low": rho - 0.1,
             "high": min(rho + 0.1, 1.0)} for label in LABELS for task in TASKS]
    fig = plot_analogy(rows, ["rises", "falls", "falls", "falls", "falls"], title="t")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    axes_box = ax.get_window_extent(renderer)
    texts = [t for t in ax.texts if t.get_text()]
    assert {t.get_text() for t in texts} == {"the paper's analogy ↑", "controls ↓"}
    legend_box = ax.get_legend().get_window_extent(renderer)
    for box in [t.get_window_extent(renderer) for t in texts] + [legend_box]:
        assert box.x0 >= axes_box.x1, "a label or the legend lies inside the plot"
    for text in texts:
        assert not text.get_window_extent(renderer).overlaps(legend_box)
    plt.close(fig)
