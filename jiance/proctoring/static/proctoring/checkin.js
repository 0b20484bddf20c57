/* Check-in by camera: the browser's BarcodeDetector (Code 128 student barcodes) fills the code
 * field and submits the form (the offline queue sends it); where the browser has none, the
 * vendored ZXing-based polyfill (static/jiance/vendor/barcode-detector, MIT) served by the
 * platform. Typing or a hand scanner works the same way without a camera. */
(function () {
  "use strict";
  var button = document.getElementById("scan-camera");
  var form = document.getElementById("scan-form");
  var self = document.currentScript && document.currentScript.src;
  if (!button || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var vendor = new URL("../jiance/vendor/barcode-detector/", self || location.href);
  var FORMATS = ["code_128", "qr_code"];
  var detectorPromise = null;
  function makeDetector() {
    var native = "BarcodeDetector" in window
      ? window.BarcodeDetector.getSupportedFormats().then(function (f) {
          return f.indexOf("code_128") >= 0 ? new window.BarcodeDetector({ formats: FORMATS }) : null;
        }).catch(function () { return null; })
      : Promise.resolve(null);
    return native.then(function (d) {
      if (d) { return d; }
      return import(new URL("ponyfill.js", vendor).href).then(function (mod) {
        mod.setZXingModuleOverrides({ locateFile: function (path) { return new URL(path, vendor).href; } });
        return new mod.BarcodeDetector({ formats: FORMATS });
      });
    });
  }
  function detector() {
    if (!detectorPromise) { detectorPromise = makeDetector(); }
    return detectorPromise;
  }
  window.jianceCheckinScanner = { detector: detector };
  button.hidden = false;
  var video = document.getElementById("scan-video");
  var running = false;
  var last = "";
  button.addEventListener("click", function () {
    if (running) { return; }
    var found = null;
    detector().then(function (d) {
      found = d;
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    }).then(function (stream) {
      running = true;
      video.hidden = false;
      video.srcObject = stream;
      video.play();
      var look = function () {
        if (!running) { return; }
        found.detect(video).then(function (codes) {
          if (codes.length && codes[0].rawValue !== last) {
            last = codes[0].rawValue;
            document.getElementById("scan-code").value = last;
            document.getElementById("scan-how").value = "scan";
            form.requestSubmit();
          }
          setTimeout(look, 300);
        }).catch(function () { setTimeout(look, 500); });
      };
      look();
    }).catch(function () { button.hidden = true; });
  });
})();
