// Pantau's only script: small progressive enhancements. Pages work without it.
(function () {
  "use strict";
  // Warn before leaving a page with typed but unsaved entries.
  let dirty = new Set();
  document.addEventListener("input", (e) => {
    const form = e.target.closest("form[data-entry]");
    if (form) { dirty.add(form.dataset.entry); form.classList.add("unsaved"); }
  });
  document.addEventListener("htmx:afterSwap", (e) => {
    const form = e.detail.target.querySelector("form[data-entry]");
    if (form && !form.classList.contains("conflict")) dirty.delete(form.dataset.entry);
  });
  document.addEventListener("submit", (e) => {
    if (!e.target.matches("form[data-entry]")) dirty.clear();
  });
  window.addEventListener("beforeunload", (e) => {
    if (dirty.size) { e.preventDefault(); e.returnValue = ""; }
  });
  // Ctrl/Cmd+S saves the entry being edited.
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") {
      const form = document.activeElement && document.activeElement.closest("form[data-entry]");
      if (form) { e.preventDefault(); form.requestSubmit(); }
    }
  });
})();
