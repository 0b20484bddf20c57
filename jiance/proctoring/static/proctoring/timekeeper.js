/* The timekeeper's (司时员) clock: Beijing time (or the region's local time) taken from the
 * server's clock — the offset measured against GET time.json, the round trip halved — the next
 * signal, the 10-minute warning before the end of a subject test, and a full-screen view. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tk-data").textContent);
  var english = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  var T = english ? {
    synced: function (ms) { return "Synchronised with the server (±" + ms + " ms)"; },
    failed: "Could not reach the server: showing this device's time",
    next: "Next signal", none: "No more signals today",
    warn: function (name, m) { return name + ": " + m + " min left — remind the students"; }
  } : {
    synced: function (ms) { return "已与服务器校时（误差约 ±" + ms + " 毫秒）"; },
    failed: "无法连接服务器，显示本机时间",
    next: "下一信号", none: "今天的信号已全部发出",
    warn: function (name, m) { return name + "：离结束还有 " + m + " 分钟，请提醒学生"; }
  };
  var offset = 0; // server ms - device ms
  var OFFSET_H = 8 * 60 - (data.behind || 0); // minutes ahead of UTC shown on the clock
  var signals = data.signals.map(function (s) {
    var p = s.at.split(":");
    s.min = parseInt(p[0], 10) * 60 + parseInt(p[1], 10);
    return s;
  });
  var ends = {};
  signals.forEach(function (s) { if (s.kind === "end") { ends[s.session] = s.min; } });

  function sync() {
    var t0 = performance.now();
    fetch(data.time_url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.json();
    }).then(function (body) {
      var rtt = performance.now() - t0;
      offset = body.now + rtt / 2 - Date.now();
      document.getElementById("tk-sync").textContent = T.synced(Math.round(rtt / 2));
    }).catch(function () {
      document.getElementById("tk-sync").textContent = T.failed;
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var shown = new Date(Date.now() + offset + OFFSET_H * 60000);
    var h = shown.getUTCHours(), m = shown.getUTCMinutes(), s = shown.getUTCSeconds();
    var today = shown.getUTCFullYear() + "-" + pad(shown.getUTCMonth() + 1) + "-" + pad(shown.getUTCDate());
    document.getElementById("tk-clock").textContent = pad(h) + ":" + pad(m) + ":" + pad(s);
    var nowMin = h * 60 + m + s / 60;
    var onDay = today === data.day;
    var next = null;
    var warning = null;
    signals.forEach(function (sig) {
      if (!onDay) { return; }
      if (!next && sig.min > nowMin) { next = sig; }
      if (sig.kind === "warning" && nowMin >= sig.min && nowMin < ends[sig.session]) { warning = sig; }
    });
    if (!onDay && today < data.day) { next = signals[0] || null; }
    var nextEl = document.getElementById("tk-next");
    if (next) {
      var left = Math.max(0, Math.round((next.min - nowMin) * 60));
      var countdown = onDay ? " · " + Math.floor(left / 60) + ":" + pad(left % 60) : "";
      nextEl.textContent = T.next + " " + next.at + " " + next.label + countdown;
    } else {
      nextEl.textContent = T.none;
    }
    var warnEl = document.getElementById("tk-warning");
    if (warning) {
      warnEl.hidden = false;
      warnEl.textContent = T.warn(warning.name, Math.ceil(ends[warning.session] - nowMin));
    } else {
      warnEl.hidden = true;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".tk-list tr[data-at]"), function (row) {
      var p = row.getAttribute("data-at").split(":");
      row.classList.toggle("tk-past", onDay && parseInt(p[0], 10) * 60 + parseInt(p[1], 10) <= nowMin);
    });
  }

  document.getElementById("tk-full").addEventListener("click", function () {
    var el = document.getElementById("tk");
    var on = el.classList.toggle("tk-fullscreen");
    if (on && el.requestFullscreen) { el.requestFullscreen().catch(function () {}); }
    if (!on && document.fullscreenElement) { document.exitFullscreen(); }
  });
  document.getElementById("tk-resync").addEventListener("click", sync);
  sync();
  setInterval(sync, 5 * 60000);
  tick();
  setInterval(tick, 250);
})();
