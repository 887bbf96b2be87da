// The issuer's holder API (/v1/holder/...), called with this phone's device
// token and a timeout; error bodies carry a message in both languages.

import {KEYS, getItem} from './storage.js';

export const PATHS = Object.freeze({
  enrol: '/v1/holder/enrol',
  live: '/v1/holder/live',
  pass: '/v1/holder/pass',
  credential: '/v1/holder/credential',
  deviceKey: '/v1/holder/device-key',
  devicePass: '/v1/holder/device-pass',
  devices: '/v1/holder/devices',
  removeDevice: (id) => `/v1/holder/devices/${id}/remove`,
  lost: '/v1/holder/lost',
  checks: '/v1/holder/checks',
});
const TIMEOUT_MS = 5000;

/** fetch() with the device token (unless `noAuth`), no caching and a timeout. */
export async function request(url, {method = 'GET', headers = {}, body, noAuth = false} = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  const token = getItem(KEYS.token);
  const sent = {...headers};
  if (token && !noAuth) sent.Authorization = `Bearer ${token}`;
  try {
    return await fetch(url, {method, headers: sent, body, cache: 'no-store', credentials: 'omit', signal: controller.signal});
  } finally {
    clearTimeout(timer);
  }
}

export function readJson(response) {
  return response.json().catch(() => null);
}

/** The error body's message in language `lang`, or `fallback`. */
export function messageOf(body, lang, fallback) {
  if (body && body.error && body.message) return body.message[lang] || fallback;
  return fallback;
}
