/* The console's seat map is re-read every 5 s; a poll waits while the proctor is typing a reason or
   has a seat's "更多" open, so nothing they are filling in is swept away. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (e) {
    var map = document.getElementById("seatmap");
    if (!map || e.detail.elt !== map) return;
    var busy = map.querySelector("details[open]") ||
      (document.activeElement && document.activeElement.closest && document.activeElement.closest("#seatmap form"));
    if (busy) e.preventDefault();
  });

  // The PCs where they stand in the room (row, column of the seat plan); set through the CSSOM,
  // which the CSP allows (style attributes are not), again after every re-read of the map.
  function place(root) {
    var map = root.querySelector ? root.querySelector(".cbt-map") : null;
    if (!map) return;
    map.style.gridTemplateColumns = "repeat(" + map.dataset.columns + ", minmax(8.5rem, 1fr))";
    map.querySelectorAll(".cbt-pc-cell").forEach(function (cell) {
      cell.style.gridRow = cell.dataset.row;
      cell.style.gridColumn = cell.dataset.column;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { place(document); });
  document.addEventListener("htmx:afterSwap", function (e) { place(document); });
})();
