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
  var DB = "jiance-cbt", STORE = "saves", sending = false, refused = [];

  function fmt(s) { s = Math.max(0, s | 0); var m = Math.floor(s / 60), r = s % 60; return (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r; }
  var remaining = clockEl ? parseInt(clockEl.dataset.remaining, 10) : 0;
  var status = clockEl ? clockEl.dataset.status : "";
  var stateUrl = form ? form.dataset.stateUrl : null;
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

  var key = form.dataset.delivery, saveUrl = form.dataset.saveUrl, seqKey = "jiance-cbt-seq-" + key;
  function csrf() { var el = form.querySelector("input[name=csrfmiddlewaretoken]"); return el ? el.value : ""; }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function nextSeq() {
    var n = Math.max(parseInt(localStorage.getItem(seqKey) || "0", 10), parseInt(form.dataset.lastSeq || "0", 10)) + 1;
    localStorage.setItem(seqKey, String(n)); return n;
  }
  function db() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "client_id" }).createIndex("delivery", "delivery"); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode), out = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function pending() {
    return tx("readonly", function (s) { return s.index("delivery").getAll(key); })
      .then(function (rows) { return (rows || []).sort(function (a, b) { return a.seq - b.seq; }); });
  }
  function drop(id) { return tx("readwrite", function (s) { s.delete(id); }); }
  function enqueue(name, value) {
    var item = { client_id: uuid(), client_at: new Date().toISOString(), seq: nextSeq(), name: name, value: value,
                 delivery: key, url: saveUrl };
    return tx("readwrite", function (s) { s.put(item); }).then(showStatus).then(flush);
  }
  function body(item) {
    var p = new URLSearchParams();
    p.append("csrfmiddlewaretoken", csrf()); p.append("client_id", item.client_id); p.append("client_at", item.client_at);
    p.append("seq", String(item.seq)); p.append("name", item.name);
    if (Array.isArray(item.value)) { p.append("multiple", "1"); item.value.forEach(function (v) { p.append("value", v); }); }
    else p.append("value", item.value === null || item.value === undefined ? "" : String(item.value));
    return p;
  }
  function flush() {
    if (sending) return Promise.resolve();
    sending = true;
    return pending().then(function loop(rows) {
      if (!rows.length) return null;
      var item = rows[0];
      return fetch(item.url, { method: "POST", body: body(item), credentials: "same-origin",
                               headers: { "X-Jiance-Queue": "1", "X-CSRFToken": csrf() } })
        .then(function (r) {
          if (r.ok) return drop(item.client_id);
          if (r.status === 409) return r.text().then(function (why) { refused.push(why); return drop(item.client_id); });
          throw new Error("HTTP " + r.status);
        }).then(function () { return showStatus().then(function () { return pending().then(loop); }); });
    }).catch(function () { }).then(function () { sending = false; return showStatus(); });
  }
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
