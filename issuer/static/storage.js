// What the phone keeps between visits (localStorage): the device token, the
// offline pass, the last credential details and the language. Private modes
// that refuse storage leave the page working for this visit.

export const KEYS = Object.freeze({
  token: 'rp.device_token', pass: 'rp.pass', devicePass: 'rp.device_pass', credential: 'rp.credential',
});

export function getItem(key) {
  try {
    return localStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

/** Store `value`, or remove the item when it is null. */
export function setItem(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch (e) {
    // private mode: keep working without persistence
  }
}

export function getJson(key) {
  const raw = getItem(key);
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch (e) {
    return null;
  }
}

export function setJson(key, value) {
  setItem(key, value === null ? null : JSON.stringify(value));
}

/** Forget everything tied to the enrolment (the language stays). */
export function forgetEnrolment() {
  for (const key of Object.values(KEYS)) setItem(key, null);
}
