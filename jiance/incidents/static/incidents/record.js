// Shows the handling instructions of the chosen incident kind under the kind select.
(function () {
  "use strict";
  function init() {
    var data = document.getElementById("kind-handling-data");
    var select = document.getElementById("id_kind");
    var out = document.getElementById("kind-handling");
    if (!data || !select || !out) return;
    var handling = JSON.parse(data.textContent || "{}");
    function show() { out.textContent = handling[select.value] || ""; }
    select.addEventListener("change", show);
    if (select.form) {  // a queued form is reset after it is stored: the text follows the empty choice
      select.form.addEventListener("reset", function () { setTimeout(show, 0); });
    }
    show();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
