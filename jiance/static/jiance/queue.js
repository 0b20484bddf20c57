/* Jiance offline queue: what a phone records on test day is evidence, and the network at a school
 * is unreliable. A form marked data-queue="<说明>" is not posted directly: the action is stored in
 * IndexedDB first (a reload or a crash loses nothing), stamped with client_id (generated once) and
 * client_at (when the person acted), then posted in the order taken with the header
 * X-Jiance-Queue: 1 whenever the network allows. The server answers 200 once committed (the
 * record is dropped) or 409 with its reason (kept, shown as refused until dismissed); any other
 * answer or no answer leaves it waiting. See jiance/offline.py for the server side.
 *
 * On the page: [data-queue-status] lists what waits and what was refused; once the queue empties,
 * every element with an id and data-queue-refresh is re-read from the current URL and swapped.
 */
(function () {
  "use strict";
  var DB_NAME = "jiance-queue";
  var STORE = "actions";
  var RETRY_MS = 20000;
  var english = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  var T = english ? {
    waiting: function (n) { return n + " action(s) waiting to be sent"; },
    offline: "Offline: actions are kept on this device and sent when the network returns.",
    login: "Your session has expired: sign in again and the waiting actions will be sent.",
    refused: "Not accepted",
    dismiss: "Dismiss",
    sent: "All actions sent.",
    failed: "The server did not accept it"
  } : {
    waiting: function (n) { return n + " 条操作待发送"; },
    offline: "当前离线：操作已保存在本机，网络恢复后自动发送。",
    login: "登录已过期：请重新登录，待发送的操作随后自动发送。",
    refused: "未被接受",
    dismiss: "知道了",
    sent: "全部操作已发送。",
    failed: "服务器未接受"
  };

  // The server's clock as this page saw it: an action is stamped with it, not with the phone's
  // own clock (a phone may be set wrong; the test-day demo runs the server's clock elsewhere).
  var serverMeta = document.querySelector("meta[name=jiance-now]");
  var serverAt = serverMeta ? Date.parse(serverMeta.getAttribute("content") || "") : NaN;
  var offset = isNaN(serverAt) ? 0 : serverAt - Date.now();
  function nowIso() { return new Date(Date.now() + offset).toISOString(); }

  function uuid4() {
    // crypto.randomUUID needs a secure context; a school server on the LAN may be plain http.
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }

  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }

  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function add(rec) { return tx("readwrite", function (s) { return s.add(rec); }); }
  function put(rec) { return tx("readwrite", function (s) { return s.put(rec); }); }
  function drop(seq) { return tx("readwrite", function (s) { return s.delete(seq); }); }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- status -------------------------------------------------------------------------------
  var loginNeeded = false;
  var sentSome = false;

  function time(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString(english ? "en-GB" : "zh-CN", { hour12: false });
  }

  function render() {
    var boxes = document.querySelectorAll("[data-queue-status]");
    if (!boxes.length) { return Promise.resolve(); }
    return all().then(function (records) {
      var waiting = records.filter(function (r) { return r.state !== "refused"; });
      var refused = records.filter(function (r) { return r.state === "refused"; });
      boxes.forEach(function (box) {
        box.textContent = "";
        box.hidden = !waiting.length && !refused.length && navigator.onLine && !loginNeeded;
        box.classList.toggle("queue-waiting", waiting.length > 0);
        if (!navigator.onLine) { line(box, "p", T.offline, "queue-offline"); }
        if (loginNeeded) { line(box, "p", T.login, "queue-login"); }
        if (waiting.length) {
          line(box, "p", T.waiting(waiting.length), "queue-count");
          var ul = line(box, "ul", "", "queue-list");
          waiting.forEach(function (r) { line(ul, "li", time(r.at) + " " + r.label, "queue-item"); });
        }
        refused.forEach(function (r) {
          var p = line(box, "p", T.refused + "：" + time(r.at) + " " + r.label + " — " + r.reason, "queue-refused");
          var b = document.createElement("button");
          b.type = "button";
          b.className = "btn-small";
          b.textContent = T.dismiss;
          b.addEventListener("click", function () { drop(r.seq).then(render); });
          p.appendChild(document.createTextNode(" "));
          p.appendChild(b);
        });
      });
    });
  }

  function line(parent, tag, text, cls) {
    var el = document.createElement(tag);
    if (text) { el.textContent = text; }
    el.className = cls;
    parent.appendChild(el);
    return el;
  }

  // --- sending ------------------------------------------------------------------------------
  var flushing = null;

  function flush() {
    if (flushing) { return flushing; }
    flushing = all().then(function (records) {
      var waiting = records.filter(function (r) { return r.state !== "refused"; });
      return sendEach(waiting, 0);
    }).catch(function () { /* kept: tried again later */ }).then(function () {
      flushing = null;
      return render().then(afterFlush);
    });
    return flushing;
  }

  function sendEach(records, i) {
    if (i >= records.length) { return Promise.resolve(); }
    var r = records[i];
    var body = new URLSearchParams(r.body);
    var token = csrfToken();
    if (token) { body.set("csrfmiddlewaretoken", token); }
    return fetch(r.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Jiance-Queue": "1", "X-CSRFToken": token }
    }).then(function (resp) {
      if (resp.type === "opaqueredirect" || resp.status === 401) {
        loginNeeded = true;  // a queued action is never redirected except to the login page
        throw new Error("login");
      }
      loginNeeded = false;
      if (resp.ok) {
        sentSome = true;
        return drop(r.seq).then(function () { return sendEach(records, i + 1); });
      }
      if (resp.status >= 400 && resp.status < 500 && resp.status !== 408 && resp.status !== 429) {
        return reason(resp).then(function (why) {
          r.state = "refused";
          r.reason = why;
          sentSome = true;
          return put(r);
        }).then(function () { return sendEach(records, i + 1); });
      }
      throw new Error("retry");  // 5xx, 408, 429: the server is not ready; keep the order
    });
  }

  function reason(resp) {
    var type = resp.headers.get("Content-Type") || "";
    if (type.indexOf("text/plain") === 0) {
      return resp.text().then(function (t) { return t.slice(0, 300) || T.failed; });
    }
    return Promise.resolve(T.failed + "（" + resp.status + "）");
  }

  function afterFlush() {
    if (!sentSome) { return; }
    return all().then(function (records) {
      if (records.some(function (r) { return r.state !== "refused"; })) { return; }
      sentSome = false;
      return refresh();
    });
  }

  function refresh() {
    var parts = document.querySelectorAll("[data-queue-refresh][id]");
    if (!parts.length) { return; }
    return fetch(location.href, { credentials: "same-origin" }).then(function (resp) {
      if (!resp.ok) { return; }
      return resp.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        parts.forEach(function (old) {
          var fresh = doc.getElementById(old.id);
          if (!fresh) { return; }
          old.replaceWith(fresh);
          if (window.htmx) { window.htmx.process(fresh); }
        });
        document.dispatchEvent(new CustomEvent("jiance:queue-refreshed"));
      });
    }).catch(function () { /* the next flush tries again */ });
  }

  // --- taking an action ---------------------------------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-queue")) { return; }
    if (!window.indexedDB) { return; }  // no storage: the form posts normally
    event.preventDefault();
    event.stopImmediatePropagation();  // htmx and others must not post it as well
    var data = new FormData(form, event.submitter || undefined);
    var rec = {
      url: form.action || location.href,
      body: new URLSearchParams(data).toString(),
      label: form.getAttribute("data-queue") || document.title,
      at: nowIso(),
      state: "waiting",
      reason: ""
    };
    var params = new URLSearchParams(rec.body);
    params.set("client_id", uuid4());
    params.set("client_at", rec.at);
    rec.body = params.toString();
    add(rec).then(function () {
      form.dispatchEvent(new CustomEvent("jiance:queued", { bubbles: true, detail: { label: rec.label } }));
      if (form.hasAttribute("data-queue-reset")) { form.reset(); }
      return render();
    }).then(flush);
  }, true);

  window.addEventListener("online", function () { render(); flush(); });
  window.addEventListener("offline", render);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });
  setInterval(function () {
    all().then(function (records) {
      if (records.some(function (r) { return r.state !== "refused"; })) { flush(); }
    });
  }, RETRY_MS);

  window.JianceQueue = { flush: flush, pending: all, render: render };
  render().then(flush);
})();
