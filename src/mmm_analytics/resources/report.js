/* Draws every chart of the page from its JSON, and sorts tables on a click of a header.
   A chart plotly cannot draw is reported on the console and the others are drawn still. */
(function () {
  "use strict";
  var charts = JSON.parse(document.getElementById("chart-data").textContent).charts;
  if (window.Plotly) {
    Object.keys(charts).forEach(function (id) {
      var spec = charts[id], box = document.getElementById(id);
      if (!box) { return; }
      try {
        Promise.resolve(Plotly.newPlot(box, spec.data, spec.layout || {}, spec.config || {}))
          .catch(function (error) { console.error("chart " + id + ": " + error); });
      } catch (error) {
        console.error("chart " + id + ": " + error);
      }
    });
  }
  function sortTable(th) {
    var table = th.closest("table"), body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = !th.classList.contains("asc"), numeric = th.classList.contains("num");
    table.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
    th.classList.add(ascending ? "asc" : "desc");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.v, y = b.cells[index].dataset.v;
      if (x === undefined || y === undefined) { return (x === undefined) - (y === undefined); }
      var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll("table.sortable th").forEach(function (th) {
    th.addEventListener("click", function () { sortTable(th); });
  });
}());
