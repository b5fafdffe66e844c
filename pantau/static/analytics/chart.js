// Renders each chart of the page from its Vega-Lite spec (a JSON script element next to it):
// vega-embed with the CSP-safe expression interpreter (no eval) and the canvas renderer.
(function () {
  "use strict";
  function render() {
    document.querySelectorAll("[data-vega-spec]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-vega-spec"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      window.vegaEmbed(el, spec, {
        ast: true,
        expr: window.vegaInterpreter.expressionInterpreter,
        renderer: "canvas",
        actions: false,
        // Neither vega-embed nor its tooltip handler may inject a <style> element: the site's
        // CSP allows style sheets from 'self' only (the data table carries the values).
        defaultStyle: false,
        tooltip: false,
      }).then(function () {
        el.setAttribute("data-rendered", "true");
      }).catch(function (error) {
        el.textContent = "The chart could not be drawn: " + error;
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
