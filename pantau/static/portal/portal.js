// The portal's charts: each element [data-chart=ID] is drawn from the Vega-Lite spec in the
// JSON script #ID, with vega-embed's AST mode and the expression interpreter (the CSP has no
// 'unsafe-eval'). Every chart has its data table in the page; a chart that fails leaves it.
(function () {
  "use strict";
  function draw() {
    if (!window.vegaEmbed || !window.vegaInterpreter) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
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
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
