// Progressive enhancement only: the site works without this file.
(function () {
  "use strict";
  // Opened from the file system, a folder link shows a directory listing: point it at index.html.
  if (location.protocol === "file:") {
    document.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (!/^[a-z]+:/i.test(href) && !href.startsWith("#")) {
        var parts = href.split("#");
        if (parts[0].endsWith("/")) {
          a.setAttribute("href", parts[0] + "index.html" + (parts.length > 1 ? "#" + parts[1] : ""));
        }
      }
    });
    document.querySelectorAll("form[action$='/']").forEach(function (form) {
      form.setAttribute("action", form.getAttribute("action") + "index.html");
    });
  }
})();

// Tables with class "sortable": header buttons sort by data-sort (numbers) or text; aria-sort tells which.
(function () {
  "use strict";
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[column];
          var value = cell.getAttribute("data-sort");
          return value !== null ? parseFloat(value) : cell.textContent.trim().toLowerCase();
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();

// Index: instant filters over the papers table; the state lives in the address (?technique=&year=&size=).
(function () {
  "use strict";
  var form = document.querySelector("form[data-filters]");
  if (!form) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.papers tbody tr"));
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var status = form.querySelector(".filter-count");
  var params = new URLSearchParams(location.search);
  selects.forEach(function (select) {
    var wanted = params.get(select.name);
    if (wanted && select.querySelector("option[value='" + CSS.escape(wanted) + "']")) select.value = wanted;
  });
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var match = selects.every(function (select) {
        return !select.value || (row.getAttribute("data-" + select.name) || "").split(" ").indexOf(select.value) >= 0;
      });
      row.hidden = !match;
      if (match) shown += 1;
    });
    status.textContent = form.getAttribute("data-count").replace("{n}", shown).replace("{total}", rows.length);
    var url = new URL(location.href);
    selects.forEach(function (select) {
      if (select.value) url.searchParams.set(select.name, select.value); else url.searchParams.delete(select.name);
    });
    history.replaceState(null, "", url);
  }
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();

// Paper pages: copy the BibTeX entry (the button appears only where the Clipboard API exists).
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    var section = button.closest("section");
    var status = section.querySelector("[role=status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(section.querySelector("pre").textContent).then(
        function () { status.textContent = button.getAttribute("data-copied"); },
        function () { status.textContent = button.getAttribute("data-failed"); }
      );
    });
  });
})();

// Old links to a benchmark on the chart page (chart/#mmlu) go on to the benchmark's own page;
// without JavaScript the overview shows that benchmark's chart, which links there.
(function () {
  "use strict";
  var overview = document.querySelector("[data-chart-overview]");
  if (!overview || !location.hash) return;
  var figure = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  var link = figure && overview.contains(figure) ? figure.querySelector("figcaption a") : null;
  if (link) location.replace(link.href);
})();
