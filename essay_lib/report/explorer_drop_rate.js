// The drop-rate explorer (essay_lib.report.explorer_html.drop_rate_html): the slider picks a
// frame; every element with data-frame shows only when its frame is picked.
(function () {
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
