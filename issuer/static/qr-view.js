// Drawing the code: a QR (error level M, alphanumeric mode, drawn by the
// qrcode-generator library at /vendor/qrcode.js) or a message in its place.

import {t} from './text.js';

const el = () => document.getElementById('qr');

/** Draw `text`; `mode` is "live" or "pass" (an offline pass with its one-time code). */
export function renderQR(text, mode) {
  const qr = window.qrcode(0, 'M');
  qr.addData(text, 'Alphanumeric');
  qr.make();
  const box = el();
  box.innerHTML = qr.createSvgTag({cellSize: 4, margin: 16, scalable: true});
  box.classList.remove('empty');
  box.dataset.code = text;
  box.dataset.mode = mode;
  box.setAttribute('aria-label', mode === 'pass' ? t('qr_offline') : t('qr_live'));
  document.getElementById('qr-message').hidden = true;
}

/** No code: show `message` instead (or nothing). */
export function clearQR(message = '') {
  const box = el();
  box.innerHTML = '';
  box.classList.add('empty');
  delete box.dataset.code;
  box.dataset.mode = 'none';
  const msg = document.getElementById('qr-message');
  msg.textContent = message;
  msg.hidden = !message;
}

/** The label of the code area in the current language, for the code now shown. */
export function relabelQR() {
  const box = el();
  box.setAttribute('aria-label', box.dataset.mode === 'pass' ? t('qr_offline') : t('qr_live'));
}
