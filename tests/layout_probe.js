/* Layout probe for tests/test_browser.py: run inside the report (an iframe of a given width) and
   return what overflows the viewport outside a scroll box, which words in table cells and code
   elements are broken across lines, and how many fylke groups of the kommune list are open.
   A "word" is split after a hyphen, dash or slash: a line may end there (Midt-/Gudbrandsdal),
   but not between two letters or digits. */
function probe(window, document) {
  function scrollsInside(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      var ox = window.getComputedStyle(p).overflowX;
      if ((ox === "auto" || ox === "scroll" || ox === "hidden") && p !== document.body && p !== document.documentElement) { return true; }
    }
    return false;
  }
  function brokenWords(root) {
    var out = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      var text = node.textContent, re = /[^\s\-\u2013\/]+[\-\u2013\/]?/g, m;
      while ((m = re.exec(text))) {
        var range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        var tops = {};
        Array.prototype.forEach.call(range.getClientRects(), function (r) { if (r.width > 0) { tops[Math.round(r.top)] = 1; } });
        if (Object.keys(tops).length > 1) { out.push(m[0]); }
      }
    }
    return out;
  }
  // The numbers under each chart are opened first: opening them must not widen the page either.
  Array.prototype.forEach.call(document.querySelectorAll("details.chart-data"), function (d) { d.open = true; });
  var vw = window.innerWidth, over = [];
  Array.prototype.forEach.call(document.body.querySelectorAll("*"), function (el) {
    var r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) { return; }
    var closed = el.closest("details:not([open])");
    if (closed && !el.closest("summary")) { return; }
    if ((r.right > vw + 1 || r.left < -1) && !scrollsInside(el)) { over.push(el.tagName + "." + el.className + " " + Math.round(r.left) + "-" + Math.round(r.right)); }
  });
  var cells = [];
  Array.prototype.forEach.call(document.querySelectorAll("td, th"), function (c) {
    if (c.getClientRects().length) { brokenWords(c).forEach(function (w) { cells.push(w); }); }
  });
  var codes = [];
  Array.prototype.forEach.call(document.querySelectorAll("code"), function (c) {
    if (c.getClientRects().length) { brokenWords(c).forEach(function (w) { codes.push(w); }); }
  });
  // A figure never scrolls sideways (it scales to the width); a table box that scrolls is listed by caption.
  var figures = [];
  Array.prototype.forEach.call(document.querySelectorAll("figure img"), function (img) {
    var r = img.getBoundingClientRect();
    if (r.right > vw + 1 || r.left < -1) { figures.push(img.closest("figure").id); return; }
    for (var p = img.parentElement; p && p.tagName !== "FIGURE"; p = p.parentElement) {
      if (p.scrollWidth > p.clientWidth + 1) { figures.push(img.closest("figure").id); return; }
    }
  });
  var tables = [];
  Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (w) {
    if (w.getClientRects().length && w.scrollWidth > w.clientWidth + 1) {
      var cap = w.querySelector("caption");
      tables.push(cap ? cap.textContent.trim().slice(0, 60) : w.className);
    }
  });
  var groups = document.querySelectorAll("details.fylke-gruppe");
  var result = {
    viewport: vw, scrollWidth: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
    overflowing: over.slice(0, 30), n_overflowing: over.length, broken_cells: cells.slice(0, 30), n_broken_cells: cells.length,
    broken_codes: codes.slice(0, 30), groups: groups.length, scrolling_figures: figures, scrolling_tables: tables,
    open_groups: Array.prototype.filter.call(groups, function (g) { return g.open; }).length
  };
  return result;
}
