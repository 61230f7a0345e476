"""The interactive cell of chapter 04: a drop-rate slider over precomputed learned functions.

The widget only *shows* what it is given (learned 1-D functions on a grid and
their Z̄, one per (drop rate, seed)); it never trains.  A static page cannot run
it, so chapters draw a fixed figure first and call :func:`show_if_interactive`,
which displays the widget only when a live front end can be assumed (see
:func:`static_mode`).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from essay_lib.report.vocabulary import regularizer_color
from essay_lib.util.paths import STATIC_ENV, switch_on


def static_mode() -> bool:
    """True when widgets would not work: ``$ESSAY_STATIC=1`` (the site build sets it) or
    no IPython kernel is running (a plain script)."""
    if switch_on(STATIC_ENV):
        return True
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return True
    shell = get_ipython()
    return shell is None or not hasattr(shell, "kernel")


def _check_views(x_grid, functions, z_values) -> tuple[np.ndarray, list, list]:
    x = np.asarray(x_grid, dtype=float).ravel()
    if len(x) < 2:
        raise ValueError(f"x_grid must hold at least 2 points, got {len(x)}")
    if not isinstance(functions, Mapping) or not functions:
        raise ValueError("functions must be a non-empty mapping (drop_rate, seed) -> values")
    if not isinstance(z_values, Mapping):
        raise TypeError(f"z_values must be a mapping, got {type(z_values).__name__}")
    for key, y in functions.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"functions keys must be (drop_rate, seed) pairs, got {key!r}")
        if np.asarray(y).size != len(x):
            raise ValueError(f"functions[{key!r}] has {np.asarray(y).size} values for "
                             f"{len(x)} grid points")
        if key not in z_values:
            raise ValueError(f"z_values lacks the key {key!r} that functions has")
    rates = sorted({float(k[0]) for k in functions})
    seeds = sorted({int(k[1]) for k in functions})
    return x, rates, seeds


def draw_drop_rate_view(x_grid, functions, z_values, drop_rate, seed, *, x_train=None,
                        y_train=None, true_function=None, ylim=None, ax=None):
    """Draw the learned function of (``drop_rate``, ``seed``), the unregularized one
    (drop rate 0, same seed) for reference, and Z̄ in the title.  Returns the Axes.

    ``functions``: (drop_rate, seed) -> values (len(x_grid),); ``z_values``: the same
    keys -> Z̄ (float).
    """
    x, _, _ = _check_views(x_grid, functions, z_values)
    key = (float(drop_rate), int(seed))
    if key not in functions:
        raise ValueError(f"no learned function for drop rate {drop_rate} and seed {seed}; "
                         f"available: {sorted(functions)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.8))
    if true_function is not None:
        ax.plot(x, true_function(x), color="0.6", linestyle=":", label="true function")
    reference = (0.0, int(seed))
    if reference in functions and reference != key:
        ax.plot(x, np.ravel(functions[reference]), color=regularizer_color("none"), linewidth=1,
                label=f"drop rate 0 (Z̄ = {z_values[reference]:.3f})")
    ax.plot(x, np.ravel(functions[key]), color=regularizer_color("dropout"),
            label=f"drop rate {key[0]:g} (Z̄ = {z_values[key]:.3f})")
    if x_train is not None and y_train is not None:
        ax.scatter(np.ravel(x_train), np.ravel(y_train), s=16, color="black", zorder=3,
                   label="training points")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("network output")
    ax.set_title(f"drop rate {key[0]:g}, seed {key[1]}: Z̄ = {z_values[key]:.3f}")
    ax.legend(loc="upper center")
    return ax


def drop_rate_explorer(x_grid, functions, z_values, **draw_kw):
    """An ipywidgets box: a drop-rate slider, a seed menu and the view of
    :func:`draw_drop_rate_view` (keyword arguments are passed on), redrawn on change."""
    import ipywidgets as w
    from IPython.display import display

    _, rates, seeds = _check_views(x_grid, functions, z_values)
    slider = w.SelectionSlider(options=[(f"{r:g}", r) for r in rates], value=rates[0],
                               description="drop rate", continuous_update=False)
    menu = w.Dropdown(options=seeds, value=seeds[0], description="seed")
    out = w.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            ax = draw_drop_rate_view(x_grid, functions, z_values, slider.value, menu.value,
                                     **draw_kw)
            display(ax.figure)
            plt.close(ax.figure)

    slider.observe(redraw, names="value")
    menu.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([slider, menu]), out])


def show_if_interactive(make_widget, *args, **kwargs) -> bool:
    """Call ``make_widget(*args, **kwargs)`` and display the result unless
    :func:`static_mode`; returns whether a widget was shown.  Nothing is built (or stored
    in the notebook) otherwise."""
    if static_mode():
        return False
    from IPython.display import display

    display(make_widget(*args, **kwargs))
    return True
