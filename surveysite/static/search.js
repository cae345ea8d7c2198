// Search page: Pagefind's index for this page's language, loaded only here and only over http(s).
// Paper pages carry Pagefind filters (technique, year): the selects are built from the index, and
// the query and filters live in the address (?q=&technique=&year=), so a filtered search is a link.
(function () {
  "use strict";
  var box = document.querySelector("[data-search]");
  if (!box) return;
  var input = box.querySelector("input");
  var status = box.querySelector(".search-status");
  var list = box.querySelector(".search-results");
  var selects = Array.prototype.slice.call(box.querySelectorAll("select"));
  var option = box.querySelector("[data-option]").getAttribute("data-option");
  var root = new URL(document.documentElement.getAttribute("data-root") || "./", location.href);
  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  if (location.protocol === "file:") {
    status.textContent = box.getAttribute("data-file");
    input.disabled = true;
    selects.forEach(function (select) { select.disabled = true; });
    return;
  }
  // Pagefind excerpts mark hits with <mark>; everything else is shown as text, never as HTML.
  function excerpt(html) {
    var p = document.createElement("p");
    var decode = document.createElement("textarea");
    var marked = false;
    html.split(/(<\/?mark>)/).forEach(function (part) {
      if (part === "<mark>" || part === "</mark>") { marked = part === "<mark>"; return; }
      decode.innerHTML = part.replace(/<[^>]*>/g, "");
      var text = document.createTextNode(decode.value);
      if (!marked) { p.appendChild(text); return; }
      var mark = document.createElement("mark");
      mark.appendChild(text);
      p.appendChild(mark);
    });
    return p;
  }
  // This language's own bundle (pagefind/<lang>/), named by the page.
  var bundle = new URL(document.documentElement.getAttribute("data-search-bundle"), location.href);
  var pagefind = import(bundle.href).then(function (module) {
    return module.options({ baseUrl: root.pathname }).then(function () { return module; });
  });
  // One option per value with its number of pages: techniques by name, years newest first. A value
  // asked for by the address but not in the index is kept, so the link still says what it asked.
  var ready = pagefind.then(function (module) { return module.filters(); }).then(function (available) {
    selects.forEach(function (select) {
      var counts = available[select.name] || {};
      var values = Object.keys(counts);
      values.sort(select.name === "year" ? function (a, b) { return b.localeCompare(a); }
                                         : function (a, b) { return a.localeCompare(b, document.documentElement.lang); });
      values.forEach(function (value) {
        var item = document.createElement("option");
        item.value = value;
        item.textContent = option.replace("{name}", value).replace("{n}", counts[value]);
        select.appendChild(item);
      });
      var wanted = params.get(select.name);
      if (wanted && values.indexOf(wanted) < 0) {
        var missing = document.createElement("option");
        missing.value = missing.textContent = wanted;
        select.appendChild(missing);
      }
      if (wanted) select.value = wanted;
    });
  });
  var latest = 0;
  function run() {
    var ticket = ++latest;
    var text = input.value;
    var filters = {};
    var url = new URL(location.href);
    if (text) url.searchParams.set("q", text); else url.searchParams.delete("q");
    selects.forEach(function (select) {
      if (select.value) filters[select.name] = select.value;
      if (select.value) url.searchParams.set(select.name, select.value); else url.searchParams.delete(select.name);
    });
    history.replaceState(null, "", url);
    var filtered = Object.keys(filters).length > 0;
    if (!text.trim() && !filtered) { list.replaceChildren(); status.textContent = ""; return; }
    // A filter alone (no words) lists every page that has it.
    var term = text.trim() ? text : null;
    pagefind.then(function (module) { return module.debouncedSearch(term, { filters: filters }, 150); }).then(function (search) {
      if (search === null || ticket !== latest) return null;
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    }).then(function (pages) {
      if (pages === null || ticket !== latest) return;
      list.replaceChildren.apply(list, pages.map(function (page) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = page.url;
        link.textContent = page.meta.title || page.url;
        item.appendChild(link);
        item.appendChild(excerpt(page.excerpt));
        return item;
      }));
      status.textContent = pages.length ? box.getAttribute("data-count").replace("{n}", pages.length) : box.getAttribute("data-none");
    }).catch(function () { status.textContent = box.getAttribute("data-error"); });
  }
  input.addEventListener("input", run);
  selects.forEach(function (select) { select.addEventListener("change", run); });
  box.querySelector("form").addEventListener("submit", function (event) { event.preventDefault(); run(); });
  ready.then(function () { if (input.value || selects.some(function (s) { return s.value; })) run(); },
             function () { status.textContent = box.getAttribute("data-error"); });
})();
