// Camera scanning: frames of a getUserMedia video, read by zxing-wasm served by this origin.

const FRAME_INTERVAL_MS = 120;
const MAX_WIDTH = 1280;
// A code held in view is read once; it counts again only after this long out of view.
const SEEN_AGAIN_MS = 2500;
const READER_OPTIONS = { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 4 };

let readerPromise = null;

/** Load the QR reader once, pointing it at the .wasm file this origin serves. */
function loadReader(moduleUrl, wasmUrl) {
  if (readerPromise === null) {
    readerPromise = import(moduleUrl).then(async (zxing) => {
      const overrides = {
        locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasmUrl : prefix + path),
      };
      await zxing.prepareZXingModule({ overrides, fireImmediately: true });
      return zxing;
    });
    readerPromise.catch(() => { readerPromise = null; });
  }
  return readerPromise;
}

/** The camera and its scanning loop; reports codes and state changes to callbacks. */
export class Camera {
  constructor(video, settings, { onCode, onState }) {
    this.video = video;
    this.moduleUrl = settings.zxing;
    this.wasmUrl = settings.zxing_wasm;
    this.onCode = onCode;
    this.onState = onState;
    this.stream = null;
    this.timer = null;
    this.seen = new Map();
    this.canvas = document.createElement("canvas");
    this.context2d = this.canvas.getContext("2d", { willReadFrequently: true });
  }

  /** Tell whether this origin serves a QR reader at all. */
  get available() {
    return Boolean(this.moduleUrl && this.wasmUrl);
  }

  get running() {
    return this.stream !== null;
  }

  /** Ask for the camera, load the reader and start reading frames. */
  async start() {
    if (!this.available) {
      this.onState("missing");
      return;
    }
    if (this.running) return;
    this.onState("starting");
    try {
      if (!navigator.mediaDevices?.getUserMedia) {
        throw new Error("this browser gives no camera here (it needs https or localhost)");
      }
      const [zxing, stream] = await Promise.all([
        loadReader(this.moduleUrl, this.wasmUrl),
        navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 },
                   height: { ideal: 720 } },
        }),
      ]);
      this.zxing = zxing;
      this.stream = stream;
      this.video.srcObject = stream;
      this.video.hidden = false;
      await this.video.play();
      this.onState("on");
      this.schedule();
    } catch (error) {
      this.stop();
      this.onState("failed", error?.message || String(error));
    }
  }

  /** Stop reading and release the camera. */
  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stream) {
      for (const track of this.stream.getTracks()) track.stop();
    }
    this.stream = null;
    this.video.srcObject = null;
    this.video.hidden = true;
    this.onState("off");
  }

  schedule() {
    this.timer = setTimeout(() => this.tick(), FRAME_INTERVAL_MS);
  }

  async tick() {
    if (!this.running) return;
    try {
      const texts = await this.readFrame();
      const now = performance.now();
      for (const text of texts) {
        const before = this.seen.get(text);
        this.seen.set(text, now);
        if (before === undefined || now - before > SEEN_AGAIN_MS) this.onCode(text);
      }
      for (const [text, at] of this.seen) {
        if (now - at > 10 * SEEN_AGAIN_MS) this.seen.delete(text);
      }
    } catch (error) {
      console.warn("camera frame not read", error);
    }
    if (this.running) this.schedule();
  }

  async readFrame() {
    const { videoWidth: width, videoHeight: height } = this.video;
    if (!width || !height || this.video.readyState < 2) return [];
    const scale = Math.min(1, MAX_WIDTH / width);
    this.canvas.width = Math.round(width * scale);
    this.canvas.height = Math.round(height * scale);
    this.context2d.drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
    const image = this.context2d.getImageData(0, 0, this.canvas.width, this.canvas.height);
    const results = await this.zxing.readBarcodes(image, READER_OPTIONS);
    return results.filter((r) => r.isValid && r.text).map((r) => r.text);
  }
}
