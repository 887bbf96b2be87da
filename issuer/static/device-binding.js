// The device-bound offline code: a key pair that only this browser holds.
//
// At enrolment (or on the first visit of a phone enrolled before) the page asks
// WebCrypto for a non-extractable key pair, Ed25519 where the browser has it,
// else ECDSA P-256, keeps it in IndexedDB (a CryptoKey is stored as is; its
// private half can never be read out, not even by this page) and registers the
// public half with the issuer. Offline, it shows the issuer's device pass with
// the current time step signed by that key, which any verifier checks with the
// public key set alone. A browser that can create neither key keeps the
// one-time-code pass (offline-pass.js), which the page labels the weaker mode.

import {b64uDecode, b64uEncode} from '/lib/bytes.js';
import {ALGS, keyField, signWithDeviceKey} from '/lib/device-key.js';
import {stepAt, stepEnd} from '/lib/timesteps.js';
import {deviceKeyOf, deviceStepMessage, deviceText} from '/lib/wire.js';

const DB_NAME = 'permit-holder';
const STORE = 'device-key';
const KEY_ID = 'current';
const ATTEMPTS = [
  [ALGS.ED25519, {name: 'Ed25519'}],
  [ALGS.P256, {name: 'ECDSA', namedCurve: 'P-256'}],
];

function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function openDb() {
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE);
  return done(req);
}

async function withStore(mode, fn) {
  const db = await openDb();
  try {
    const tx = db.transaction(STORE, mode);
    const result = await done(fn(tx.objectStore(STORE)));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  } finally {
    db.close();
  }
}

/** The key pair this browser holds: {alg, privateKey, publicKey, field, registered}, or null. */
export async function loadDeviceKey() {
  try {
    return (await withStore('readonly', (s) => s.get(KEY_ID))) || null;
  } catch (e) {
    return null;
  }
}

async function saveDeviceKey(record) {
  await withStore('readwrite', (s) => s.put(record, KEY_ID));
}

/** Forget the key pair (the phone was removed or unenrolled): a new enrolment makes a new one. */
export async function forgetDeviceKey() {
  try {
    await withStore('readwrite', (s) => s.delete(KEY_ID));
  } catch (e) {
    // nothing stored
  }
}

/**
 * A new non-extractable key pair, the first algorithm this browser offers; null
 * when it offers none (then the page stays with the one-time-code pass).
 */
export async function createDeviceKey() {
  for (const [alg, params] of ATTEMPTS) {
    try {
      const pair = await crypto.subtle.generateKey(params, false, ['sign', 'verify']);
      const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
      const record = {alg, privateKey: pair.privateKey, publicKey: pair.publicKey, raw, field: keyField(alg, raw), registered: false};
      await saveDeviceKey(record);
      return record;
    } catch (e) {
      // not offered here (or storage refused): try the next algorithm
    }
  }
  return null;
}

/**
 * Make sure this phone holds a key registered with the issuer; returns the key
 * or null (no key possible, or not registered yet: retried on the next visit).
 * `post(path, body)` sends an authenticated JSON request and returns a Response.
 */
export async function ensureRegisteredKey(post) {
  let key = await loadDeviceKey();
  if (!key) key = await createDeviceKey();
  if (!key) return null;
  if (key.registered) return key;
  try {
    const res = await post({alg: key.alg, public_key: b64uEncode(key.raw)});
    if (!res.ok) return null;
  } catch (e) {
    return null;
  }
  key.registered = true;
  await saveDeviceKey(key);
  return key;
}

/** Whether a device pass (as /v1/holder/device-pass sends it) can be shown at `now` with `key`. */
export function devicePassUsable(pass, key, now) {
  if (!(pass && pass.pass && key && now >= pass.not_before - pass.period && now <= pass.not_after)) return false;
  let field;
  try {
    field = deviceKeyOf(b64uDecode(pass.pass));
  } catch (e) {
    return false;  // a pass of a wire version this page cannot read
  }
  return field.length === key.field.length && field.every((b, i) => b === key.field[i]);  // a pass for an earlier key is of no use
}

/** Whether to fetch a new device pass: none yet, or past the issuer's renewal time. */
export function devicePassDue(pass, now) {
  return !pass || now >= (pass.renew_after ?? pass.not_before + (pass.not_after - pass.not_before) / 2);
}

/** {text, expiresAt}: the device-bound code at `now`, its step signed by this phone's key. */
export async function deviceCodeAt(pass, key, now) {
  const signed = b64uDecode(pass.pass);
  const step = stepAt(now, pass.period);
  const signature = await signWithDeviceKey(key.alg, key.privateKey, deviceStepMessage(signed, step));
  return {text: deviceText(signed, step, signature), expiresAt: stepEnd(step, pass.period)};
}
