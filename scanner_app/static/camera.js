// Continuous QR decoding from the handheld's camera.
//
// Uses the browser's BarcodeDetector where it has one (Android Chrome), else
// jsQR loaded from /vendor/jsQR.js. A camera keeps seeing the same code while
// it is held in front of it, so a decoded text is passed on once and then
// ignored for as long as it stays in view (decoded again within GONE_MS); it
// counts again once it has left the view, or when the app calls rearm() after
// the official dismissed a verdict on purpose.

const GONE_MS = 2500;
const INTERVAL_MS = 90;
const MAX_SIDE = 800;

/** Passes each text once per presentation; see the module comment. */
export class PresentationFilter {
  constructor(goneMs = GONE_MS) {
    this.goneMs = goneMs;
    this.text = null;
    this.seenAt = -Infinity;
  }

  accept(text, t) {
    const same = text === this.text && t - this.seenAt < this.goneMs;
    this.text = text;
    this.seenAt = t;
    return !same;
  }

  rearm() {
    this.text = null;
    this.seenAt = -Infinity;
  }
}

async function makeDetector() {
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const detector = new window.BarcodeDetector({formats: ['qr_code']});
        return {
          name: 'BarcodeDetector',
          decode: async (video) => {
            const found = await detector.detect(video);
            return found.length ? found[0].rawValue : null;
          },
        };
      }
    } catch (e) {
      // fall through to jsQR
    }
  }
  if (typeof window.jsQR !== 'function') return null;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  return {
    name: 'jsQR',
    decode: async (video) => {
      const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
      const w = Math.max(1, Math.round(video.videoWidth * scale));
      const h = Math.max(1, Math.round(video.videoHeight * scale));
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      ctx.drawImage(video, 0, 0, w, h);
      const image = ctx.getImageData(0, 0, w, h);
      const found = window.jsQR(image.data, w, h, {inversionAttempts: 'dontInvert'});
      return found && found.data ? found.data : null;
    },
  };
}

export class CameraScanner {
  /** `onText(text, decodedAt)` is called once per presentation of a code. */
  constructor(video, onText) {
    this.video = video;
    this.onText = onText;
    this.filter = new PresentationFilter();
    this.stream = null;
    this.detector = null;
    this.timer = null;
    this.running = false;
  }

  get active() {
    return this.running;
  }

  async start() {
    if (this.running) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error('no camera API');
    this.detector = this.detector || (await makeDetector());
    if (!this.detector) throw new Error('no QR decoder');
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {facingMode: {ideal: 'environment'}, width: {ideal: 1280}, height: {ideal: 720}},
    });
    this.video.srcObject = this.stream;
    this.video.muted = true;
    this.video.setAttribute('playsinline', '');
    await this.video.play();
    this.running = true;
    this.schedule(0);
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.video.srcObject = null;
  }

  rearm() {
    this.filter.rearm();
  }

  schedule(delay) {
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(() => this.tick(), delay);
  }

  async tick() {
    const started = performance.now();
    try {
      const v = this.video;
      if (v.readyState >= v.HAVE_CURRENT_DATA && v.videoWidth) {
        const text = await this.detector.decode(v);
        const t = performance.now();
        if (text) {
          // How many frames held a code: shows an operator (and a test) that decoding runs.
          v.dataset.decoded = String(Number(v.dataset.decoded || 0) + 1);
          if (this.filter.accept(text, t)) this.onText(text, t);
        }
      }
    } catch (e) {
      // a frame that cannot be read is skipped
    }
    this.schedule(Math.max(10, INTERVAL_MS - (performance.now() - started)));
  }
}
