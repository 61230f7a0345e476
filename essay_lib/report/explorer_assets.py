"""The explorers' browser code: their style and their two inline scripts.

A Python module (not ``.css``/``.js`` files) on purpose: the site build re-executes a chapter
when a module its kernel imported changes (:mod:`essay_lib.site.cache`), so an edit here
reaches the pages.  Both scripts find their explorer as the element that holds them
(``document.currentScript.parentElement``), show the controls (``data-needs-js``), hide the
note for readers without JavaScript (``data-without-js``) and request nothing.
"""

__all__ = ["CSS", "DROP_RATE_JS", "D_JS"]

#: Both explorers' styles, scoped to ``.essay-explorer``; each fragment carries them, so a
#: notebook front end shows what the site shows.  ``[hidden]`` must win over ``display``.
CSS = r"""
.essay-explorer { margin: .6em 0 1em; max-width: 64rem; color: #222; font-size: 14px;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
.essay-explorer [hidden] { display: none !important; }
.essay-explorer-controls { display: flex; flex-wrap: wrap; align-items: center;
  gap: .3em 1.2em; margin: .3em 0 .6em; padding: .4em .6em; background: #f4f7fa;
  border: 1px solid #dde5ee; }
.essay-explorer-controls label { display: inline-flex; align-items: center; gap: .4em; }
.essay-explorer input[type=range] { width: 12em; max-width: 60vw; }
.essay-explorer-panels { display: grid; gap: .8em 1.2em; max-width: 50rem;
  grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); }
.essay-explorer figure { margin: 0; }
.essay-explorer figcaption { font-size: 13px; margin-bottom: .2em; }
.essay-explorer svg { display: block; width: 100%; height: auto; max-width: 42rem; }
.essay-explorer svg.essay-d-picture text { font-size: 13px; }
.essay-explorer svg text { font-size: 11px; fill: #333; font-family: inherit; }
.essay-explorer .essay-explorer-note { font-size: 13px; color: #444; }
.essay-explorer table { border-collapse: collapse; font-size: 13px; margin: .4em 0; }
.essay-explorer td, .essay-explorer th { padding: .15em .5em; text-align: right;
  border-bottom: 1px solid #e3e3e3; font-variant-numeric: tabular-nums; }
.essay-explorer th:first-child, .essay-explorer td:first-child { text-align: left; }
.essay-explorer table tbody tr.essay-selected { background: #e3eef9; font-weight: 600; }
.essay-explorer .essay-explorer-scroll { overflow-x: auto; }
.essay-explorer .essay-big { font-size: 1.15em; }
.essay-explorer polyline.chosen { stroke-width: 2.6; opacity: 1; }
.essay-explorer polyline.other { stroke-width: 1.2; opacity: .5; }
.essay-explorer circle.off { fill: #fff !important; stroke-dasharray: 2 2; }
"""

#: The drop-rate explorer (:func:`essay_lib.report.explorer_html.drop_rate_html`): the slider
#: picks a frame; every element with ``data-frame`` shows only when its frame is picked.
DROP_RATE_JS = r"""(function () {
  var root = document.currentScript.parentElement;
  var slider = root.querySelector("input[type=range]");
  function show() {
    var frame = String(slider.value);
    root.querySelectorAll("[data-frame]").forEach(function (e) {
      e.style.display = e.getAttribute("data-frame") === frame ? "" : "none";
    });
    var label = root.querySelector("[data-rate-label][data-frame='" + frame + "']");
    if (label) { slider.setAttribute("aria-valuetext", label.textContent); }
  }
  root.querySelectorAll("[data-needs-js]").forEach(function (e) { e.hidden = false; });
  root.querySelectorAll("[data-without-js]").forEach(function (e) { e.hidden = true; });
  slider.addEventListener("input", show);
  show();
})();
"""

#: The D explorer (:func:`essay_lib.report.explorer_html.d_html`).  Each function's values at
#: x0, x0+a, x0+b and x0+a+b are read off the grid in the fragment's JSON by linear
#: interpolation (the arithmetic of :func:`essay_lib.report.explorers.interpolate`), then
#: D = f(x0+a+b) - f(x0+a) - f(x0+b) + f(x0) and Z = |D| / (|u| + |v| + |w|); the markers,
#: the gap D and the table follow.
D_JS = r"""(function () {
  var root = document.currentScript.parentElement;
  var data = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var ax = data.axes, inputs = {};
  ["x0", "a", "b"].forEach(function (n) {
    inputs[n] = root.querySelector("input[name=" + n + "]");
  });
  function at(values, x) {
    var t = (x - data.start) / data.step;
    var i = Math.min(Math.max(Math.floor(t), 0), values.length - 2);
    return values[i] + (t - i) * (values[i + 1] - values[i]);
  }
  function fmt(v, digits) { return v.toFixed(digits).replace("-", "\u2212"); }
  function px(x) { return ax.left + (x - ax.xmin) / (ax.xmax - ax.xmin) * ax.width; }
  function py(y) {
    var p = ax.top + (ax.ymax - y) / (ax.ymax - ax.ymin) * ax.height;
    return Math.min(Math.max(p, ax.top), ax.top + ax.height);
  }
  function set(el, values) {
    Object.keys(values).forEach(function (k) { el.setAttribute(k, values[k]); });
  }
  function place(name, x, y) {
    var inside = y >= ax.ymin && y <= ax.ymax;
    set(root.querySelector("[data-point='" + name + "']"),
        {cx: px(x).toFixed(1), cy: py(y).toFixed(1), "class": inside ? "on" : "off"});
    var label = root.querySelector("[data-point-label='" + name + "']");
    if (label) {
      var dy = +label.getAttribute("data-dy");
      set(label, {x: (px(x) + 5).toFixed(1), y: (py(y) + dy).toFixed(1)});
    }
  }
  function update() {
    var x0 = +inputs.x0.value, a = +inputs.a.value, b = +inputs.b.value;
    var xs = [x0, x0 + a, x0 + b, x0 + a + b];
    var chosen = root.querySelector("input[type=radio]:checked");
    var k = chosen ? +chosen.value : data.selected;
    ["x0", "a", "b"].forEach(function (n) {
      root.querySelector("output[name=" + n + "]").textContent = fmt(+inputs[n].value, 2);
    });
    data.functions.forEach(function (f, j) {
      var v = xs.map(function (x) { return at(f.values, x); });
      var u = v[1] - v[0], w = v[2] - v[0], s = v[3] - v[0], d = s - u - w;
      var total = Math.abs(u) + Math.abs(w) + Math.abs(s);
      var z = total > 0 ? Math.abs(d) / total : 0;
      var row = root.querySelector("tr[data-function='" + j + "']");
      var cells = row.querySelectorAll("td");
      v.concat([d, z]).forEach(function (value, c) { cells[c].textContent = fmt(value, 3); });
      row.className = j === k ? "essay-selected" : "";
      root.querySelector("[data-curve='" + j + "']").setAttribute(
        "class", j === k ? "chosen" : "other");
      if (j !== k) { return; }
      for (var p = 0; p < 4; p++) { place(String(p), xs[p], v[p]); }
      var predicted = v[1] + v[2] - v[0];
      place("predicted", xs[3], predicted);
      set(root.querySelector("[data-gap]"), {x1: px(xs[3]).toFixed(1), x2: px(xs[3]).toFixed(1),
        y1: py(predicted).toFixed(1), y2: py(v[3]).toFixed(1)});
      root.querySelectorAll("[data-guide]").forEach(function (g, q) {
        set(g, {x1: px(xs[q]).toFixed(1), x2: px(xs[q]).toFixed(1)});
      });
      root.querySelector("[data-d]").textContent = fmt(d, 3);
      root.querySelector("[data-z]").textContent = fmt(z, 3);
      root.querySelector("[data-name]").textContent = f.label;
    });
    var twoAb = root.querySelector("[data-two-ab]");
    if (twoAb) { twoAb.textContent = fmt(2 * a * b, 3); }
  }
  root.querySelectorAll("[data-needs-js]").forEach(function (e) { e.hidden = false; });
  root.querySelectorAll("[data-without-js]").forEach(function (e) { e.hidden = true; });
  root.querySelectorAll("input").forEach(function (i) { i.addEventListener("input", update); });
  update();
})();
"""
