// Binding this phone to a permit with the one-time enrolment code from the
// counter, and removing the binding.

import {forgetDeviceKey} from './device-binding.js';
import {PATHS, messageOf, readJson, request} from './holder-api.js';
import {KEYS, forgetEnrolment, setItem} from './storage.js';
import {lang, t} from './text.js';

const $ = (id) => document.getElementById(id);

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
  $('unenrol').addEventListener('click', () => {
    if (!window.confirm(t('unenrol_confirm'))) return;
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
      method: 'POST', noAuth: true, headers: {'Content-Type': 'application/json'}, body: JSON.stringify({code, label}),
    });
    const body = await readJson(res);
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
    button.disabled = false;
  }
}

/** The phone is no longer enrolled: forget its token, passes, device key and details; show why. */
export function showUnenrolled(message) {
  forgetEnrolment();
  forgetDeviceKey();
  showPanel('enrol');
  $('enrol-error').textContent = message;
}
