"""Every figure helper, drawn in its own layout on small synthetic inputs the size of the
essay's (four tasks, five regularizers, the essay's labels), is legible on a slide and on a
phone: no strip wider than about 2.5 : 1 (the saved, tightly cropped figure), no text below
10 pt at the saved size, no panel title wider than its panel (nor a suptitle wider than
the figure), and no panel's labels over another panel.  The inputs reuse the other plotting
tests' fixtures where they have them.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text
from numpy.polynomial import Polynomial

from essay_lib.report import plotting, widgets
from essay_lib.report.plotting.style import MAX_ASPECT, MIN_FONT_PT
from essay_lib.report.specification_curve import NOT_VALID, TREND, SpecificationCurve

plt.switch_backend("Agg")
pytestmark = pytest.mark.usefixtures("no_plt_show")

#: "about 2.5 : 1": the tight bounding box a figure is saved in, with its padding
ASPECT_LIMIT = MAX_ASPECT + 0.1
#: a title may overhang its plot area a little, over the tick labels
TITLE_SLACK = 1.15
TASKS = ("quadratic", "moons", "diabetes", "digits")
REGS = ("dropout", "l1", "l2", "mixup", "early_stop")
RNG = np.random.default_rng(0)


# ---------------------------------------------------------------- the checks
def _texts(fig) -> list[Text]:
    """The texts a reader sees: visible, not empty, not on a hidden panel."""
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
            and (t.axes is None or t.axes.get_visible())]


def layout_problems(fig) -> list[str]:
    """What makes ``fig`` hard to read on a slide or a phone ([] when nothing)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    problems = []
    box = fig.get_tightbbox(renderer)
    if box.width / box.height > ASPECT_LIMIT:
        problems.append(f"{box.width:.1f} × {box.height:.1f} in is wider than "
                        f"{ASPECT_LIMIT} : 1 ({box.width / box.height:.2f})")
    small = sorted({f"{t.get_text()[:30]!r} {t.get_fontsize():g} pt" for t in _texts(fig)
                    if t.get_fontsize() < MIN_FONT_PT - 1e-9})
    if small:
        problems.append(f"text below {MIN_FONT_PT} pt: {small[:5]}")
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        panel = ax.get_window_extent(renderer).width * TITLE_SLACK
        for title in (ax.title, ax._left_title, ax._right_title):
            if title.get_text() and title.get_window_extent(renderer).width > panel:
                problems.append(f"title {title.get_text()!r} is wider than its panel")
    shown = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            if _overlap(a.get_tightbbox(renderer), b.get_tightbbox(renderer)) > 4:  # pixels
                problems.append(f"panels {_name(a)!r} and {_name(b)!r} overlap")
    suptitle = fig._suptitle
    if suptitle is not None and suptitle.get_text():
        if suptitle.get_window_extent(renderer).width > fig.bbox.width:
            problems.append(f"suptitle {suptitle.get_text()!r} is wider than the figure")
    return problems


def _overlap(a, b) -> float:
    """How far two boxes overlap, in pixels (the smaller side of the intersection)."""
    return min(min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0))


def _name(ax) -> str:
    return ax.get_title() or ax.get_ylabel() or ax.get_xlabel() or "a panel"


def _figure(drawn):
    """The figure of whatever a helper returned (a figure, an Axes, or an array of them)."""
    if hasattr(drawn, "savefig"):
        return drawn
    if hasattr(drawn, "figure"):
        return drawn.figure
    return np.ravel(np.asarray(drawn, dtype=object))[0].figure


# ---------------------------------------------------------------- the inputs
def _run(n=120, rise=True):
    epochs = list(range(1, n + 1))
    train = list(np.exp(-np.arange(n) / 30) + 0.05)
    held = list(np.exp(-np.arange(n) / 30) + 0.1 + (0.002 * np.arange(n) if rise else 0))
    return SimpleNamespace(epochs=epochs, train_loss=train, held_out_loss=held)


def _curve(strength, slope=-0.1):
    s = np.asarray(strength, float)
    mean = 0.4 + slope * np.arange(len(s))
    return {"strength": s, "mean": mean, "low": mean - 0.05, "high": mean + 0.05}


def _strengths(reg):
    return {"dropout": [0.0, 0.1, 0.3, 0.5], "early_stop": [400.0, 200, 100, 50]}.get(
        reg, [0.0, 1e-4, 1e-3, 1e-2])


def _records():
    out = []
    for task in TASKS:
        for seed in range(3):
            out.append({"task": task, "regularizer": "none", "strength": 0.0, "seed": seed,
                        "test_loss": 0.5, "train_loss": 0.2, "z_bar": 0.4,
                        "curve": {"epoch": [1, 50, 100], "train_loss": [1.0, 0.3, 0.2],
                                  "test_loss": [1.0, 0.5, 0.5]}})
            for reg in REGS:
                for k, s in enumerate(_strengths(reg)[1:], 1):
                    out.append({"task": task, "regularizer": reg, "strength": s, "seed": seed,
                                "test_loss": 0.5 + 0.05 * k * RNG.uniform(),
                                "train_loss": 0.2 + 0.1 * k, "z_bar": 0.4 - 0.03 * k})
    return out


def _change(est):
    return SimpleNamespace(estimate=est, low=est - 0.02, high=est + 0.02)


class _Curve(SpecificationCurve):
    """A specification curve whose readings are drawn at random (the figure reads only
    ``reading``)."""

    def reading(self, task, key, what):
        seed = abs(hash((task, key, what))) % 2**32
        return np.random.default_rng(seed).choice(
            ["more_linear", "slightly_more_linear", "as_linear", "slightly_less_linear",
             "less_linear", "undetermined", NOT_VALID] if what != TREND
            else ["falls", "rises", "no clear trend"])


def _spec_keys(n_outputs):
    outputs = ("logits", "centred_logits", "log_probabilities", "probabilities")[:n_outputs]
    return tuple(f"{o}|{s}|{g}" for o in outputs for g in ("extrapolating", "inside")
                 for s in ("0.1", "0.25", "0.5")) + tuple(
        f"{o}|0.5|chord_midpoints" for o in outputs)


def _verdicts():
    out = []
    for task in TASKS:
        for k, key in enumerate(_spec_keys(1 if task in ("quadratic", "diabetes") else 3)):
            output, scale, triples = key.split("|")
            out.append(SimpleNamespace(
                task=task, key=key, output=output, scale=float(scale), triples=triples,
                verdict=("supports", "contradicts", "inconclusive", "not validated")[k % 4],
                validated=k % 5 != 0,
                dropout=SimpleNamespace(rho=-0.5 + 0.03 * k, low=-0.7 + 0.03 * k,
                                        high=-0.3 + 0.03 * k)))
    return out


def _zbar(value):
    return SimpleNamespace(value=value, bootstrap_interval=lambda seed=0: (value - 0.05,
                                                                           value + 0.05))


def _line():
    t = np.linspace(0, 1, 5)
    return {"drop_rate": 0.5, "t_fine": np.linspace(0, 1, 50), "curve": np.linspace(1, 0.8, 50),
            "t": t, "mc": 1 - 0.2 * t, "exact": 1 - 0.2 * t, "se": np.full(5, 0.01),
            "n_masks": 2000}


def _mc_result():
    k = np.arange(1, 101)
    return {"error": 1 + 1 / np.sqrt(k)[None, :] * np.ones((3, 1)),
            "gap": 1 / np.sqrt(k)[None, :] * np.ones((3, 1)), "k": k, "det_error": 1.0,
            "floor": 0.01, "k_meet_margin": 12, "k_meet_relative": 40}


def _masks(widths):
    return [np.ones(w) if i in (0, len(widths) - 1) else (RNG.uniform(size=w) > 0.4)
            for i, w in enumerate(widths)]


def _variant_rows():
    rows = []
    variants = [("base", "base"), ("width 64", "width"), ("width 256", "width"),
                ("depth 4", "depth"), ("input dropout", "dropout site"),
                ("residual MLP", "architecture"), ("CNN", "architecture"),
                ("SGD", "optimizer"), ("batch 256", "batch size")]
    for v, g in variants:
        for task in TASKS:
            for role, reg in (("dropout", "dropout"), ("penalty", "l2"),
                              ("control", "mixup")):
                est = RNG.normal(-0.05, 0.03)
                rows.append({"variant": v, "group": g, "task": task, "role": role,
                             "regularizer": reg, "estimate": est, "low": est - 0.03,
                             "high": est + 0.03})
    return rows


def _penalty_sweep():
    from test_penalties_plots import sweep

    return sweep()


def _frontier_table():
    from test_frontier import _four_tasks

    return _four_tasks()


def _validity_cells():
    reps = ("logits", "centred_logits", "log_probabilities", "probabilities")
    alphas = np.linspace(0, 1, 6)
    return [SimpleNamespace(task=t, representation=r, geometry="extrapolating", alphas=alphas,
                            blend_curve=0.3 * (1 - alphas), slopes=alphas,
                            leaky_curve=0.3 * (1 - alphas))
            for t in TASKS for r in (reps if t in ("moons", "digits") else reps[:1])]


def _mixup_rows():
    return [SimpleNamespace(task=t, strengths=[0.0, 0.1, 0.4, 1.0, 4.0],
                            values=RNG.uniform(0.1, 0.3, (3, 5)),
                            representation="probabilities" if t == "moons" else "logits",
                            contrast_values=RNG.uniform(0.1, 0.3, (3, 5)) if t == "moons"
                            else None, contrast_representation="logits")
            for t in TASKS]


def _bridge_values():
    regs = np.array(["none", "dropout", "l1", "l2", "mixup"] * 8)
    return {t: {"z_mask": RNG.uniform(size=40), "z_bar": RNG.uniform(size=40),
                "regularizer": regs} for t in TASKS}


# ---------------------------------------------------------------- every helper
GRID = np.linspace(-1, 1, 41)[:, None]
POINTS = (np.linspace(-1, 1, 10), np.linspace(-1, 1, 10) ** 2)
def _mechanism_tests():
    """A chapter 06 answer with its shape: one task not valid, seven series on the others."""
    from types import SimpleNamespace as NS

    from essay_lib.report.mechanism_tests import SERIES

    def series(i):
        return NS(effect=NS(estimate=0.01 * i - 0.02, low=0.01 * i - 0.03,
                            high=0.01 * i - 0.01))

    tasks = {t: NS(valid=t != "quadratic", delta=0.01,
                   series={} if t == "quadratic" else {s: series(i)
                                                       for i, s in enumerate(SERIES)})
             for t in TASKS}
    return NS(tasks=tasks)


FIGURES = {
    # chapter 00 (the notebook draws these two helpers side by side on its own figure)
    "plot_sizes_1d": lambda: plotting.plot_sizes_1d(
        GRID, {n: GRID[:, 0] ** 2 for n in ("small", "medium", "large")},
        {n: _run() for n in ("small", "medium", "large")}, x_train=POINTS[0],
        y_train=POINTS[1], true_function=np.square, noise_variance=0.01,
        labels={"small": "small, 1 unit", "medium": "medium, 8 units",
                "large": "large, 2 × 256 units"}),
    "plot_size_curves": lambda: plotting.plot_size_curves(
        {n: _run() for n in ("small", "medium", "large")}),
    "plot_early_stopping": lambda: plotting.plot_early_stopping(
        _run(300), best_epoch=18, stopped_epoch=38, patience=20),
    "plot_score_bars": lambda: plotting.plot_score_bars(
        {"small\n1": 0.39, "medium\n8": 0.26, "large\n256×256": -0.15,
         "large +\nearly stop": 0.34, "ridge": 0.41}),
    # chapter 01
    "plot_constraint_picture": lambda: plotting.plot_constraint_picture(
        [[1.0, 0.4], [0.4, 2.0]], [2.0, 0.3], 1.0, resolution=40),
    "plot_linear_paths": lambda: plotting.plot_linear_paths(
        np.logspace(-2, 1, 8), {"l1": RNG.normal(size=(8, 10)), "l2": RNG.normal(size=(8, 10))}),
    "plot_sparsity_and_norm": lambda: plotting.plot_sparsity_and_norm(
        _penalty_sweep(), threshold=1e-3),
    "plot_weight_histograms": lambda: plotting.plot_weight_histograms(
        {(p, s): RNG.normal(size=500) for s in (1e-4, 1e-3, 1e-2) for p in ("l1", "l2")},
        threshold=1e-3),
    "plot_grid_search": lambda: plotting.plot_grid_search(_penalty_sweep()),
    # chapter 02
    "plot_subnetwork_samples": lambda: plotting.plot_subnetwork_samples(
        (4, 8, 8, 1), [_masks((4, 8, 8, 1)) for _ in range(3)],
        color=plotting.REGULARIZER_COLORS["dropout"]),
    "plot_mc_convergence": lambda: plotting.plot_mc_convergence(
        _mc_result(), tolerance=0.01, margin=0.004, reference_k=50),
    "plot_drop_rate_effects": lambda: plotting.plot_drop_rate_effects(
        np.linspace(0, 0.8, 5), RNG.uniform(size=(5, 3)), RNG.uniform(size=(5, 3)),
        RNG.uniform(size=(5, 3, 2)), RNG.uniform(size=(5, 3, 2))),
    "plot_ridge_equivalence": lambda: plotting.plot_ridge_equivalence(
        _line(), np.linspace(0, 0.8, 9), RNG.normal(size=(9, 4)), [0.2, 0.5],
        RNG.normal(size=(2, 4))),
    # chapter 03
    "plot_polynomial_fits": lambda: plotting.plot_polynomial_fits(
        GRID, {d: Polynomial([0, 0, 1]) for d in (1, 3, 9)}, x_train=POINTS[0],
        y_train=POINTS[1], errors={d: (0.01, 0.02) for d in (1, 3, 9)},
        true_function=np.square,
        title="Polynomial fits to 10 noisy points of $y = x^2$ (y-axis clipped)"),
    "plot_degree_sweep": lambda: plotting.plot_degree_sweep(
        {n: {"degree": np.arange(15), "train_mse": np.logspace(0, -6, 15),
             "test_mse": np.logspace(-1, 1, 15)} for n in (10, 30)},
        title="Training and test error of polynomial fits against degree"),
    "plot_weight_decay": lambda: plotting.plot_weight_decay(
        GRID, {"l2": np.array([0.0, 1e-3, 1e-1, 10.0]), "fits": [Polynomial([0, 0, 1])] * 4,
               "train_mse": np.array([0.0, 0.01, 0.02, 0.2]),
               "test_mse": np.array([0.5, 0.03, 0.02, 0.2])},
        (0.0, 1e-3, 10.0), x_train=POINTS[0], y_train=POINTS[1], true_function=np.square,
        title="Weight decay $\\lambda$ on the degree-9 fit to 10 points"),
    "plot_kinks": lambda: plotting.plot_kinks(
        GRID, np.abs(GRID), [0.0], [0.0], x_train=POINTS[0], y_train=POINTS[1],
        label="trained MLP (12 pieces)",
        title="The trained network's linear pieces and their kinks"),
    "plot_pieces_against_width": lambda: plotting.plot_pieces_against_width(
        {"widths": np.array([2, 8, 32, 128]), "initial": RNG.integers(1, 10, (4, 3)),
         "trained": RNG.integers(1, 10, (4, 3))}, segment="[-1, 1]"),
    "plot_gate_sharing": lambda: plotting.plot_gate_sharing(
        RNG.uniform(size=(3, 2, 2)), {"seed": 7, "sensitivity": RNG.uniform(size=(3, 8, 2)),
                                      "ablation": RNG.uniform(size=(9, 3))},
        names=("and", "or", "xor"),
        title="Which gates each first-layer weight and each hidden unit serves"),
    "plot_additivity_by_degree": lambda: plotting.plot_additivity_by_degree(
        range(10), np.linspace(0.4, 0.1, 10), np.linspace(0.0, 0.1, 10), truth=0.12,
        interpolation_degree=9, n_points=10,
        title="Literal additivity defect of polynomial fits against degree"),
    # chapter 04
    "plot_second_difference": lambda: plotting.plot_second_difference(
        {"affine: $f(x) = 0.8x + 0.5$": lambda x: 0.8 * np.asarray(x) + 0.5,
         "curved: $f(x) = x^2$": np.square}, 0.1, 0.3, 0.4),
    "plot_known_functions": lambda: plotting.plot_known_functions(
        range(1, 7), [_zbar(v) for v in np.linspace(0, 0.6, 6)],
        {"true $x^2$": _zbar(0.3), "degree 1 fit": _zbar(0.0), "degree 3 fit": _zbar(0.3),
         "degree 9 fit": _zbar(0.7)}, reference="true $x^2$"),
    "plot_learned_functions": lambda: plotting.plot_learned_functions(
        {r: (lambda x: np.asarray(x)[:, 0] ** 2) for r in (0.0, 0.2, 0.5)},
        {r: (lambda x: np.asarray(x)) for r in (0.0, 0.2, 0.5)},
        quadratic_task=SimpleNamespace(X_train=POINTS[0], y_train=POINTS[1]),
        moons_task=SimpleNamespace(X_test=RNG.normal(size=(20, 2)),
                                   y_test=RNG.integers(0, 2, 20)),
        z_values={(t, r): 0.1 for t in ("quadratic", "moons") for r in (0.0, 0.2, 0.5)},
        true_function=np.square),
    "plot_relative_measures": lambda: plotting.plot_relative_measures(
        {t: {m: _curve([0.1, 0.3, 0.5], 0.1) for m in ("z_bar", "z_bar_raw", "jacobian_norm",
                                                       "affine_nonlinearity")}
         for t in TASKS}),
    "plot_drop_rate_explorer_static": lambda: plotting.plot_drop_rate_explorer_static(
        GRID, {(r, s): GRID[:, 0] ** 2 * (1 - r) for r in (0.0, 0.1, 0.2, 0.3, 0.5)
               for s in (0, 1)},
        {(r, s): 0.1 + r for r in (0.0, 0.1, 0.2, 0.3, 0.5) for s in (0, 1)},
        _curve([0.0, 0.1, 0.2, 0.3, 0.5]), x_train=POINTS[0], y_train=POINTS[1]),
    "plot_dose_response": lambda: plotting.plot_dose_response(_validity_cells(), TASKS),
    "plot_mixup_control": lambda: plotting.plot_mixup_control(_mixup_rows()),
    # sweeps and chapter 05
    "plot_strength_panels": lambda: plotting.plot_strength_panels(
        {r: _curve(_strengths(r)) for r in ("dropout", "l2", "mixup")},
        measure_label="$\\bar Z$", baseline=(0.4, 0.35, 0.45)),
    "plot_rank_correlations": lambda: plotting.plot_rank_correlations(
        [{"label": f"{r} → Z̄", "group": t, "regularizer": r, "rho": -0.5, "low": -0.7,
          "high": -0.3} for r in ("dropout", "l2") for t in TASKS]),
    "plot_training_curves": lambda: plotting.plot_training_curves(
        _records(), TASKS, window_starts={t: 50 for t in TASKS}),
    "plot_paired_changes": lambda: plotting.plot_paired_changes(
        {t: {r: [SimpleNamespace(change=_change(-0.02 * k)) for k in range(1, 5)]
             for r in REGS} for t in TASKS},
        references={t: {"true": -0.1, "untrained": 0.1, "kernel_ridge": -0.05}
                    for t in TASKS}),
    "plot_z_against_loss": lambda: plotting.plot_z_against_loss(
        _records(), TASKS, references={t: {"true": 0.1} for t in TASKS}),
    "plot_frontier": lambda: plotting.plot_frontier(
        _frontier_table(), TASKS, ("dropout", "l2")),
    "plot_specification_curve": lambda: plotting.plot_specification_curve(_verdicts()),
    "plot_specification_readings": lambda: plotting.plot_specification_readings(
        _Curve(tasks=TASKS, keys={t: _spec_keys(1 if t in ("quadratic", "diabetes") else 4)
                                  for t in TASKS},
               answers={}, main="logits|0.5|extrapolating", comparators=REGS[1:], alpha=0.05,
               loss="test_loss")),
    # chapter 06
    "plot_subnetwork_outputs": lambda: plotting.plot_subnetwork_outputs(
        GRID[:, 0], {"no dropout": np.stack([GRID[:, 0] * k for k in (1, 2, 3, 6)]),
                     "dropout, drop rate 0.5": np.stack([GRID[:, 0] * k for k in (1, 2, 3, 5)])},
        x_train=POINTS[0], y_train=POINTS[1]),
    "plot_mask_trends": lambda: plotting.plot_mask_trends(
        {t: ({r: _curve(_strengths(r)) for r in ("dropout", "l2", "mixup")}, (0.4, 0.35, 0.45))
         for t in TASKS}),
    "plot_bridges": lambda: plotting.plot_bridges(
        _bridge_values(), "z_mask", "z_bar", xlabel="$Z_{\\mathrm{mask}}$",
        ylabel="$\\bar Z$ (input space)",
        correlations={t: "ρ = +0.61 [+0.40, +0.77]" for t in TASKS}),
    "plot_mechanism_tests": lambda: plotting.plot_mechanism_tests(_mechanism_tests()),
    # chapter 07 and 08
    "plot_variant_effects": lambda: plotting.plot_variant_effects(_variant_rows()),
    "plot_analogy": lambda: plotting.plot_analogy(
        [{"label": lab, "group": t, "regularizer": reg, "rho": 0.5, "low": 0.3, "high": 0.7}
         for lab, reg in (("L1 → weight sparsity ↑", "l1"), ("L2 → weight norm ↓", "l2"),
                          ("dropout → Z̄ ↓", "dropout"), ("L2 → Z̄ ↓", "l2"),
                          ("mixup → Z̄ ↓", "mixup")) for t in TASKS],
        ["rises", "falls", "falls", "falls", "falls"],
        title="The paper's analogy, measured on 4 tasks × 16 seeds"),
    # the widgets' static view
    "draw_drop_rate_view": lambda: widgets.draw_drop_rate_view(
        GRID[:, 0], {(r, 0): GRID[:, 0] ** 2 * (1 - r) for r in (0.0, 0.3)},
        {(r, 0): 0.1 for r in (0.0, 0.3)}, 0.3, 0, x_train=POINTS[0], y_train=POINTS[1],
        true_function=np.square),
}


def test_every_figure_helper_is_drawn_here():
    helpers = {n for n in plotting.__all__ if n.startswith("plot_")} - {
        "plot_decision_function_2d", "plot_function_1d", "plot_gate_matrix",
        "plot_learning_curves", "plot_mean_interval", "plot_subnetwork"}  # panels, not figures
    assert helpers <= set(FIGURES), sorted(helpers - set(FIGURES))


@pytest.fixture(autouse=True)
def _essay_style():
    with plt.rc_context():
        plotting.set_style()
        yield


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_the_figure_is_legible_on_a_slide_and_a_phone(name):
    fig = _figure(FIGURES[name]())
    problems = layout_problems(fig)
    if os.environ.get("ESSAY_LAYOUT_DIR"):  # keep the drawings for a look
        fig.savefig(Path(os.environ["ESSAY_LAYOUT_DIR"]) / f"{name}.png")
    plt.close(fig)
    assert problems == []


def test_the_checks_catch_a_strip_small_text_a_long_title_and_overlaps():
    fig, axes = plt.subplots(1, 4, figsize=(14, 3))
    axes[0].set_title("a title that is a whole sentence, far wider than its panel")
    axes[1].text(0.5, 0.5, "tiny", fontsize=7)
    problems = layout_problems(fig)
    plt.close(fig)
    assert len(problems) == 4
    assert "wider than 2.6 : 1" in problems[0] and "7 pt" in problems[1]
    assert "wider than its panel" in problems[2]
    assert "overlap" in problems[3]  # the long title runs over the next panel
    assert math.isclose(ASPECT_LIMIT, 2.6)
