/* Answering a questionnaire: skip logic and checks with xlsexpr.js (the server re-checks), and each
   answer saved as given through a queue kept in IndexedDB (a reload, a crash or an hour without
   network loses nothing). Each save carries a client id (UUID, made once) and the response's
   sequence number; the server acknowledges after its commit, a repeated save changes nothing, and
   for each question the highest sequence wins. Contract: jiance/offline.py (X-Jiance-Queue). */
(function () {
  "use strict";
  var form = document.getElementById("answers");
  if (!form || !window.XlsExpr || !window.JianceIdb) return;
  var rules = JSON.parse(document.getElementById("rules").textContent);
  var answers = JSON.parse(document.getElementById("answers-data").textContent) || {};
  var readonly = form.dataset.readonly === "1";
  var responseKey = form.dataset.response;
  var saveUrl = form.dataset.saveUrl;
  var statusEl = document.querySelector("[data-answer-status]");
  var refused = [];
  // The page's language (zh-Hans first, English available), like jiance/static/jiance/queue.js.
  var english = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  var T = english ? {
    waiting: function (n) { return n + " answer(s) waiting to be sent"; },
    offline: " (offline: sent automatically when the network returns)",
    saved: "All answers saved",
    notSaved: "Not saved: ",
    integer: "Please enter a whole number",
    step: function (i, n) { return "Question " + i + " of " + n; },
    required: "This question is required",
    missing: function (n) { return n + " question(s) still to answer"; },
    unsent: function (n) { return n + " answer(s) still waiting to be sent: connect to the network, then submit"; }
  } : {
    waiting: function (n) { return n + " 条答案待发送"; },
    offline: "（离线，联网后自动发送）",
    saved: "所有答案已保存",
    notSaved: "未保存：",
    integer: "请填写整数",
    step: function (i, n) { return "第 " + i + " / " + n + " 题"; },
    required: "本题必答",
    missing: function (n) { return "还有 " + n + " 题需要完成"; },
    unsent: function (n) { return "还有 " + n + " 条答案待发送，请联网后再提交"; }
  };

  function csrf() {
    var el = form.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }

  // ---- the save queue (IndexedDB, jiance/static/jiance/idb.js) ----------------------------------
  var saves = JianceIdb.saves({
    database: "jiance-questionnaires", index: "response", key: responseKey, url: saveUrl, postKey: true,
    seqKey: "jiance-q-seq-" + responseKey, lastSeq: form.dataset.lastSeq, csrf: csrf,
    refused: function (reason) { refused.push(reason); }, shown: function () { return showStatus(); }
  });
  var pending = saves.pending, enqueue = saves.enqueue, flush = saves.flush;
  function showStatus() {
    return pending().then(function (rows) {
      if (!statusEl) return rows.length;
      var parts = [];
      if (rows.length) parts.push(T.waiting(rows.length) + (navigator.onLine ? "" : T.offline));
      else parts.push(T.saved);
      statusEl.textContent = parts.join("");
      statusEl.className = "r-status " + (rows.length ? "r-waiting" : "r-saved");
      refused.forEach(function (reason) {
        var p = document.createElement("p"); p.className = "r-error"; p.textContent = T.notSaved + reason;
        statusEl.appendChild(p);
      });
      return rows.length;
    });
  }

  // ---- values, relevance, checks ---------------------------------------------------------------
  function valueOf(name) {
    var q = rules.questions[name], inputs = form.querySelectorAll("[name='" + name + "']");
    if (q.type === "select_one") {
      var c = form.querySelector("[name='" + name + "']:checked");
      return c ? c.value : null;
    }
    if (q.type === "select_multiple") {
      var out = [];
      inputs.forEach(function (i) { if (i.checked) out.push(i.value); });
      return out.length ? out : null;
    }
    var v = inputs[0].value.trim();
    if (v === "") return null;
    if (q.type === "integer" || q.type === "decimal") {
      var n = Number(v);
      return isNaN(n) ? v : n;
    }
    return v;
  }
  function setValue(name, value) {
    var q = rules.questions[name];
    form.querySelectorAll("[name='" + name + "']").forEach(function (i) {
      if (q.type === "select_one") i.checked = i.value === value;
      else if (q.type === "select_multiple") i.checked = Array.isArray(value) && value.indexOf(i.value) >= 0;
      else i.value = value === null || value === undefined ? "" : value;
    });
  }
  function relevance() {
    var seen = {}, shown = {};
    rules.order.forEach(function (name) {
      var ok = rules.questions[name].relevant.every(function (e) { return XlsExpr.holds(e, seen); });
      shown[name] = ok;
      if (ok) seen[name] = answers[name];
    });
    Object.keys(rules.questions).forEach(function (name) {
      var el = document.getElementById("q-" + name);
      if (el) el.hidden = !shown[name];
    });
    Object.keys(rules.notes).forEach(function (name) {
      var el = form.querySelector("[data-item='" + name + "']");
      if (el) el.hidden = !rules.notes[name].every(function (e) { return XlsExpr.holds(e, seen); });
    });
    return { seen: seen, shown: shown };
  }
  function check(name, value, seen) {
    var q = rules.questions[name];
    if (value === null || !q.constraint) return "";
    var env = Object.assign({}, seen); env[name] = value;
    return XlsExpr.holds(q.constraint, env, value) ? "" : q.message;
  }
  function showError(name, message) {
    var el = document.getElementById("q-" + name);
    var err = el && el.querySelector("[data-error]");
    if (!err) return;
    err.textContent = message; err.hidden = !message;
    el.classList.toggle("r-invalid", !!message);
  }
  function changed(name) {
    var value = valueOf(name);
    if (rules.questions[name].type === "integer" && value !== null && typeof value !== "number") {
      showError(name, T.integer); return;
    }
    var state = relevance();
    var message = check(name, value, state.seen);
    showError(name, message);
    if (message) return;
    answers[name] = value;
    relevance();
    enqueue(name, value);
    gridStep();
  }

  // ---- Likert grids: one question per screen on phones -------------------------------------------
  var narrow = window.matchMedia("(max-width: 640px)");
  var gridAt = {};
  function gridStep() {
    document.querySelectorAll("[data-grid]").forEach(function (grid) {
      var rows = Array.prototype.slice.call(grid.querySelectorAll("tr.r-q"));
      var nav = grid.querySelector("[data-grid-nav]"), step = grid.querySelector("[data-grid-step]");
      if (!narrow.matches) {
        rows.forEach(function (r) { r.classList.remove("r-off"); });
        nav.hidden = true; step.hidden = true; return;
      }
      var key = grid.dataset.grid;
      if (gridAt[key] === undefined) {
        var first = rows.findIndex(function (r) { return answers[r.dataset.q] === undefined || answers[r.dataset.q] === null; });
        gridAt[key] = first < 0 ? rows.length - 1 : first;
      }
      rows.forEach(function (r, i) { r.classList.toggle("r-off", i !== gridAt[key]); });
      nav.hidden = false; step.hidden = false;
      step.textContent = T.step(gridAt[key] + 1, rows.length);
      nav.querySelector("[data-grid-prev]").disabled = gridAt[key] === 0;
      nav.querySelector("[data-grid-next]").disabled = gridAt[key] === rows.length - 1;
    });
  }
  document.querySelectorAll("[data-grid]").forEach(function (grid) {
    var key = grid.dataset.grid, n = grid.querySelectorAll("tr.r-q").length;
    grid.querySelector("[data-grid-prev]").addEventListener("click", function () { gridAt[key] = Math.max(0, gridAt[key] - 1); gridStep(); });
    grid.querySelector("[data-grid-next]").addEventListener("click", function () { gridAt[key] = Math.min(n - 1, gridAt[key] + 1); gridStep(); });
    grid.addEventListener("change", function () {
      if (narrow.matches && gridAt[key] < n - 1) { setTimeout(function () { gridAt[key] += 1; gridStep(); }, 250); }
    });
  });
  narrow.addEventListener("change", gridStep);

  // ---- wiring -----------------------------------------------------------------------------------
  form.addEventListener("change", function (e) {
    if (readonly) return;
    var el = e.target.closest("[data-q]");
    if (el) changed(el.dataset.q);
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  var submitForm = document.querySelector("[data-submit]");
  if (submitForm) {
    submitForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var state = relevance(), missing = [];
      rules.order.forEach(function (name) {
        var v = answers[name];
        if (state.shown[name] && rules.questions[name].required && (v === null || v === undefined || (Array.isArray(v) && !v.length))) {
          missing.push(name);
          showError(name, T.required);
        }
      });
      var err = submitForm.querySelector("[data-submit-error]");
      if (missing.length) {
        err.textContent = T.missing(missing.length); err.hidden = false;
        document.getElementById("q-" + missing[0]).scrollIntoView({ block: "center" });
        return;
      }
      flush().then(pending).then(function (rows) {
        var left = rows.length;
        if (left) { err.textContent = T.unsent(left); err.hidden = false; return; }
        submitForm.submit();
      });
    });
  }
  if ("serviceWorker" in navigator && form.dataset.sw) {
    navigator.serviceWorker.register(form.dataset.sw).catch(function () {});
  }
  window.addEventListener("online", flush);
  setInterval(flush, 10000);
  // Answers still queued from before a reload win over the page's (older) copy of them.
  pending().then(function (rows) {
    rows.forEach(function (item) { answers[item.name] = item.value; setValue(item.name, item.value); });
    relevance(); gridStep(); showStatus(); flush();
  }).catch(function () { relevance(); gridStep(); });
})();
