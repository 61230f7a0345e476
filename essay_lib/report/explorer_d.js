// The D explorer (essay_lib.report.explorer_html.d_html).  Each function's values at x0,
// x0+a, x0+b and x0+a+b are read off the grid in the fragment's JSON by linear
// interpolation (the arithmetic of essay_lib.report.explorers.interpolate), then
// D = f(x0+a+b) - f(x0+a) - f(x0+b) + f(x0) and Z = |D| / (|u| + |v| + |w|); the markers,
// the gap D and the table follow.  Nothing is requested from anywhere.
(function () {
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
      set(label, {x: (px(x) + 5).toFixed(1), y: (py(y) + +label.getAttribute("data-dy")).toFixed(1)});
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
