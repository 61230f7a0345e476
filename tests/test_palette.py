"""The essay's colour system (essay_lib.report.vocabulary): hue means a regularizer, a task is a
panel or a marker, and no figure module holds a categorical colour of its own.

Colour differences are CIEDE2000 ΔE between sRGB colours (D65), computed here from the
published formulas (Sharma, Wu & Dalal 2005), and under simulated deuteranopia and
protanopia (Machado, Oliveira & Fernandes 2009, severity 1).  ΔE ≈ 2 is a just-noticeable
difference; two lines a reader must tell apart on a projector need far more.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from essay_lib.report import plotting, vocabulary

plt.switch_backend("Agg")

PLOTTING = Path(plotting.__file__).parent
#: every module that draws: the figure modules and the widgets (the palette's home is
#: vocabulary.py, outside this list)
DRAWING = sorted(PLOTTING.glob("*.py")) + [PLOTTING.parent / "widgets.py"]

#: any two regularizers, in normal vision
MIN_DE = 15.0
#: the essay's main comparison (Okabe & Ito's colours), also under colour-blindness
CORE = ("none", "dropout", "input_dropout", "l1", "l2", "mixup", "early_stop")
MIN_DE_CVD = 10.0

_MACHADO = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}


def lab(color, vision=None) -> np.ndarray:
    """CIELAB (D65) of a matplotlib colour, optionally as seen with a colour-vision
    deficiency (simulated in linear RGB)."""
    c = np.array(to_rgb(color))
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if vision is not None:
        linear = np.clip(_MACHADO[vision] @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(lab1, lab2) -> float:
    """CIEDE2000 colour difference."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_big_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_bar, c_bar = (L1 + L2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_bar = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_bar = (h1 + h2) / 2
    else:
        h_bar = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar, 1 + 0.015 * c_bar * t
    r_t = (-2 * np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7))
           * np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2)))))
    terms = ((L2 - L1) / s_l, (c2 - c1) / s_c, d_big_h / s_h)
    return float(np.sqrt(sum(x**2 for x in terms) + r_t * terms[1] * terms[2]))


def chroma(color) -> float:
    return float(np.hypot(*lab(color)[1:]))


def test_delta_e_matches_published_pairs():
    # Sharma, Wu & Dalal (2005), table 1: pairs 1, 7 and 17
    assert delta_e((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)) == pytest.approx(2.0425,
                                                                                     abs=1e-4)
    assert delta_e((50.0, 0.0, 0.0), (50.0, -1.0, 2.0)) == pytest.approx(2.3669, abs=1e-4)
    assert delta_e((50.0, 2.5, 0.0), (73.0, 25.0, -18.0)) == pytest.approx(27.1492, abs=1e-4)
    assert lab("#ffffff") == pytest.approx([100.0, 0.0, 0.0], abs=0.05)


# ------------------------------------------------------------------ (a) regularizers
def test_every_named_regularizer_has_a_colour_and_a_label():
    wanted = {"none", "dropout", "l1", "l2", "mixup", "early_stop", "input_dropout", "adamw",
              "gaussian_dropout", "dropout_penalty", "dropout_first", "dropout_last",
              "dropout_one_layer"}
    assert wanted <= set(vocabulary.REGULARIZER_COLORS)
    assert set(vocabulary.REGULARIZER_COLORS) <= set(vocabulary.REGULARIZER_LABELS)
    assert vocabulary.regularizer_color("unknown") == vocabulary.REGULARIZER_COLORS["none"]


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(vocabulary.REGULARIZER_COLORS, 2)))
def test_no_two_regularizers_look_alike(a, b):
    ca, cb = vocabulary.REGULARIZER_COLORS[a], vocabulary.REGULARIZER_COLORS[b]
    assert delta_e(lab(ca), lab(cb)) >= MIN_DE, f"{a} {ca} and {b} {cb} look alike"


@pytest.mark.parametrize("vision", sorted(_MACHADO))
def test_the_main_regularizers_stay_apart_for_colour_blind_readers(vision):
    for a, b in itertools.combinations(CORE, 2):
        ca, cb = vocabulary.REGULARIZER_COLORS[a], vocabulary.REGULARIZER_COLORS[b]
        assert delta_e(lab(ca, vision), lab(cb, vision)) >= MIN_DE_CVD, (vision, a, b)


def test_regularizers_are_visible_on_white():
    for name, color in vocabulary.REGULARIZER_COLORS.items():
        assert lab(color)[0] <= 80, f"{name} {color} is too light for a projector"
        if name != "none":
            assert chroma(color) >= 30, f"{name} {color} has too little colour"


# ------------------------------------------------------------------ (b) tasks
def test_tasks_are_markers_never_a_regularizer_hue():
    tasks = set(vocabulary.TASK_LABELS)
    assert set(vocabulary.TASK_MARKERS) == tasks
    assert len(set(vocabulary.TASK_MARKERS.values())) == len(tasks)  # one marker each
    assert chroma(vocabulary.TASK_COLOR) < 1  # neutral: black or a grey
    for name, color in vocabulary.REGULARIZER_COLORS.items():
        assert delta_e(lab(vocabulary.TASK_COLOR), lab(color)) >= MIN_DE, name
    for task, label in vocabulary.TASK_LABELS.items():
        assert vocabulary.task_marker(label) == vocabulary.task_marker(task)


def test_a_forest_of_tasks_tells_them_apart_by_marker_and_colours_by_regularizer():
    rows = [{"label": "dropout → Z̄", "group": vocabulary.task_label(t), "regularizer": "dropout",
             "rho": -0.5, "low": -0.7, "high": -0.2} for t in ("quadratic", "moons")]
    rows.append({"label": "L2 → Z̄", "group": "diabetes", "rho": 0.1, "low": -0.2, "high": 0.3,
                 "regularizer": "l2"})
    ax = plotting.plot_rank_correlations(rows)
    points = [ln for ln in ax.lines if len(ln.get_xdata()) == 1 and ln.get_marker() != "|"]
    assert {(ln.get_marker(), to_rgb(ln.get_color())) for ln in points} == {
        ("o", to_rgb(vocabulary.REGULARIZER_COLORS["dropout"])),
        ("s", to_rgb(vocabulary.REGULARIZER_COLORS["dropout"])),
        ("^", to_rgb(vocabulary.REGULARIZER_COLORS["l2"]))}
    legend = {ln.get_label(): ln for ln in ax.lines if not len(ln.get_xdata())}
    for task in ("quadratic", "moons"):
        handle = legend[vocabulary.task_label(task)]
        assert handle.get_marker() == vocabulary.TASK_MARKERS[task]
        assert chroma(handle.get_color()) < 1
    plt.close(ax.figure)


def test_the_default_colour_cycle_is_neutral():
    plotting.set_style()
    for color in plt.rcParams["axes.prop_cycle"].by_key()["color"]:
        assert chroma(color) < 1, color


# ------------------------------------------------------------------ (c) one home
#: The rule: outside vocabulary.py a drawing module may name only neutral colours (black,
#: white, greys: a number string such as "0.6", "k", "w", "none", or a hex code whose red,
#: green and blue are equal) for axes, bands and reference lines.  Hex codes with a hue,
#: the cycle's "C0".."C9", "tab:..." / "xkcd:..." names and named colours with a hue are
#: categorical colours and belong in the vocabulary.  Colour maps (a continuous scale
#: named by its matplotlib name) are not categorical colours.
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_NEUTRAL_NAMES = {"black", "white", "k", "w", "none", "gray", "grey", "lightgray", "lightgrey",
                  "darkgray", "darkgrey", "dimgray", "dimgrey", "silver", "gainsboro",
                  "whitesmoke"}


def _colour_problem(text: str) -> str | None:
    """Why the string literal ``text`` is a categorical colour (None when it is not)."""
    from matplotlib.colors import CSS4_COLORS

    if _HEX.match(text):
        r, g, b = to_rgb(text[:7] if len(text) == 9 else text)
        return None if r == g == b else "a hex colour with a hue"
    if re.fullmatch(r"C\d", text):
        return "a colour of matplotlib's cycle"
    if re.match(r"^(tab|xkcd):", text):
        return "a named palette colour"
    if text.lower() in CSS4_COLORS and text.lower() not in _NEUTRAL_NAMES:
        return "a named colour"
    return None


_COLOUR_KEYWORD = re.compile(r"^(\w*colou?rs?|c|fc|ec|mfc|mec)$")


def colour_literals(path: Path) -> list[str]:
    """``line: 'text' (why)`` for every string literal of ``path`` that names a categorical
    colour (docstrings included: an example colour in a docstring is one too), and every
    one-letter colour (``"r"``, ``"b"``...) passed as a colour argument."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            why = _colour_problem(node.value.strip())
            if why:
                found.append(f"{path.name}:{node.lineno}: {node.value!r} ({why})")
        elif (isinstance(node, ast.keyword) and node.arg and _COLOUR_KEYWORD.match(node.arg)
              and isinstance(node.value, ast.Constant) and node.value.value in set("rgbcmy")):
            found.append(f"{path.name}:{node.lineno}: {node.value.value!r} (a one-letter "
                         f"colour)")
    return found


def test_the_scan_finds_what_it_should(tmp_path):
    assert _colour_problem("#1b6ca8") and _colour_problem("C1") and _colour_problem("tab:blue")
    assert _colour_problem("red") and _colour_problem("teal")
    for neutral in ("#3d3d3d", "#FFF", "0.6", "black", "white", "none", "k", "Blues",
                    "RdBu_r", "dropout", "linear"):
        assert _colour_problem(neutral) is None, neutral
    snippet = tmp_path / "snippet.py"
    snippet.write_text('ax.plot(x, color="b", label=f"{v:g}")\nax.grid(axis="y")\n'
                       'ax.bar(x, y, color=["0.3", "#d1495b"])\n')
    assert [line.split(": ", 1)[1] for line in colour_literals(snippet)] == [
        "'b' (a one-letter colour)", "'#d1495b' (a hex colour with a hue)"]


@pytest.mark.parametrize("path", DRAWING, ids=lambda p: p.name)
def test_no_drawing_module_holds_a_categorical_colour(path):
    assert colour_literals(path) == []


def test_the_vocabulary_holds_the_colours():
    # the other side of the rule: the scan does find the palette where it lives
    assert colour_literals(Path(vocabulary.__file__))
