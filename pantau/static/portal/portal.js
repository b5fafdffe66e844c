// The portal's charts: each element [data-chart=ID] is drawn from the Vega-Lite spec in the
// JSON script #ID, with vega-embed's AST mode and the expression interpreter (the CSP has no
// 'unsafe-eval'). Every chart has its data table in the page; a chart that fails leaves it.
// A chart is drawn when it comes near the screen: a country page has a dozen, and drawing them
// all before the page is shown took most of its second (bench/README.md). Printing draws all.
(function () {
  "use strict";
  function drawOne(el) {
    if (el.hasAttribute("data-drawing")) return;
    el.setAttribute("data-drawing", "true");
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    window.vegaEmbed(el, spec, {
      ast: true,
      expr: window.vegaInterpreter.expressionInterpreter,
      actions: false,
      renderer: "svg",
      defaultStyle: false,
      tooltip: false,
    }).then(function () {
      el.setAttribute("data-rendered", "true");
    }).catch(function (error) {
      el.setAttribute("data-error", String(error));
    });
  }
  function start() {
    if (!window.vegaEmbed || !window.vegaInterpreter) return;
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    function drawAll() { charts.forEach(drawOne); }
    window.addEventListener("beforeprint", drawAll);
    if (!("IntersectionObserver" in window)) { drawAll(); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          drawOne(entry.target);
        }
      });
    }, { rootMargin: "200px 0px" });
    charts.forEach(function (el) { observer.observe(el); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
