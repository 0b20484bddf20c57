/* The student's recording page: a headset check (level meter, a 3-second test played back), then
   each task: preparation countdown, recording with MediaRecorder (Opus in WebM, or MP4/AAC where
   only that is offered) up to the time limit. Every recording is kept in IndexedDB under its
   SHA-256 until the server acknowledged it (a PUT to …/upload/<task>/<sha256>/: 201 new, 200 the
   same bytes again, both after the commit); a reload or a network loss sends it again later. */
(function () {
  "use strict";
  var root = document.getElementById("recorder");
  if (!root || !window.JianceIdb) return;
  var T = JSON.parse(document.getElementById("rec-text").textContent);
  var key = root.dataset.delivery, writable = root.dataset.writable === "1";
  var stream = null, sending = false;
  var headsetKey = "jiance-rec-headset-" + key;

  function csrf() { var el = root.querySelector("input[name=csrfmiddlewaretoken]"); return el ? el.value : ""; }
  function mimeType() {
    if (!window.MediaRecorder) return null;
    var types = ["audio/webm;codecs=opus", "audio/webm", "audio/mp4", "audio/ogg;codecs=opus"];
    for (var i = 0; i < types.length; i++) if (MediaRecorder.isTypeSupported(types[i])) return types[i];
    return "";
  }
  function microphone() {
    if (stream) return Promise.resolve(stream);
    return navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } })
      .then(function (s) { stream = s; return s; });
  }
  function recorder(s) { var t = mimeType(); return t ? new MediaRecorder(s, { mimeType: t }) : new MediaRecorder(s); }
  function record(seconds, onTick) {
    /* record up to `seconds`; resolves with the Blob; returns {done, stop} */
    var chunks = [], rec, timer, left = seconds, stopFn;
    var done = microphone().then(function (s) {
      return new Promise(function (resolve) {
        rec = recorder(s);
        rec.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
        rec.onstop = function () { clearInterval(timer); resolve(new Blob(chunks, { type: rec.mimeType || "audio/webm" })); };
        rec.start(1000);
        if (onTick) onTick(left);
        timer = setInterval(function () { left -= 1; if (onTick) onTick(left); if (left <= 0) stopFn(); }, 1000);
      });
    });
    stopFn = function () { if (rec && rec.state !== "inactive") rec.stop(); };
    return { done: done, stop: stopFn };
  }

  /* --- headset check --- */
  var levelEl = document.getElementById("level"), hsStatus = document.getElementById("headset-status");
  var tasksEl = document.getElementById("tasks"), okBtn = document.getElementById("headset-ok");
  var Ctx = window.AudioContext || window.webkitAudioContext, audioCtx = null;
  function meter(s) {
    if (!audioCtx) return;
    var ctx = audioCtx, src = ctx.createMediaStreamSource(s), an = ctx.createAnalyser();
    an.fftSize = 1024; src.connect(an);
    var buf = new Float32Array(an.fftSize);
    (function tick() {
      an.getFloatTimeDomainData(buf);
      var sum = 0; for (var i = 0; i < buf.length; i++) sum += buf[i] * buf[i];
      var rms = Math.sqrt(sum / buf.length);
      levelEl.value = Math.min(1, rms * 4);
      if (rms > 0.01) levelEl.dataset.heard = "1";
      document.getElementById("level-text").textContent = Math.round(20 * Math.log10(Math.max(rms, 1e-6))) + " dB";
      requestAnimationFrame(tick);
    })();
  }
  function showTasks() { tasksEl.hidden = false; document.getElementById("headset").classList.add("rec-done"); }
  if (sessionStorage.getItem(headsetKey) === "1") showTasks();
  document.getElementById("headset-start").addEventListener("click", function () {
    hsStatus.textContent = T.testing;
    /* made in the click itself: a context made later may stay suspended (autoplay rules) */
    if (Ctx && !audioCtx) { audioCtx = new Ctx(); audioCtx.resume(); }
    microphone().then(function (s) {
      meter(s);
      var r = record(3);
      return r.done;
    }).then(function (blob) {
      var audio = document.getElementById("headset-playback");
      audio.src = URL.createObjectURL(blob); audio.hidden = false;
      audio.play().catch(function () {});
      hsStatus.textContent = T.listen; okBtn.disabled = false;
    }).catch(function () { hsStatus.textContent = T.no_mic; });
  });
  okBtn.addEventListener("click", function () { sessionStorage.setItem(headsetKey, "1"); hsStatus.textContent = T.ok; showTasks(); });

  /* --- the kept recordings (IndexedDB) --- */
  var kept = JianceIdb.store("jiance-recordings", "recordings", "id", "delivery");  // jiance/static/jiance/idb.js
  function hex(buf) { return Array.prototype.map.call(new Uint8Array(buf), function (x) { return (x + 256).toString(16).slice(1); }).join(""); }

  function section(task) { return root.querySelector('.rec-task[data-task="' + task + '"]'); }
  function say(sec, state, text) {
    var el = sec.querySelector("[data-state-text]");
    el.className = "rec-state rec-" + state; el.textContent = text;
    sec.dataset.state = state;
  }
  function showResult(sec, r) {
    sec.dataset.used = String(r.attempt);
    var left = parseInt(sec.dataset.attempts, 10) - r.attempt;
    sec.querySelector("[data-attempts-text]").textContent = T.used.replace("{u}", r.attempt).replace("{a}", sec.dataset.attempts);
    var text = r.label + (r.problems.length ? "：" + r.problems.join("；") : "");
    if (r.state === "failed") text += left > 0 ? " " + T.again : " " + T.none_left;
    say(sec, r.state, text);
    sec.querySelector("[data-begin]").disabled = !writable || r.state === "checked" || left <= 0;
  }
  function send() {
    if (sending) return Promise.resolve();
    sending = true;
    return kept.all(key).then(function (items) {
      return items.reduce(function (p, item) {
        return p.then(function () {
          var sec = section(item.task);
          if (!sec) return null;
          var url = sec.dataset.uploadUrl.replace(/0{64}\/$/, item.sha + "/");
          return fetch(url, { method: "PUT", body: item.blob, credentials: "same-origin",
                              headers: { "Content-Type": item.type, "X-CSRFToken": csrf() } })
            .then(function (resp) {
              return resp.json().then(function (body) {
                if (resp.status === 200 || resp.status === 201) {
                  showResult(sec, body);
                  return kept.drop(item.id);
                }
                if (resp.status === 422 || resp.status === 413) {  /* refused for good: say why, drop it */
                  say(sec, "failed", body.refused || "");
                  return kept.drop(item.id);
                }
                say(sec, "recorded", body.refused || T.kept);  /* signed out or stale PC: keep it */
              });
            });
        });
      }, Promise.resolve());
    }).catch(function () {
      root.querySelectorAll('.rec-task[data-state="recorded"]').forEach(function (sec) { say(sec, "recorded", T.kept); });
    }).then(function () { sending = false; });
  }
  function keep(task, blob) {
    return blob.arrayBuffer().then(function (buf) { return crypto.subtle.digest("SHA-256", buf); }).then(function (d) {
      var sha = hex(d), item = { id: key + "/" + task + "/" + sha, delivery: key, task: task, sha: sha, type: blob.type, blob: blob, at: Date.now() };
      return kept.put(item).then(function () { return item; });
    });
  }

  /* --- a task: prepare, record, keep, send --- */
  root.querySelectorAll(".rec-task").forEach(function (sec) {
    var begin = sec.querySelector("[data-begin]"), now = sec.querySelector("[data-record]"), stop = sec.querySelector("[data-stop]");
    var clock = sec.querySelector("[data-clock]"), prepTimer = null, current = null;
    function startRecording() {
      clearInterval(prepTimer); now.hidden = true; stop.hidden = false;
      current = record(parseInt(sec.dataset.max, 10), function (left) { clock.textContent = T.rec + " " + left; });
      current.done.then(function (blob) {
        stop.hidden = true; clock.textContent = "";
        return keep(sec.dataset.task, blob);
      }).then(function (item) {
        say(sec, "recorded", T.sending);
        var body = new FormData(); body.append("sha256", item.sha);
        return fetch(sec.dataset.markUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf() } })
          .catch(function () {}).then(send);
      }).catch(function () { say(sec, "not_started", T.no_mic); begin.disabled = false; stop.hidden = true; });
    }
    begin.addEventListener("click", function () {
      begin.disabled = true;
      var left = parseInt(sec.dataset.prep, 10);
      microphone().then(function () {
        if (left <= 0) { startRecording(); return; }
        now.hidden = false; clock.textContent = T.prep + " " + left;
        prepTimer = setInterval(function () {
          left -= 1; clock.textContent = T.prep + " " + left;
          if (left <= 0) startRecording();
        }, 1000);
      }).catch(function () { say(sec, "not_started", T.no_mic); begin.disabled = false; });
    });
    now.addEventListener("click", startRecording);
    stop.addEventListener("click", function () { if (current) current.stop(); });
  });

  send();
  window.addEventListener("online", send);
  setInterval(send, 15000);
})();
