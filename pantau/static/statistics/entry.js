/* The data-entry grids: warn as the user types a figure far outside its plausible range
   (last year's value and the range are printed beside each input), and show figures with
   thousands separators. The server reads the separators back, and warns again after a save. */
(function () {
  "use strict";
  var GROUPED = /^([+-]?)(\d{1,3}(?:[,\u00a0\u202f ]\d{3})+|\d+)(\.\d+)?$/;

  function parse(text) {
    var match = GROUPED.exec(text.trim());
    if (!match) return null;
    return parseFloat(match[1] + match[2].replace(/\D/g, "") + (match[3] || ""));
  }

  function grouped(text) {
    var match = GROUPED.exec(text.trim());
    if (!match) return text;
    var whole = match[2].replace(/\D/g, "").replace(/^0+(?=\d)/, "");
    return match[1] + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (match[3] || "");
  }

  function factorOf(input) {
    var select = input.parentNode.querySelector("select");
    if (select && select.selectedOptions.length) {
      return parseFloat(select.selectedOptions[0].dataset.factor || "1");
    }
    return parseFloat(input.dataset.factor || "1");
  }

  function unitText(input) {
    var select = input.parentNode.querySelector("select");
    return select && select.selectedOptions.length ? select.selectedOptions[0].text : "";
  }

  function check(input) {
    var warning = document.getElementById("w-" + input.name.replace(/\.value$/, ""));
    if (!warning) return;
    var value = parse(input.value);
    var low = input.dataset.low === undefined ? null : parseFloat(input.dataset.low);
    var high = input.dataset.high === undefined ? null : parseFloat(input.dataset.high);
    var canonical = value === null ? null : value * factorOf(input);
    var outside = canonical !== null && ((low !== null && canonical < low) || (high !== null && canonical > high));
    var cell = input.closest("td");
    if (outside) {
      // The sentence comes from the page, in its language (a template with {placeholders}).
      var form = input.closest("form");
      var template = (form && form.dataset.outsideWarning) ||
        "Far outside the plausible range: {value} {unit} is {canonical_value} {canonical}, " +
        "expected {range} {canonical}. Check the figure and its unit; it will be saved and flagged.";
      var parts = {
        value: grouped(input.value),
        unit: unitText(input),
        canonical_value: grouped(String(Math.round(canonical * 1000) / 1000)),
        canonical: input.dataset.canonical,
        range: input.dataset.range,
      };
      warning.textContent = template.replace(/\{(\w+)\}/g, function (whole, key) {
        return Object.prototype.hasOwnProperty.call(parts, key) ? parts[key] : whole;
      });
      warning.hidden = false;
      if (cell) cell.classList.add("outside");
    } else {
      warning.hidden = true;
      warning.textContent = "";
      if (cell) cell.classList.remove("outside");
    }
  }

  function setUp() {
    var inputs = document.querySelectorAll("input[data-plausible]");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("input", function () { check(input); });
      input.addEventListener("change", function () {
        input.value = grouped(input.value);
        check(input);
      });
      var select = input.parentNode.querySelector("select");
      if (select) select.addEventListener("change", function () { check(input); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
