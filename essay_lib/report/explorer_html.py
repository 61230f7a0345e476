"""The explorers' HTML: inline SVG drawn here, two small inline scripts, no request.

:mod:`essay_lib.report.explorers` computes what the explorers show; this module writes it as
an HTML fragment that reads fully without JavaScript and that a few lines of inline
JavaScript make interactive:

* everything a control changes is already in the page: the drop-rate explorer holds one
  SVG group and one caption span per drop rate (``data-frame="i"``) and its script only
  shows the chosen one; the D explorer's script moves four markers and rewrites its numbers
  from the curves' values on a grid, which the fragment carries as JSON;
* without JavaScript the controls stay ``hidden``, the first frame (drop rate 0) or the
  default triple shows, with its numbers written here, and the caption says so;
* nothing is loaded: no external script, no font, no ``http`` anywhere in the fragment
  (inline SVG needs no namespace attribute in HTML); pictures are SVG, the moons' map a
  small PNG as a ``data:`` URI.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json

import numpy as np
from matplotlib import colormaps
from matplotlib.image import imsave
from matplotlib.ticker import MaxNLocator

from essay_lib.report import wording
from essay_lib.report.explorer_assets import CSS, D_JS, DROP_RATE_JS

__all__ = ["SvgAxes", "d_html", "drop_rate_html", "fragment", "map_png", "number_text",
           "script", "style", "uid"]


def script(name: str) -> str:
    """The inline ``<script>`` of explorer ``name`` (``"drop_rate"`` or ``"d"``)."""
    code = {"drop_rate": DROP_RATE_JS, "d": D_JS}[name]
    return f"<script>\n{code}</script>"


def style() -> str:
    """The inline ``<style>`` of the explorers."""
    return f"<style>\n{CSS}</style>"


def uid(*parts) -> str:
    """A short id from the content (the same data give the same id: builds are stable)."""
    digest = hashlib.sha1(json.dumps(parts, default=str).encode("utf-8")).hexdigest()
    return f"ex{digest[:10]}"


def number_text(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals and a typographic minus (as the scripts write it)."""
    return wording.number(value, f".{digits}f")


def esc(text) -> str:
    """``text`` escaped for HTML (attributes and content)."""
    return html.escape(str(text), quote=True)


class SvgAxes:
    """A plot box in SVG user units: ``xlim``/``ylim`` mapped onto ``width`` × ``height``
    minus the margins (top, right, bottom, left); :meth:`frame` draws box, ticks, labels."""

    def __init__(self, xlim, ylim, *, width=360, height=250, margins=(10, 12, 38, 48),
                 clip_id="clip"):
        self.xlim = (float(xlim[0]), float(xlim[1]))
        self.ylim = (float(ylim[0]), float(ylim[1]))
        self.width, self.height = width, height
        self.top, right, bottom, self.left = margins
        self.inner_width = width - self.left - right
        self.inner_height = height - self.top - bottom
        self.clip_id = clip_id

    def px(self, x):
        x = np.asarray(x, dtype=float)
        return self.left + (x - self.xlim[0]) / (self.xlim[1] - self.xlim[0]) * self.inner_width

    def py(self, y):
        y = np.asarray(y, dtype=float)
        return self.top + (self.ylim[1] - y) / (self.ylim[1] - self.ylim[0]) * self.inner_height

    def py_on_edge(self, y) -> float:
        """:meth:`py` of one value, held on the box's edge when it lies beyond it."""
        return min(max(float(self.py(y)), self.top), self.top + self.inner_height)

    def points(self, x, y) -> str:
        """The ``points`` attribute of a polyline through (x, y)."""
        return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(self.px(x), self.py(y), strict=True))

    def polyline(self, x, y, *, style: str, clip: bool = True) -> str:
        clip_attr = f' clip-path="url(#{self.clip_id})"' if clip else ""
        return (f'<polyline fill="none" style="{style}"{clip_attr} '
                f'points="{self.points(x, y)}"/>')

    def frame(self, xlabel: str, ylabel: str, *, zero_line: bool = False) -> str:
        """The clip path, the box, tick marks with labels and the axis labels."""
        x0, y0 = self.left, self.top
        w, h = self.inner_width, self.inner_height
        parts = [f'<clipPath id="{self.clip_id}"><rect x="{x0}" y="{y0}" width="{w}" '
                 f'height="{h}"/></clipPath>',
                 f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" '
                 f'stroke="#999" stroke-width="0.8"/>']
        for t in _ticks(*self.xlim):
            p = float(self.px(t))
            parts.append(f'<line x1="{p:.1f}" x2="{p:.1f}" y1="{y0 + h}" y2="{y0 + h + 4}" '
                         f'stroke="#999"/><text x="{p:.1f}" y="{y0 + h + 15}" '
                         f'text-anchor="middle">{_tick_text(t)}</text>')
        for t in _ticks(*self.ylim):
            p = float(self.py(t))
            parts.append(f'<line x1="{x0 - 4}" x2="{x0}" y1="{p:.1f}" y2="{p:.1f}" '
                         f'stroke="#999"/><text x="{x0 - 6}" y="{p + 3.5:.1f}" '
                         f'text-anchor="end">{_tick_text(t)}</text>')
        if zero_line and self.ylim[0] < 0 < self.ylim[1]:
            p = float(self.py(0.0))
            parts.append(f'<line x1="{x0}" x2="{x0 + w}" y1="{p:.1f}" y2="{p:.1f}" '
                         f'stroke="#bbb" stroke-dasharray="3 3"/>')
        parts.append(f'<text x="{x0 + w / 2:.1f}" y="{self.height - 6}" '
                     f'text-anchor="middle">{esc(xlabel)}</text>')
        parts.append(f'<text transform="translate(12 {y0 + h / 2:.1f}) rotate(-90)" '
                     f'text-anchor="middle">{esc(ylabel)}</text>')
        return "".join(parts)

    def svg(self, body: str, *, label: str, css_class: str = "") -> str:
        """``body`` in an ``<svg>`` element with this box's view box and an accessible name."""
        klass = f' class="{css_class}"' if css_class else ""
        return (f'<svg viewBox="0 0 {self.width} {self.height}"{klass} role="img" '
                f'aria-label="{esc(label)}">{body}</svg>')


def _ticks(low: float, high: float) -> list[float]:
    return [float(t) for t in MaxNLocator(5).tick_values(low, high) if low <= t <= high]


def _tick_text(t: float) -> str:
    return wording.number(t, "g")


def map_png(values, limit: float, *, cmap: str = "RdBu_r", strength: float = 0.6) -> str:
    """A ``data:image/png`` URI of ``values`` (ny, nx; row 0 at the bottom) coloured on a
    scale symmetric about 0, clipped at ±``limit``, mixed with white (``strength``: the
    colour's share) so that points drawn over it stay visible."""
    norm = (np.clip(np.asarray(values, dtype=float), -limit, limit) + limit) / (2 * limit)
    rgb = strength * colormaps[cmap](norm[::-1])[..., :3] + (1 - strength)
    rgba = (rgb * 255).round().astype(np.uint8)
    buffer = io.BytesIO()
    imsave(buffer, rgba, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def fragment(body: str, script: str, *, data: dict | None = None, label: str = "") -> str:
    """An explorer's whole fragment: styles, ``body``, the JSON ``data`` (inert: type
    ``application/json``, ``</`` escaped) and the ``script`` that reads it."""
    payload = ""
    if data is not None:
        text = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
        payload = f'<script type="application/json">{text}</script>'
    return (f'<div class="essay-explorer" role="group" aria-label="{esc(label)}">{style()}{body}'
            f'{payload}{script}</div>')


# ------------------------------------------------------------------ the drop-rate explorer
_REFERENCE = "stroke:#a0a0a0;stroke-width:1.4"
_CLASS_COLORS = ("#2a5d9f", "#b8352a")


def _shown(i: int) -> str:
    """The attributes of frame ``i``'s elements: only the first shows without JavaScript."""
    return f' data-frame="{i}"' + ("" if i == 0 else ' style="display:none"')


def _spans(texts, attrs: str = "") -> str:
    """One span per frame (the script shows the chosen one)."""
    return "".join(f"<span{_shown(i)}{attrs}>{esc(t)}</span>" for i, t in enumerate(texts))


def _group(i: int, body: str) -> str:
    return f"<g{_shown(i)}>{body}</g>"


def _panel_svg(frames, ident: str, color: str) -> str:
    """One task's SVG: its frames as groups (``data-frame``), drop rate 0 in grey beneath."""
    clip = f"{ident}-{frames.task}"
    if frames.view == "map":
        axes = SvgAxes((frames.x[0], frames.x[-1]), (frames.y[0], frames.y[-1]), clip_id=clip)
        x0, y0 = axes.left, axes.top
        size = f'x="{x0}" y="{y0}" width="{axes.inner_width}" height="{axes.inner_height}"'
        body = [_group(i, f'<image {size} preserveAspectRatio="none" '
                          f'href="{map_png(v, 10.0)}"/>'
                       + "".join(axes.polyline(line[:, 0], line[:, 1],
                                               style="stroke:#111;stroke-width:1.6")
                                 for line in frames.boundaries[i]))
                for i, v in enumerate(frames.values)]
        body += [axes.polyline(line[:, 0], line[:, 1],
                               style="stroke:#fff;stroke-width:1.2;stroke-dasharray:4 3")
                 for line in frames.boundaries[0]]
        body += [f'<circle cx="{axes.px(p[0]):.1f}" cy="{axes.py(p[1]):.1f}" r="2.6" '
                 f'style="fill:{_CLASS_COLORS[int(c) % 2]};stroke:#fff;stroke-width:0.8"/>'
                 for p, c in zip(frames.points, frames.labels, strict=True)]
        return axes.svg(axes.frame(frames.xlabel, frames.ylabel) + "".join(body),
                        label=f"{frames.task}: logit margin map with decision boundary")
    everything = np.concatenate([np.ravel(frames.values), frames.points[:, 1]])
    low, high = float(everything.min()), float(everything.max())
    pad = 0.08 * (high - low or 1.0)
    axes = SvgAxes((frames.x[0], frames.x[-1]), (low - pad, high + pad), clip_id=clip)
    body = [axes.polyline(frames.x, frames.values[0], style=_REFERENCE)]
    body += [_group(i, axes.polyline(frames.x, v, style=f"stroke:{color};stroke-width:2"))
             for i, v in enumerate(frames.values)]
    body += [f'<circle cx="{axes.px(p[0]):.1f}" cy="{axes.py(p[1]):.1f}" r="2.8" '
             f'style="fill:#222"/>' for p in frames.points]
    return axes.svg(axes.frame(frames.xlabel, frames.ylabel,
                               zero_line=frames.view == "segment") + "".join(body),
                    label=f"{frames.task}: network output ({frames.view})")


def drop_rate_html(frames) -> str:
    """The drop-rate explorer for :class:`~essay_lib.report.explorers.DropRateFrames`."""
    from essay_lib.report.vocabulary import regularizer_color, task_label

    rates = frames.drop_rates
    ident = uid(rates, frames.seed, [t.z_bar.tolist() for t in frames.tasks])
    names = ["0 (no dropout)" if r == 0 else f"{r:g}" for r in rates]
    controls = (f'<div class="essay-explorer-controls" data-needs-js hidden><label>drop rate '
                f'<input type="range" min="0" max="{len(rates) - 1}" step="1" value="0" '
                f'aria-valuetext="{esc(names[0])}"></label><strong class="essay-big">'
                f'{_spans(names, " data-rate-label")}</strong></div>')
    heading = (f'<p class="essay-explorer-note">Network seed {frames.seed} of each task at '
               f'drop rate <strong>{_spans(names)}</strong>.</p>')
    color = regularizer_color("dropout") or "#1b6ca8"
    panels = []
    for task in frames.tasks:
        z = _spans([number_text(v) for v in task.z_bar], " data-z-bar")
        loss = _spans([number_text(v) for v in task.test_loss])
        panels.append(f'<figure><figcaption><strong>{esc(task_label(task.task))}</strong>'
                      f' · Z̄ = {z} · test loss {loss}</figcaption>'
                      f'{_panel_svg(task, ident, color)}</figure>')
    views = {t.view for t in frames.tasks}
    what = ["Blue: the network at the chosen drop rate; grey: the same seed without dropout"]
    if "map" in views:
        what.append("the map's colour is the logit margin (red: class 1, blue: class 0, "
                    "clipped at ±10), its black line the decision boundary (white dashes: "
                    "without dropout), dots the test points")
    if "segment" in views:
        what.append("a segment panel follows the output along the straight line between "
                    "two test points (a classifier's: the first point's logit minus the "
                    "second's, 0 where they tie); a straight line there means the "
                    "network is linear along that segment")
    caption = (f'<p class="essay-explorer-note">{esc("; ".join(what))}. Every frame was '
               f"computed in the notebook from the cached networks; Z̄ and the test loss are "
               f"the records' values. Moving the slider only shows another precomputed "
               f"frame.</p>")
    nojs = ('<p class="essay-explorer-note" data-without-js><em>Without JavaScript the panels '
            'show drop rate 0 (the slider needs JavaScript; nothing is loaded).</em></p>')
    body = (controls + heading + f'<div class="essay-explorer-panels">{"".join(panels)}</div>'
            + caption + nojs)
    return fragment(body, script("drop_rate"), label="drop-rate explorer")


# ------------------------------------------------------------------ the D explorer
_D_COLORS = {"true x²": "#8a8a8a", "no dropout": "#3d3d3d"}
_POINT_NAMES = ("x₀", "x₀+a", "x₀+b", "x₀+a+b")


def _slider(name: str, label: str, value: float, span, step: float) -> str:
    return (f'<label>{label} <input type="range" name="{name}" min="{span[0]:g}" '
            f'max="{span[1]:g}" step="{step:g}" value="{value:g}"> <output name="{name}">'
            f"{number_text(value, 2)}</output></label>")


def d_html(curves, state: dict, *, x0: float, a: float, b: float, selected: int,
           slider_step: float, x0_range, ab_range, ylim) -> str:
    """The D explorer for :class:`~essay_lib.report.explorers.DCurves`; ``state``: the
    numbers at (``x0``, ``a``, ``b``) (:func:`~essay_lib.report.explorers.second_differences`),
    written into the page for a reader without JavaScript."""
    from essay_lib.report.vocabulary import regularizer_color

    labels = list(curves.functions)
    ident = uid(curves.start, curves.step, labels, [float(v.sum()) for v in
                                                    curves.functions.values()])
    axes = SvgAxes((curves.start, curves.stop), ylim, width=560, height=340,
                   margins=(12, 14, 42, 52), clip_id=f"{ident}-clip")
    grid = curves.start + curves.step * np.arange(curves.n)
    every = max(1, int(round(0.02 / curves.step)))
    band = (float(axes.px(curves.x_train.min())), float(axes.px(curves.x_train.max())))
    body = [f'<rect x="{band[0]:.1f}" y="{axes.top}" width="{band[1] - band[0]:.1f}" '
            f'height="{axes.inner_height}" fill="#f0f0f0"/><text x="{band[0] + 4:.1f}" '
            f'y="{axes.top + 12}">training inputs</text>']
    for j, (label, values) in enumerate(curves.functions.items()):
        color = _D_COLORS.get(label, regularizer_color("dropout") or "#1b6ca8")
        dash = ";stroke-dasharray:5 3" if label == "true x²" else ""
        body.append(axes.polyline(grid[::every], values[::every], style=f"stroke:{color}{dash}")
                    .replace("<polyline", f'<polyline data-curve="{j}" class="'
                             f'{"chosen" if j == selected else "other"}"', 1))
    body += [f'<circle cx="{axes.px(x):.1f}" cy="{axes.py(y):.1f}" r="2" fill="#777"/>'
             for x, y in zip(curves.x_train, curves.y_train, strict=True)]
    values = state[labels[selected]]["values"]
    xs = (x0, x0 + a, x0 + b, x0 + a + b)
    predicted = values[1] + values[2] - values[0]
    clamp = axes.py_on_edge
    body += [f'<line data-guide="{q}" x1="{axes.px(x):.1f}" x2="{axes.px(x):.1f}" '
             f'y1="{axes.top}" y2="{axes.top + axes.inner_height}" stroke="#c9c9c9" '
             f'stroke-dasharray="2 3"/>' for q, x in enumerate(xs)]
    body.append(f'<line data-gap x1="{axes.px(xs[3]):.1f}" x2="{axes.px(xs[3]):.1f}" '
                f'y1="{clamp(predicted):.1f}" y2="{clamp(values[3]):.1f}" stroke="#e07a00" '
                f'stroke-width="4" stroke-opacity="0.8"/>')
    marks = [(str(p), xs[p], values[p], "fill:#d1495b;stroke:#fff;stroke-width:1", _POINT_NAMES[p])
             for p in range(4)]
    marks.append(("predicted", xs[3], predicted, "fill:#fff;stroke:#e07a00;stroke-width:2",
                  None))
    for name, x, y, style, text in marks:
        where = "on" if ylim[0] <= y <= ylim[1] else "off"
        body.append(f'<circle data-point="{name}" class="{where}" cx="{axes.px(x):.1f}" '
                    f'cy="{clamp(y):.1f}" r="4.5" style="{style}"/>')
        if text:  # x0 and x0+a+b labelled above their dots, x0+a and x0+b below
            dy = -6 if name in ("0", "3") else 16
            body.append(f'<text data-point-label="{name}" data-dy="{dy}" '
                        f'x="{axes.px(x) + 5:.1f}" y="{clamp(y) + dy:.1f}">{text}</text>')
    svg = axes.svg(axes.frame("x", "f(x)") + "".join(body),
                   label="the curves with f at x0, x0+a, x0+b, x0+a+b and the gap D",
                   css_class="essay-d-picture")
    radios = "".join(
        f'<label><input type="radio" name="{ident}-function" value="{j}"'
        f'{" checked" if j == selected else ""}> {esc(label)}</label>'
        for j, label in enumerate(labels))
    controls = (f'<div class="essay-explorer-controls" data-needs-js hidden>'
                f'{_slider("x0", "x₀", x0, x0_range, slider_step)}'
                f'{_slider("a", "a", a, ab_range, slider_step)}'
                f'{_slider("b", "b", b, ab_range, slider_step)}'
                f'<span role="radiogroup" aria-label="function">{radios}</span></div>')
    chosen = state[labels[selected]]
    two_ab = (f' For x², D = 2ab = <output data-two-ab>{number_text(2 * a * b)}</output> '
              f"wherever x₀ is." if "true x²" in labels else "")
    summary = (f'<p class="essay-big">For <strong data-name>{esc(labels[selected])}</strong>: '
               f'D = <output data-d>{number_text(chosen["D"])}</output>, Z = <output data-z>'
               f'{number_text(chosen["Z"])}</output>.{two_ab}</p>')
    head = "".join(f"<th>{h}</th>" for h in ("function", "f(x₀)", "f(x₀+a)", "f(x₀+b)",
                                              "f(x₀+a+b)", "D", "Z"))
    rows = "".join(
        f'<tr data-function="{j}" class="{"essay-selected" if j == selected else ""}">'
        f'<th scope="row">{esc(label)}</th>'
        + "".join(f"<td>{number_text(v)}</td>" for v in [*state[label]["values"],
                                                          state[label]["D"], state[label]["Z"]])
        + "</tr>" for j, label in enumerate(labels))
    table = (f'<div class="essay-explorer-scroll"><table><thead><tr>{head}</tr></thead>'
             f"<tbody>{rows}</tbody></table></div>")
    caption = (
        f'<p class="essay-explorer-note">Red dots: f at x₀, x₀+a, x₀+b and x₀+a+b; open '
        f"orange circle: the additive prediction f(x₀) + u + v; orange bar: the gap D. "
        f"The curves are network seed {curves.seed}'s outputs (and x²), computed in the "
        f"notebook on a grid of step {curves.step:g} over [{number_text(curves.start, 1)}, "
        f"{number_text(curves.stop, 1)}]; the browser reads the four values off that grid by "
        f"linear interpolation and computes D and Z = |D| / (|u| + |v| + |w|) from them. "
        f"Nothing is trained or loaded when a slider moves. A value beyond the picture is "
        f"drawn hollow on its edge; the table has it.</p>")
    nojs = (f'<p class="essay-explorer-note" data-without-js><em>Without JavaScript this shows '
            f"x₀ = {number_text(x0, 2)}, a = {number_text(a, 2)}, b = {number_text(b, 2)} "
            f"(the sliders need JavaScript; nothing is loaded).</em></p>")
    data = {"start": curves.start, "step": curves.step, "selected": selected,
            "axes": {"left": axes.left, "top": axes.top, "width": axes.inner_width,
                     "height": axes.inner_height, "xmin": axes.xlim[0], "xmax": axes.xlim[1],
                     "ymin": axes.ylim[0], "ymax": axes.ylim[1]},
            "functions": [{"label": label, "values": [float(v) for v in values]}
                          for label, values in curves.functions.items()]}
    body = controls + svg + summary + table + caption + nojs
    return fragment(body, script("d"), data=data, label="second-difference (D) explorer")
