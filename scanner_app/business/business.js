// The business page: sign in with a business key (session.js), read a code
// from the camera (the scanner's camera.js) or typed, pasted or sent by a
// barcode scanner into the text field, ask the service (POST /v1/verify with
// the session) and show what a business may see (verdict.js).

import {api, loadJson} from '/scan/api.js';
import {CameraScanner} from '/scan/camera.js';
import {byId} from '/scan/dom.js';
import {loadLanguage, toggleLanguage} from '/scan/i18n.js';
import {knownReason, loadMessages} from '/scan/reasons.js';
import {trimScanned} from '/lib/wire.js';
import {checkSession, currentBusiness, forgetSession, signOut} from './session.js';
import {setUpSignIn, showSignedIn} from './signin-form.js';
import {applyLanguage, t} from './text.js';
import {hideVerdict, renderVerdict, showVerdict} from './verdict.js';

let camera = null;
let cameraState = 'cameraOff';
let busy = false;

function announce(text) {
  byId('announce').textContent = text;
}

function showScreen(message = '') {
  const business = currentBusiness();
  showSignedIn(business, message);
  if (business) {
    byId('code-input').focus();
  } else {
    hideVerdict();
    stopCamera();
    byId('business-key').focus();
  }
}

async function onSignOut() {
  await signOut();
  showScreen();
}

// --- checking ----------------------------------------------------------------

async function check(text) {
  const code = trimScanned(String(text || ''));
  if (!code || busy || !currentBusiness()) return;
  busy = true;
  byId('code-submit').disabled = true;
  announce(t('checking'));
  try {
    const result = await api('/v1/verify', {method: 'POST', body: {code}, timeout: 10000});
    if (result && (result.status === 401 || result.status === 403)) {
      forgetSession();
      showScreen(t('signedOut'));
      return;
    }
    const body = result && result.data && typeof result.data === 'object' ? result.data : null;
    if (body && typeof body.reason === 'string' && typeof body.valid === 'boolean') {
      showVerdict({...body, reason: knownReason(body.reason) ? body.reason : 'MALFORMED'});
    } else {
      showVerdict({valid: false, reason: 'SERVICE_UNAVAILABLE', claims: null, checked_at: null});
    }
    announce(byId('verdict-title').textContent);
  } finally {
    busy = false;
    byId('code-submit').disabled = false;
  }
}

function onCodeForm(event) {
  event.preventDefault();
  const input = byId('code-input');
  const text = input.value;
  input.value = '';
  if (!text.trim()) {
    announce(t('empty'));
    return;
  }
  check(text);
}

function next() {
  hideVerdict();
  if (camera) camera.rearm();
  byId('code-input').focus();
}

// --- camera --------------------------------------------------------------------

function renderCamera() {
  const on = Boolean(camera && camera.active);
  byId('camera-state').textContent = t(on ? 'cameraOn' : cameraState);
  byId('camera-toggle').textContent = t(on ? 'cameraStop' : 'cameraStart');
  byId('camera').setAttribute('aria-label', t(on ? 'cameraOn' : cameraState));
  document.body.dataset.camera = on ? 'on' : 'off';
}

function startCamera() {
  if (!camera) camera = new CameraScanner(byId('camera'), (text) => check(text));
  camera.start().then(() => { cameraState = 'cameraOn'; }, () => { cameraState = 'cameraError'; }).finally(renderCamera);
}

function stopCamera() {
  if (camera) camera.stop();
  cameraState = 'cameraOff';
  renderCamera();
}

function toggleCamera() {
  if (camera && camera.active) stopCamera();
  else startCamera();
}

// --- start ---------------------------------------------------------------------

function render() {
  applyLanguage('title');
  renderCamera();
  renderVerdict();
  const business = currentBusiness();
  if (!business) byId('signin-error').textContent = '';
}

async function main() {
  loadLanguage();
  loadMessages(await loadJson('/scan/messages.json', null));
  byId('lang-toggle').addEventListener('click', () => {
    toggleLanguage();
    render();
  });
  setUpSignIn((message) => showScreen(message));
  byId('sign-out').addEventListener('click', onSignOut);
  byId('code-form').addEventListener('submit', onCodeForm);
  byId('camera-toggle').addEventListener('click', toggleCamera);
  byId('verdict-next').addEventListener('click', next);
  render();
  await checkSession();
  showScreen();
  document.body.dataset.loaded = 'true';
}

main();
