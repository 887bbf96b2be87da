// Adds the permit to this phone from the signed-in account: trades the one-time
// enrolment code shown on the page for a device token (the holder API), keeps the
// token where the holder page looks for it, and opens the holder page. Without
// JavaScript the code stays on screen to be typed into the holder page.
import {KEYS, setItem} from '/holder/static/storage.js';

const el = document.getElementById('enrol-code');
if (el) {
  fetch('/v1/holder/enrol', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({code: el.dataset.code, label: '手机 phone'}),
  }).then(async (res) => {
    const body = await res.json();
    if (!res.ok || !body.device_token) return;
    setItem(KEYS.token, body.device_token);
    window.location.assign('/holder/');
  }).catch(() => { /* the code stays visible for manual entry */ });
}
