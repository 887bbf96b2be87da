// Where codes come from: the camera (decoded here) and a keyboard-wedge
// scanner that types the code into a text field and ends it with Enter or
// Tab (scanners are configured either way).

import {CameraScanner} from './camera.js';
import {byId} from './dom.js';
import {t} from './i18n.js';

let camera = null;
let cameraError = null;
let onCode = () => {};
let wanted = () => false;
let movedByKeyboard = false;

/**
 * Set up both inputs: `submit(text, decodedAt)` receives each code;
 * `enabled()` says whether scanning is allowed now (someone is signed in).
 */
export function setUpInputs(submit, enabled) {
  onCode = submit;
  wanted = enabled;
  byId('wedge-form').addEventListener('submit', (event) => {
    event.preventDefault();
    takeWedgeText();
  });
  byId('wedge').addEventListener('keydown', (event) => {
    // A Tab after a code ends the code; an empty field lets Tab move on, so
    // the page stays usable by keyboard.
    if (event.key === 'Tab' && !event.shiftKey && byId('wedge').value.trim()) {
      event.preventDefault();
      takeWedgeText();
    }
  });
  byId('wedge').addEventListener('blur', keepWedgeFocus);
  document.addEventListener('keydown', (event) => { movedByKeyboard = event.key === 'Tab'; }, true);
  document.addEventListener('pointerdown', () => { movedByKeyboard = false; }, true);
}

function takeWedgeText() {
  const input = byId('wedge');
  const text = input.value;
  input.value = '';
  if (text.trim()) onCode(text, performance.now());
}

function keepWedgeFocus() {
  // The wedge types into whatever has focus, so focus comes back to it after
  // a tap elsewhere; not when the official moved on with the keyboard (Tab)
  // or into another field or a dialog.
  setTimeout(() => {
    const active = document.activeElement;
    const elsewhere = active && active !== document.body
      && (movedByKeyboard || active.matches('input, textarea, select, dialog *'));
    if (wanted() && !elsewhere) focusWedge();
  }, 0);
}

export function focusWedge() {
  byId('wedge').focus();
}

export function cameraActive() {
  return Boolean(camera && camera.active);
}

export function renderCameraState() {
  const active = cameraActive();
  byId('camera-state').textContent = active ? t('cameraOn') : cameraError ? t('cameraError') : t('cameraOff');
  byId('camera-toggle').textContent = active ? t('cameraStop') : t('cameraStart');
  document.body.dataset.camera = active ? 'on' : 'off';
}

export function startCamera() {
  if (!camera) camera = new CameraScanner(byId('camera'), (text, at) => onCode(text, at));
  cameraError = null;
  camera.start().catch((e) => {
    cameraError = e;
  }).finally(renderCameraState);
}

export function stopCamera() {
  if (camera) camera.stop();
  renderCameraState();
}

export function toggleCamera() {
  if (cameraActive()) stopCamera();
  else startCamera();
  focusWedge();
}

/** After the official dismissed a verdict: the code still in view counts again. */
export function rearmCamera() {
  if (camera) camera.rearm();
}
