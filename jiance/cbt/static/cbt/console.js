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
})();
