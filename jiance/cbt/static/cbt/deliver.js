/* The student's screen: each response saved as given through a queue kept in IndexedDB (a reload,
   a crash or a network loss loses nothing), with a client id (UUID, made once) and the delivery's
   sequence number; the server acknowledges after its commit, a repeat changes nothing, the newest
   sequence wins (contract: jiance/offline.py, engine: jiance/saving.py). The time left is the
   server's: counted down here between reads of state/ every 10 s; a change of state reloads. */
(function () {
  "use strict";
  var clockEl = document.getElementById("remaining");
  var form = document.getElementById("responses");
  var statusEl = document.querySelector("[data-answer-status]");
  var refused = [];

  var data = form ? form.dataset : {};
  function csrf() { var el = form && form.querySelector("input[name=csrfmiddlewaretoken]"); return el ? el.value : ""; }
  var saves = JianceIdb.saves({  // the queue in IndexedDB: jiance/static/jiance/idb.js
    database: "jiance-cbt", index: "delivery", key: data.delivery, url: data.saveUrl,
    seqKey: "jiance-cbt-seq-" + data.delivery, lastSeq: data.lastSeq, csrf: csrf,
    refused: function (why) { refused.push(why); }, shown: function () { return showStatus(); }
  });
  var pending = saves.pending, enqueue = saves.enqueue, flush = saves.flush;

  function fmt(s) { s = Math.max(0, s | 0); var m = Math.floor(s / 60), r = s % 60; return (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r; }
  var remaining = clockEl ? parseInt(clockEl.dataset.remaining, 10) : 0;
  var status = clockEl ? clockEl.dataset.status : "";
  var stateUrl = data.stateUrl || null;
  function show() { if (clockEl) clockEl.textContent = fmt(remaining); }
  show();
  setInterval(function () { if (status === "in_progress" && remaining > 0) { remaining -= 1; show(); } }, 1000);
  function poll() {
    var url = stateUrl || (window.location.pathname + "state/");
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.refused || s.status !== status || (s.status === "authorised" && s.sitting === "started")) {
          flush().then(function () { window.location.reload(); });
          return;
        }
        remaining = s.remaining; show();
      }).catch(function () { /* offline: keep counting */ });
  }
  setInterval(poll, 10000);
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
  });
  if (!form) return;
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  function showStatus() {
    return pending().then(function (rows) {
      if (!statusEl) return rows.length;
      statusEl.textContent = rows.length ? rows.length + " 条答案待发送" + (navigator.onLine ? "" : "（离线，联网后自动发送）") : "所有答案已保存";
      statusEl.className = "pc-status " + (rows.length ? "pc-waiting" : "pc-saved");
      refused.forEach(function (why) { var p = document.createElement("p"); p.className = "pc-error"; p.textContent = "未保存：" + why; statusEl.appendChild(p); });
      return rows.length;
    });
  }
  function valueOf(fs) {
    var name = fs.dataset.item, type = fs.dataset.type;
    if (type === "choiceInteraction") {
      var out = []; fs.querySelectorAll("input[name='" + name + "']").forEach(function (i) { if (i.checked) out.push(i.value); });
      return fs.querySelector("input[type=radio]") ? (out[0] || "") : out;
    }
    if (type === "orderInteraction") return Array.prototype.map.call(fs.querySelectorAll("[data-value]"), function (li) { return li.dataset.value; });
    if (type === "matchInteraction") {
      var pairs = []; fs.querySelectorAll("select[data-source]").forEach(function (s) { if (s.value) pairs.push(s.dataset.source + " " + s.value); });
      return pairs;
    }
    var el = fs.querySelector("[name='" + name + "']"); return el ? el.value : "";
  }
  var values = JSON.parse((document.getElementById("cbt-values") || { textContent: "{}" }).textContent) || {};
  form.querySelectorAll("[data-match]").forEach(function (t) {
    (values[t.dataset.match] || []).forEach(function (p) { var s = t.querySelector("select[data-source='" + p.split(" ")[0] + "']"); if (s) s.value = p.split(" ")[1]; });
  });
  form.querySelectorAll("[data-order]").forEach(function (ol) {
    (values[ol.dataset.order] || []).forEach(function (v) { var li = ol.querySelector("[data-value='" + v + "']"); if (li) ol.appendChild(li); });
  });
  if (form.dataset.writable !== "1") { showStatus(); flush(); return; }
  form.addEventListener("change", function (e) {
    var fs = e.target.closest("[data-item]"); if (fs && !fs.dataset.paper) enqueue(fs.dataset.item, valueOf(fs));
  });
  form.addEventListener("click", function (e) {
    var li = e.target.closest("li[data-value]"); if (!li) return;
    if (e.target.hasAttribute("data-up") && li.previousElementSibling) li.parentNode.insertBefore(li, li.previousElementSibling);
    else if (e.target.hasAttribute("data-down") && li.nextElementSibling) li.parentNode.insertBefore(li.nextElementSibling, li);
    else return;
    var fs = li.closest("[data-item]"); enqueue(fs.dataset.item, valueOf(fs));
  });
  window.addEventListener("online", flush);
  setInterval(flush, 10000);
  showStatus(); flush();
})();
