/* planeval report: the summary table sorts (click a heading) and filters by status; a chart point shows
   its reading on hover, focus or tap. Inlined in the page; fetches nothing. Without it the page is whole:
   the table is complete and unsorted, a point's title is the browser's own tooltip. */
(function () {
  "use strict";
  var doc = document;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function summaryTable(table) {
    var body = table.tBodies[0];
    var groups = [];  // an indicator's row and the reason row under it move and hide together
    each(body.rows, function (tr) {
      if (tr.classList.contains("why") && groups.length) { groups[groups.length - 1].rows.push(tr); }
      else { groups.push({rows: [tr], index: groups.length}); }
    });
    var lang = doc.documentElement.lang;
    var state = {col: -1, dir: 1};
    function key(group, col) {
      var td = group.rows[0].cells[col];
      if (!td) { return null; }
      var k = td.getAttribute("data-key");
      if (k !== null) { return k === "" ? null : parseFloat(k); }
      var text = td.textContent.replace(/\s+/g, " ").trim();
      return text === "" || text.charAt(0) === "\u2014" ? null : text;
    }
    function sortBy(col, heads) {
      state.dir = state.col === col ? -state.dir : 1;
      state.col = col;
      var sorted = groups.slice().sort(function (a, b) {
        var x = key(a, col), y = key(b, col);
        if (x === null || y === null) {  // cells without a value go last, whichever the direction
          return x === y ? a.index - b.index : (x === null ? 1 : -1);
        }
        var c = (typeof x === "number" && typeof y === "number") ? x - y
          : String(x).localeCompare(String(y), lang, {numeric: true});
        return c ? c * state.dir : a.index - b.index;
      });
      each(sorted, function (g) { each(g.rows, function (tr) { body.appendChild(tr); }); });
      each(heads, function (th, i) {
        th.setAttribute("aria-sort", i === col ? (state.dir > 0 ? "ascending" : "descending") : "none");
      });
    }
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, i) {
      var button = doc.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () { sortBy(i, heads); });
    });
    var tools = doc.getElementById("summary-tools");
    var select = doc.getElementById("status-filter");
    if (tools && select) {
      tools.hidden = false;
      select.addEventListener("change", function () {
        each(groups, function (g) {
          var hide = select.value !== "" && g.rows[0].getAttribute("data-status") !== select.value;
          each(g.rows, function (tr) { tr.hidden = hide; });
        });
      });
    }
  }

  var open = null;  // the point whose tip is shown
  function hide() {
    if (open) {
      open.button.classList.remove("on");
      open.tip.hidden = true;
      open = null;
    }
  }
  function show(box, tip, button) {
    if (open && open.button === button) { return; }
    hide();
    tip.textContent = button.getAttribute("data-tip");
    tip.hidden = false;
    button.classList.add("on");
    open = {button: button, tip: tip};
    // Inside the chart's width, whatever the screen: above the point in the lower half, else below it.
    var r = box.getBoundingClientRect(), p = button.getBoundingClientRect();
    var x = p.left + p.width / 2 - r.left, y = p.top + p.height / 2 - r.top;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.max(0, Math.min(x - w / 2, r.width - w)) + "px";
    tip.style.top = (y > r.height / 2 ? y - h - 12 : y + 12) + "px";
  }
  function chart(box) {
    var tip = doc.createElement("div");
    tip.className = "tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    box.appendChild(tip);
    each(box.querySelectorAll("button.pt"), function (button) {
      var text = button.getAttribute("title");
      button.setAttribute("data-tip", text);
      button.setAttribute("aria-label", text);
      button.removeAttribute("title");  // our tip replaces the browser's
      var on = function () { show(box, tip, button); };
      button.addEventListener("mouseenter", on);
      button.addEventListener("focus", on);
      button.addEventListener("click", function (event) { event.stopPropagation(); on(); });
      button.addEventListener("mouseleave", function () { if (doc.activeElement !== button) { hide(); } });
      button.addEventListener("blur", hide);
    });
  }

  var table = doc.querySelector("table.summary");
  if (table && table.tHead && table.tBodies.length) { summaryTable(table); }
  each(doc.querySelectorAll(".chart-box"), chart);
  doc.addEventListener("click", hide);
  doc.addEventListener("keydown", function (event) { if (event.key === "Escape") { hide(); } });
}());
