/* What a page keeps on the device until the server acknowledged it, in IndexedDB: the one copy of
   the helpers that questionnaires/answer.js, cbt/deliver.js and recordings/record.js use (each page
   loads this file before its own script; a plain script, no module loader, CSP script-src 'self').

   JianceIdb.store(database, storeName, keyPath, index): one object store keyed by keyPath with one
   index (named like the field it indexes) to read a page's own rows back; returns
   { tx(mode, fn), all(indexValue), put(row), drop(key) }.
   JianceIdb.uuid(), JianceIdb.nextSeq(storageKey, floor): a save's client id, and its sequence
   number (kept in localStorage, never below the server's last one).
   JianceIdb.saves(opts): the answers' save queue of jiance/offline.py (X-Jiance-Queue): each save
   kept with a client id and sequence number, sent one at a time in sequence order, dropped once
   the server committed it (2xx) or refused it (409, the reason given to opts.refused); any other
   answer, or none, leaves it waiting. */
(function () {
  "use strict";

  function store(database, storeName, keyPath, index) {
    var opened = null;
    function db() {
      if (!opened) {
        opened = new Promise(function (resolve, reject) {
          var req = indexedDB.open(database, 1);
          req.onupgradeneeded = function () {
            req.result.createObjectStore(storeName, { keyPath: keyPath }).createIndex(index, index);
          };
          req.onsuccess = function () { resolve(req.result); };
          req.onerror = function () { reject(req.error); };
        });
        opened.catch(function () { opened = null; });  // tried again at the next use
      }
      return opened;
    }
    function tx(mode, fn) {
      return db().then(function (d) {
        return new Promise(function (resolve, reject) {
          var t = d.transaction(storeName, mode), out = fn(t.objectStore(storeName));
          t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
          t.onerror = function () { reject(t.error); };
          t.onabort = function () { reject(t.error); };
        });
      });
    }
    return {
      tx: tx,
      all: function (value) { return tx("readonly", function (s) { return s.index(index).getAll(value); }); },
      put: function (row) { return tx("readwrite", function (s) { s.put(row); }); },
      drop: function (key) { return tx("readwrite", function (s) { s.delete(key); }); }
    };
  }

  function uuid() {
    // crypto.randomUUID needs a secure context; a school server on the LAN may be plain http.
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function nextSeq(storageKey, floor) {
    var n = Math.max(parseInt(localStorage.getItem(storageKey) || "0", 10), parseInt(floor || "0", 10)) + 1;
    localStorage.setItem(storageKey, String(n));
    return n;
  }

  /* opts: database, index (the field naming whose saves these are: "response", "delivery"),
     key (its value on this page), url (where a save is posted), seqKey and lastSeq (nextSeq's),
     csrf() (the token), postKey (also post the key under the index's name), refused(reason),
     shown() (the page shows the queue again; a promise). Returns { pending, enqueue, flush }. */
  function saves(opts) {
    var queue = store(opts.database, "saves", "client_id", opts.index), sending = false;
    function pending() {
      return queue.all(opts.key).then(function (rows) {
        return (rows || []).sort(function (a, b) { return a.seq - b.seq; });
      });
    }
    function body(item) {
      var p = new URLSearchParams();
      p.append("csrfmiddlewaretoken", opts.csrf());
      p.append("client_id", item.client_id);
      p.append("client_at", item.client_at);
      p.append("seq", String(item.seq));
      p.append("name", item.name);
      if (opts.postKey) p.append(opts.index, item[opts.index]);
      if (Array.isArray(item.value)) {
        p.append("multiple", "1");
        item.value.forEach(function (v) { p.append("value", v); });
      } else {
        p.append("value", item.value === null || item.value === undefined ? "" : String(item.value));
      }
      return p;
    }
    function flush() {
      if (sending) return Promise.resolve();
      sending = true;
      return pending().then(function loop(rows) {
        if (!rows.length) return null;
        var item = rows[0];
        return fetch(item.url, { method: "POST", body: body(item), credentials: "same-origin",
                                 headers: { "X-Jiance-Queue": "1", "X-CSRFToken": opts.csrf() } })
          .then(function (r) {
            if (r.ok) return queue.drop(item.client_id);
            if (r.status === 409) {
              return r.text().then(function (reason) { opts.refused(reason); return queue.drop(item.client_id); });
            }
            throw new Error("HTTP " + r.status);  // kept; tried again later
          })
          .then(function () { return opts.shown().then(function () { return pending().then(loop); }); });
      }).catch(function () { /* offline or server away: the queue waits */ })
        .then(function () { sending = false; return opts.shown(); });
    }
    function enqueue(name, value) {
      var item = { client_id: uuid(), client_at: new Date().toISOString(), seq: nextSeq(opts.seqKey, opts.lastSeq),
                   name: name, value: value, url: opts.url };
      item[opts.index] = opts.key;
      return queue.put(item).then(opts.shown).then(flush);
    }
    return { pending: pending, enqueue: enqueue, flush: flush };
  }

  window.JianceIdb = { store: store, uuid: uuid, nextSeq: nextSeq, saves: saves };
})();
