// Drawing the code: a QR (error level M, alphanumeric mode, drawn by the
// qrcode-generator library at /vendor/qrcode.js) or a message in its place.

import {t} from './text.js';

const el = () => document.getElementById('qr');

const LABELS = {pass: 'qr_offline', device: 'qr_device'};
// Which offline mode is shown, in words: the one-time-code pass is the weaker one.
const MODE_NOTES = {pass: 'mode_weaker', device: 'mode_device'};

function noteOfflineMode(mode) {
  const note = document.getElementById('offline-mode');
  note.dataset.mode = MODE_NOTES[mode] ? mode : 'none';
  note.textContent = MODE_NOTES[mode] ? t(MODE_NOTES[mode]) : '';
}

/**
 * Draw `text`; `mode` is "live", "device" (a device-bound pass with its step
 * signed by this phone's key) or "pass" (an offline pass with its one-time code).
 */
export function renderQR(text, mode) {
  const box = el();
  drawQR(box, text);
  box.dataset.mode = mode;
  box.setAttribute('aria-label', t(LABELS[mode] || 'qr_live'));
  noteOfflineMode(mode);
  document.getElementById('qr-message').hidden = true;
}

/** Draw `text` as a QR in `box` (the holder's code, or the one shown to a business), marked with it. */
export function drawQR(box, text) {
  const qr = window.qrcode(0, 'M');
  qr.addData(text, 'Alphanumeric');
  qr.make();
  box.innerHTML = qr.createSvgTag({cellSize: 4, margin: 16, scalable: true});
  box.classList.remove('empty');
  box.dataset.code = text;
}

/** No code: show `message` instead (or nothing). */
export function clearQR(message = '') {
  const box = el();
  box.innerHTML = '';
  box.classList.add('empty');
  delete box.dataset.code;
  box.dataset.mode = 'none';
  noteOfflineMode('none');
  const msg = document.getElementById('qr-message');
  msg.textContent = message;
  msg.hidden = !message;
}

/** The label of the code area in the current language, for the code now shown. */
export function relabelQR() {
  const box = el();
  box.setAttribute('aria-label', t(LABELS[box.dataset.mode] || 'qr_live'));
  noteOfflineMode(box.dataset.mode);
}
