// The reader's colour scheme: light, dark, or the system's (no data-theme attribute).
// Loaded with a plain <script src> in <head>, before the stylesheets and not deferred, so the
// stored choice is on <html> before the first paint: a page never flashes the other scheme.
// The CSP allows no inline script, hence this separate file.
(function () {
  "use strict";
  var KEY = "surveysite-theme";
  var root = document.documentElement;
  // Storage may be missing or throw (file://, private modes, blocked cookies): then the choice
  // lasts only for this page.
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function store(scheme) {
    try {
      if (scheme === "system") localStorage.removeItem(KEY); else localStorage.setItem(KEY, scheme);
    } catch (e) { /* not remembered */ }
  }
  function apply(scheme) {
    if (scheme === "light" || scheme === "dark") root.setAttribute("data-theme", scheme);
    else root.removeAttribute("data-theme");
  }
  apply(stored());

  // The header's radio group (hidden by nojs.css without JavaScript), once it is parsed.
  function wire() {
    var inputs = document.querySelectorAll("[data-theme-switch] input[type=radio]");
    function show() {
      var current = root.getAttribute("data-theme") || "system";
      inputs.forEach(function (input) { input.checked = input.value === current; });
    }
    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        if (!input.checked) return;
        apply(input.value);
        store(input.value);
      });
    });
    show();
    // Another tab changed the choice: follow it.
    window.addEventListener("storage", function (event) {
      if (event.key === KEY || event.key === null) { apply(stored()); show(); }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
