/* Custody scanner: fills the box/bag code field from the phone camera.
 * The browser's own BarcodeDetector where it exists; otherwise the vendored ZXing-based polyfill
 * (barcode-detector 3.2.2, zxing-wasm 3.1.3, MIT), loaded from this platform — never a CDN.
 * Typing the code always works; without a camera the scan button stays hidden. */
const VENDOR = new URL("../jiance/vendor/barcode-detector/", import.meta.url);
const FORMATS = ["code_128", "qr_code"];
let detectorPromise = null;

async function makeDetector() {
  if ("BarcodeDetector" in window) {
    try {
      const supported = await window.BarcodeDetector.getSupportedFormats();
      if (supported.includes("code_128")) return new window.BarcodeDetector({ formats: FORMATS });
    } catch (e) { /* fall back to the polyfill */ }
  }
  const mod = await import(new URL("ponyfill.js", VENDOR).href);
  mod.setZXingModuleOverrides({ locateFile: (path) => new URL(path, VENDOR).href });
  return new mod.BarcodeDetector({ formats: FORMATS });
}

function detector() {
  if (!detectorPromise) detectorPromise = makeDetector();
  return detectorPromise;
}

async function scanInto(form) {
  const input = form.querySelector("[name=code]");
  const video = form.querySelector("[data-scan-video]");
  const status = form.querySelector("[data-scan-status]");
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (e) {
    status.textContent = "无法打开摄像头，请手工输入编号。";
    return;
  }
  video.hidden = false;
  video.srcObject = stream;
  await video.play();
  status.textContent = "对准箱体或卷袋上的条码……";
  const found = await new Promise((resolve) => {
    const started = Date.now();
    const tick = async () => {
      if (Date.now() - started > 30000) return resolve("");
      try {
        const codes = await (await detector()).detect(video);
        if (codes.length) return resolve(codes[0].rawValue);
      } catch (e) { /* a frame not ready yet */ }
      setTimeout(tick, 250);
    };
    tick();
  });
  stream.getTracks().forEach((t) => t.stop());
  video.hidden = true;
  if (found) {
    input.value = found.trim().toUpperCase();
    status.textContent = "已识别：" + input.value;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  } else {
    status.textContent = "未识别到条码，请手工输入编号。";
  }
}

function showFieldsFor(form) {
  const step = form.querySelector("[name=step]").value;
  form.querySelectorAll("[data-for]").forEach((el) => {
    el.hidden = !el.dataset.for.split(" ").includes(step);
  });
}

function init() {
  document.querySelectorAll("#scan-form").forEach((form) => {
    const select = form.querySelector("[name=step]");
    select.addEventListener("change", () => showFieldsFor(form));
    showFieldsFor(form);
    const button = form.querySelector("[data-scan-button]");
    if (button && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      button.hidden = false;
      button.addEventListener("click", () => scanInto(form));
    }
  });
  // for checks (and the browser test): build the detector without a camera
  window.jianceScanner = { detector };
  document.documentElement.dataset.scanner = "ready";
}

init();
