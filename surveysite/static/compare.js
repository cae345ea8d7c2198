// Compare models: checkboxes on the papers list and the benchmark pages, the compare page itself,
// and CSV downloads of what a page shows. Progressive enhancement: without JavaScript there is
// nothing to check, and the compare page links to the benchmark pages instead.
(function () {
  "use strict";
  var fileMode = location.protocol === "file:";

  // RFC 4180 quoting: a field with a comma, quote or line break is quoted, its quotes doubled. A
  // text that a spreadsheet would run as a formula (=, +, -, @ first; not a number) gets a leading '.
  function csv(rows) {
    return rows.map(function (row) {
      return row.map(function (value) {
        var text = value === null || value === undefined ? "" : String(value);
        if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) text = "'" + text;
        return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
      }).join(",");
    }).join("\n") + "\n";
  }

  function download(name, rows) {
    var url = URL.createObjectURL(new Blob([csv(rows)], { type: "text/csv;charset=utf-8" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
  }

  // A folder link opened from the file system needs its index.html (site.js does this for static links).
  function folder(href) {
    return fileMode && /\/$/.test(href) ? href + "index.html" : href;
  }

  // The compare page's address for these model ids: ?m=<paper>~<model>&m=..., '~' left readable.
  function compareHref(base, ids) {
    return folder(base.split("?")[0]) + (ids.length ? "?" + ids.map(function (id) {
      return "m=" + encodeURIComponent(id);
    }).join("&") : "");
  }

  // A model's id is its paper's slug, '~', its name (urls.compare_model); slugs have no '~'.
  function slugOf(id) { return id.split("~")[0]; }
  function modelOf(id) { return id.slice(id.indexOf("~") + 1); }

  window.surveysiteCompare = { csv: csv, href: compareHref };

  // Index and benchmark pages: a checkbox per paper (its proposed models) or per leaderboard row.
  var bar = document.querySelector("[data-compare-bar]");
  if (bar) {
    var link = bar.querySelector("a");
    var base = link.getAttribute("href");
    var chosen = [];
    var boxes = [];
    var update = function () {
      boxes.forEach(function (entry) {
        entry.box.checked = entry.ids.every(function (id) { return chosen.indexOf(id) >= 0; });
      });
      link.textContent = bar.getAttribute("data-selected").replace("{n}", chosen.length);
      link.setAttribute("href", compareHref(base, chosen));
      bar.hidden = chosen.length === 0;
    };
    var checkbox = function (cell, ids, name) {
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "compare-check";
      box.setAttribute("aria-label", bar.getAttribute("data-check").replace("{name}", name));
      box.addEventListener("change", function () {
        ids.forEach(function (id) {
          var at = chosen.indexOf(id);
          if (box.checked && at < 0) chosen.push(id);
          if (!box.checked && at >= 0) chosen.splice(at, 1);
        });
        update();
      });
      boxes.push({ box: box, ids: ids });
      cell.insertBefore(box, cell.firstChild);
    };
    document.querySelectorAll("tr[data-compare]").forEach(function (row) {
      var names = JSON.parse(row.getAttribute("data-compare"));
      var slug = row.getAttribute("data-paper");
      if (names.length) checkbox(row.cells[0], names.map(function (name) { return slug + "~" + name; }), names.join(", "));
    });
    document.querySelectorAll("tr[data-compare-id]").forEach(function (row) {
      checkbox(row.querySelector("th") || row.cells[0], [row.getAttribute("data-compare-id")], row.getAttribute("data-compare-name"));
    });
    update();
  }

  // Index: the papers the filters show, as CSV, in the order the table shows them.
  var indexCsv = document.querySelector("button[data-index-csv]");
  if (indexCsv) {
    indexCsv.hidden = false;
    indexCsv.addEventListener("click", function () {
      var rows = [["paper", "short_name", "title", "year", "size", "techniques"]];
      document.querySelectorAll("table.papers tbody tr").forEach(function (row) {
        if (row.hidden) return;
        var title = row.cells[0].querySelector(".paper-title");
        var tags = Array.prototype.map.call(row.cells[3].querySelectorAll(".tag"), function (a) { return a.textContent.trim(); });
        rows.push([
          row.getAttribute("data-paper"),
          row.cells[0].querySelector("a").textContent.trim(),
          title ? title.textContent.trim() : "",
          row.cells[1].textContent.trim(),
          row.cells[2].textContent.trim(),
          tags.join("; ")
        ]);
      });
      download("papers.csv", rows);
    });
  }

  // The compare page: the models named in the address, their papers' data files loaded as scripts;
  // the picker loads one year's models at a time.
  var page = document.querySelector("[data-compare-page]");
  if (!page) return;
  var lang = page.getAttribute("data-lang");
  var home = page.getAttribute("data-home");
  var slugPattern = new RegExp(page.getAttribute("data-slug"));
  var status = page.querySelector(".compare-status");
  var form = page.querySelector(".compare-picker");
  var yearSelect = form.querySelector("select[name=year]");
  var select = form.querySelector("select[name=model]");
  var modelsBody = page.querySelector(".compare-models tbody");
  var sharedTable = page.querySelector("table[data-shared]");
  var singleTable = page.querySelector("table[data-single]");
  var years = {};
  var papers = {};
  var failed = [];
  var view = null;
  function t(key) { return page.getAttribute("data-t-" + key) || ""; }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function nameIn(names) { return names[lang] || names[Object.keys(names)[0]]; }

  window.surveysiteCompare.models = function (chunk) { years[chunk.year] = chunk.papers; };
  window.surveysiteCompare.paper = function (record) { papers[record.slug] = record; };
  function load(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  var ids = new URLSearchParams(location.search).getAll("m").filter(function (id, at, all) {
    return id.indexOf("~") > 0 && all.indexOf(id) === at;
  });

  function modelIn(id) {
    var paper = papers[slugOf(id)];
    return paper && paper.models.filter(function (m) { return m.name === modelOf(id); })[0];
  }

  function setAddress() {
    var href = compareHref(location.pathname, ids) + location.hash;
    try { history.replaceState(null, "", href); } catch (e) { /* file:// may refuse; the view still changes */ }
  }

  // Load the data files the chosen models need (a slug only of the shape papers have: the address
  // cannot point a script elsewhere), then draw; a file that is missing is a paper not in the survey.
  function refresh() {
    var wanted = ids.map(slugOf).filter(function (slug, at, all) {
      return slugPattern.test(slug) && !papers[slug] && failed.indexOf(slug) < 0 && all.indexOf(slug) === at;
    });
    if (!wanted.length) { draw(); return; }
    status.textContent = t("loading");
    Promise.all(wanted.map(function (slug) {
      return load(page.getAttribute("data-data").replace("{slug}", slug)).catch(function () { failed.push(slug); });
    })).then(draw);
  }

  function chosenModels() {
    return ids.filter(modelIn).map(function (id) {
      return { id: id, paper: papers[slugOf(id)], model: modelIn(id) };
    });
  }

  // Rows are benchmark + setting: scores in two settings are never comparable, so never share one.
  function rowsOf(models) {
    var rows = {};
    models.forEach(function (chosen, column) {
      chosen.paper.results.forEach(function (r) {
        if (r.model !== chosen.model.name) return;
        var key = r.benchmark + "\u0000" + r.setting;
        var row = rows[key] || (rows[key] = { benchmark: r.benchmark, name: r.benchmark_name, path: r.benchmark_path, setting: r.setting, cells: [], count: 0 });
        row.cells[column] = r;
        row.count += 1;
      });
    });
    return Object.keys(rows).map(function (key) { return rows[key]; }).sort(function (a, b) {
      var x = a.name.toLowerCase(), y = b.name.toLowerCase();
      if (x !== y) return x < y ? -1 : 1;
      return a.setting < b.setting ? -1 : a.setting > b.setting ? 1 : 0;
    });
  }

  function linkTo(path, text) {
    var a = el("a", text);
    a.href = folder(home + path);
    return a;
  }

  function fillTable(table, models, rows) {
    table.replaceChildren();
    var head = table.createTHead().insertRow();
    [t("benchmark"), t("setting")].forEach(function (text) { head.appendChild(el("th", text)).scope = "col"; });
    models.forEach(function (chosen) {
      var th = head.appendChild(el("th", chosen.model.name, "num"));
      th.scope = "col";
      th.appendChild(el("span", nameIn(chosen.paper.name), "result-note"));
    });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      var th = tr.appendChild(el("th"));
      th.scope = "row";
      th.appendChild(linkTo(row.path, row.name));
      tr.appendChild(el("td", row.setting));
      models.forEach(function (chosen, column) {
        var r = row.cells[column];
        var td = tr.appendChild(el("td", null, "num"));
        if (!r) {
          td.appendChild(el("span", "–")).setAttribute("aria-hidden", "true");
          td.appendChild(el("span", t("not-reported"), "visually-hidden"));
          return;
        }
        td.appendChild(el("span", r.text, "compare-score"));
        td.appendChild(el("span", null, "result-note")).appendChild(linkTo(chosen.paper.path, r.source));
        if (r.note) td.appendChild(el("span", r.note, "result-note"));
      });
    });
  }

  function draw() {
    var models = chosenModels();
    var rows = rowsOf(models);
    var shared = rows.filter(function (row) { return row.count >= 2; });
    var single = rows.filter(function (row) { return row.count < 2; });
    view = { models: models, rows: shared.concat(single) };
    modelsBody.replaceChildren();
    models.forEach(function (chosen) {
      var tr = modelsBody.insertRow();
      tr.appendChild(el("th", chosen.model.name)).scope = "row";
      tr.appendChild(el("td", chosen.model.size || "—", "num"));
      tr.appendChild(el("td", t(chosen.model.role)));
      tr.appendChild(el("td")).appendChild(linkTo(chosen.paper.path, nameIn(chosen.paper.name)));
      var button = tr.appendChild(el("td")).appendChild(el("button", t("remove").replace("{name}", chosen.model.name)));
      button.type = "button";
      button.addEventListener("click", function () {
        ids.splice(ids.indexOf(chosen.id), 1);
        setAddress();
        draw();
        select.focus();
      });
    });
    fillTable(sharedTable, models, shared);
    fillTable(singleTable, models, single);
    var none = page.querySelector(".compare-none");
    if (none) none.remove();
    sharedTable.parentNode.hidden = !shared.length;
    if (!shared.length && models.length > 1) sharedTable.parentNode.parentNode.appendChild(el("p", t("shared-none"), "compare-none"));
    sharedTable.parentNode.parentNode.hidden = models.length < 2;
    singleTable.parentNode.parentNode.hidden = !single.length;
    page.querySelector(".compare-models").parentNode.hidden = !models.length;
    page.querySelector("[data-compare-csv]").parentNode.hidden = !models.length;
    var messages = [models.length === 0 ? t("empty") : models.length === 1 ? t("one")
      : t("count").replace("{n}", models.length).replace("{shared}", shared.length)];
    var unknown = ids.filter(function (id) {
      var slug = slugOf(id);
      return !slugPattern.test(slug) || failed.indexOf(slug) >= 0 || (papers[slug] && !modelIn(id));
    });
    if (unknown.length) messages.push(t("unknown").replace("{ids}", unknown.join(", ")));
    status.textContent = messages.join(" ");
    Array.prototype.forEach.call(select.options, function (option) {
      option.disabled = !!option.value && ids.indexOf(option.value) >= 0;
    });
  }

  // The picker: the chosen year's papers, each an option group of its models.
  function fillPicker() {
    var year = yearSelect.value;
    var fill = function () {
      while (select.options.length > 1) select.remove(1);
      select.querySelectorAll("optgroup").forEach(function (group) { group.remove(); });
      (years[year] || []).forEach(function (paper) {
        var group = el("optgroup");
        group.label = nameIn(paper.name);
        paper.models.forEach(function (m) {
          var option = el("option", m[1] ? m[0] + " (" + m[1] + ")" : m[0]);
          option.value = paper.slug + "~" + m[0];
          option.disabled = ids.indexOf(option.value) >= 0;
          group.appendChild(option);
        });
        select.appendChild(group);
      });
    };
    if (years[year]) { fill(); return; }
    load(page.getAttribute("data-models").replace("{year}", year)).then(fill, function () {
      status.textContent = t("failed").replace("{year}", year);
    });
  }
  yearSelect.addEventListener("change", function () { started = true; fillPicker(); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!select.value || ids.indexOf(select.value) >= 0) return;
    ids.push(select.value);
    select.value = "";
    setAddress();
    refresh();
  });

  page.querySelector("[data-compare-csv]").addEventListener("click", function () {
    if (!view) return;
    var header = ["benchmark", "benchmark_name", "setting", "reported_by"];
    view.models.forEach(function (chosen) { header.push(chosen.id + " score", chosen.id + " source", chosen.id + " note"); });
    var rows = [header];
    view.rows.forEach(function (row) {
      var line = [row.benchmark, row.name, row.setting, row.count];
      view.models.forEach(function (_chosen, column) {
        var r = row.cells[column];
        line.push(r ? r.text : "", r ? r.source : "", r ? r.note : "");
      });
      rows.push(line);
    });
    download("compare.csv", rows);
  });

  // The picker's models load when the reader comes to it, not with the page.
  var started = false;
  function start() { if (!started) { started = true; fillPicker(); } }
  form.addEventListener("focusin", start);
  form.addEventListener("pointerover", start);
  refresh();
})();
