// Binding this phone to a permit with the one-time enrolment code from the
// counter, and removing the binding.

import {forgetDeviceKey} from './device-binding.js';
import {PATHS, messageOf, readJson, request} from './holder-api.js';
import {removeThisPhone} from './phones.js';
import {KEYS, forgetEnrolment, getItem, setItem} from './storage.js';
import {lang, t} from './text.js';

const $ = (id) => document.getElementById(id);
const INSTALL_KEY = 'rp.install';
let waitTimer = null;

/** A random id of this browser, so failed attempts count against this phone, not its network address. */
function installId() {
  let id = getItem(INSTALL_KEY);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    setItem(INSTALL_KEY, id);
  }
  return id;
}

/** Too many wrong codes: the button waits, and the page counts the seconds down. */
function waitBeforeRetry(seconds) {
  const button = $('enrol-submit');
  let left = seconds;
  clearInterval(waitTimer);
  button.disabled = true;
  const show = () => { $('enrol-wait').textContent = t('enrol_wait', left); };
  show();
  waitTimer = setInterval(() => {
    left -= 1;
    if (left > 0) {
      show();
      return;
    }
    clearInterval(waitTimer);
    $('enrol-wait').textContent = '';
    button.disabled = false;
  }, 1000);
}

export function showPanel(name) {
  $('enrol').hidden = name !== 'enrol';
  $('show').hidden = name !== 'show';
}

/** Wire the form; `onEnrolled()` runs once the phone holds a device token. */
export function setUpEnrolment(onEnrolled, onRemoved) {
  $('enrol-form').addEventListener('submit', (event) => {
    event.preventDefault();
    enrol(onEnrolled);
  });
  $('unenrol').addEventListener('click', async () => {
    if (!window.confirm(t('unenrol_confirm'))) return;
    if (!(await removeThisPhone())) {
      $('status').textContent = t('unenrol_failed');
      return;
    }
    onRemoved();
    $('enrol-error').textContent = '';
  });
}

async function enrol(onEnrolled) {
  const code = $('enrol-code').value.trim();
  const label = $('enrol-label').value.trim() || t('enrol_label_default');
  const error = $('enrol-error');
  if (!code) {
    error.textContent = t('enrol_empty');
    return;
  }
  const button = $('enrol-submit');
  button.disabled = true;
  error.textContent = t('enrol_busy');
  try {
    const res = await request(PATHS.enrol, {
      method: 'POST', noAuth: true, headers: {'Content-Type': 'application/json'}, body: JSON.stringify({code, label, install_id: installId()}),
    });
    const body = await readJson(res);
    if (res.status === 429) {
      error.textContent = messageOf(body, lang(), `HTTP ${res.status}`);
      waitBeforeRetry(Math.max(1, parseInt(res.headers.get('Retry-After'), 10) || 60));
      return;
    }
    if (!res.ok || !body || !body.device_token) {
      error.textContent = messageOf(body, lang(), `HTTP ${res.status}`);
      return;
    }
    error.textContent = '';
    $('enrol-code').value = '';
    setItem(KEYS.token, body.device_token);
    onEnrolled();
  } catch (e) {
    error.textContent = t('enrol_network');
  } finally {
    if (!$('enrol-wait').textContent) button.disabled = false;
  }
}

/** The phone is no longer enrolled: forget its token, passes, device key and details; show why. */
export function showUnenrolled(message) {
  forgetEnrolment();
  forgetDeviceKey();
  showPanel('enrol');
  $('enrol-error').textContent = message;
}
