"""essay_lib.report.widgets: static detection, the drawn view, the explorer's controls."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from essay_lib.report import widgets

plt.switch_backend("Agg")

X = np.linspace(-1, 1, 11)
FUNCTIONS = {(r, s): X ** 2 * (1 - r) + s for r in (0.0, 0.3, 0.6) for s in (0, 1)}
Z = {k: 0.1 + k[0] / 10 for k in FUNCTIONS}


@pytest.fixture(autouse=True)
def close_all():
    yield
    plt.close("all")


class _KernelShell:
    """Stands in for a live ipykernel shell (it has a ``kernel``)."""

    kernel = object()


@pytest.mark.parametrize("env, kernel, expected", [
    ({"ESSAY_STATIC": "1"}, True, True),   # the site build: static even inside a kernel
    ({"ESSAY_STATIC": "0"}, True, False),  # a live notebook that says so
    ({}, True, False),                     # a live notebook: widgets are shown
    ({"TQDM_DISABLE": "1"}, True, False),  # silencing progress bars is another switch
    ({}, False, True),                     # a plain script (no kernel): static
])
def test_static_mode(monkeypatch, env, kernel, expected):
    import IPython

    monkeypatch.delenv("ESSAY_STATIC", raising=False)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(IPython, "get_ipython", lambda: _KernelShell() if kernel else None)
    assert widgets.static_mode() is expected


def test_show_if_interactive_builds_nothing_when_static(monkeypatch):
    monkeypatch.setenv("ESSAY_STATIC", "1")
    calls = []
    assert widgets.show_if_interactive(lambda: calls.append(1)) is False
    assert calls == []


def test_the_view_draws_the_chosen_function_and_the_reference():
    ax = widgets.draw_drop_rate_view(X, FUNCTIONS, Z, 0.3, 1, x_train=X, y_train=X ** 2)
    assert ax.get_title() == "drop rate 0.3, seed 1: Z̄ = 0.130"
    lines = {ln.get_label(): ln for ln in ax.lines}
    np.testing.assert_allclose(lines["drop rate 0.3 (Z̄ = 0.130)"].get_ydata(), FUNCTIONS[0.3, 1])
    np.testing.assert_allclose(lines["drop rate 0 (Z̄ = 0.100)"].get_ydata(), FUNCTIONS[0.0, 1])


def test_the_view_rejects_unknown_keys_and_mismatched_grids():
    with pytest.raises(ValueError, match="no learned function for drop rate 0.5"):
        widgets.draw_drop_rate_view(X, FUNCTIONS, Z, 0.5, 0)
    with pytest.raises(ValueError, match="values for 5 grid points"):
        widgets.draw_drop_rate_view(X[:5], FUNCTIONS, Z, 0.3, 0)
    with pytest.raises(ValueError, match="z_values lacks"):
        widgets.draw_drop_rate_view(X, FUNCTIONS, {}, 0.3, 0)
    with pytest.raises(ValueError, match=r"\(drop_rate, seed\) pairs"):
        widgets.draw_drop_rate_view(X, {0.3: X}, {0.3: 0.1}, 0.3, 0)


def test_the_explorer_offers_every_rate_and_seed():
    box = widgets.drop_rate_explorer(X, FUNCTIONS, Z)
    slider, menu = box.children[0].children
    assert [v for _, v in slider.options] == [0.0, 0.3, 0.6]
    assert list(menu.options) == [0, 1]
    slider.value = 0.6  # redraws without error
    menu.value = 1
