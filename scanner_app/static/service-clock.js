// How far this handheld's clock is from the service's, measured against
// GET /v1/time (half the round trip counted each way) and kept on the device.
// Every check reads the time through serviceNow(), so a handheld whose clock
// is off still judges a code's age as the service would, offline too.

import {api} from './api.js';

const STORE_KEY = 'clock';
let offset = null;
let store = null;

/** Seconds to add to this device's clock to get the service's (negative: this clock is fast); null before any measurement. */
export function clockOffset() {
  return offset;
}

/** This device's clock, in Unix seconds. */
export function deviceNow() {
  return Date.now() / 1000;
}

/** The service's time as best known here: the device's clock corrected by the measured offset. */
export function serviceNow() {
  return deviceNow() + (offset ?? 0);
}

/** The offset measured on an earlier visit, for checks made before the service can be asked. */
export async function loadClock(deviceStore) {
  store = deviceStore;
  const saved = await store.get(STORE_KEY);
  if (saved && typeof saved.offset === 'number' && Number.isFinite(saved.offset)) offset = saved.offset;
}

/** Measure the offset again; false when the service could not be asked. */
export async function measureClock() {
  const before = Date.now();
  const result = await api('/v1/time', {timeout: 5000});
  const after = Date.now();
  if (!result || result.status !== 200 || !result.data || typeof result.data.now !== 'number' || result.cached) return false;
  offset = result.data.now - (before + after) / 2000;
  if (store) await store.set(STORE_KEY, {offset, measured_at: after / 1000}).catch(() => {});
  return true;
}
