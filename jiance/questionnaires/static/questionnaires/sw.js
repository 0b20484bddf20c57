/* The respondents' service worker (scope /questionnaires/): the answer pages and their assets are
   kept so a reload without network shows the page again; answers themselves wait in IndexedDB
   (answer.js through jiance/idb.js), never here; every /static/ asset the page loads, idb.js
   included, is kept. Pages and assets: network first (a new version is
   picked up at once), the kept copy when offline. */
"use strict";
var CACHE = "jiance-questionnaires-v1";
self.addEventListener("install", function (e) { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  var asset = url.pathname.indexOf("/static/") === 0;
  var page = req.mode === "navigate" && /^\/questionnaires\/(answer|practice)\/[^/]+\/$/.test(url.pathname);
  if (!asset && !page) return;
  e.respondWith(fetch(req).then(function (r) {
    if (r.ok) { var copy = r.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
    return r;
  }).catch(function () {
    return caches.open(CACHE).then(function (c) { return c.match(req); }).then(function (hit) {
      return hit || new Response("<meta charset=utf-8><p>网络已断开，且本页尚未保存在本机。请联网后再打开。</p>" +
                                 "<p lang=en>Offline, and this page is not kept on this device yet. Open it again once connected.</p>",
                                 { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  }));
});
