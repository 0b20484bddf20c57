/* Check-in by camera: the browser's BarcodeDetector (Code 128 student barcodes) fills the code
 * field and submits the form (the offline queue sends it); typing or a hand scanner works the
 * same way without it. The button is shown only where the detector exists. */
(function () {
  "use strict";
  var button = document.getElementById("scan-camera");
  var form = document.getElementById("scan-form");
  if (!button || !form || !("BarcodeDetector" in window)) { return; }
  button.hidden = false;
  var video = document.getElementById("scan-video");
  var running = false;
  var last = "";
  button.addEventListener("click", function () {
    if (running) { return; }
    var detector = new window.BarcodeDetector({ formats: ["code_128", "qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      running = true;
      video.hidden = false;
      video.srcObject = stream;
      video.play();
      var look = function () {
        if (!running) { return; }
        detector.detect(video).then(function (codes) {
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
