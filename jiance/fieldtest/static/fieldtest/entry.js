// The record-card table: after a row is saved, the cursor moves to the next row's first field,
// so a whole class is typed in with the keyboard only (Enter saves the row).
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var saved = document.querySelector("tr.card-row[data-saved]");
    if (!saved) { return; }
    saved.removeAttribute("data-saved");
    if (saved.querySelector(".field-error")) { return; }
    var next = saved.nextElementSibling;
    var field = next && (next.querySelector("input[inputmode]") || next.querySelector("select"));
    if (field) { field.focus(); if (field.select) { field.select(); } }
  });
})();
