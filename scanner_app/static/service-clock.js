// How far this handheld's clock is from the service's, measured against
// GET /v1/time (half the round trip counted each way). Offline checks read
// the time through serviceNow(), so a handheld whose clock is off still
// judges a code's age as the service would.

import {api} from './api.js';

let offset = null;

/** Seconds to add to this device's clock to get the service's; null before the first measurement. */
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

/** Measure the offset again; false when the service could not be asked. */
export async function measureClock() {
  const before = Date.now();
  const result = await api('/v1/time', {timeout: 5000});
  const after = Date.now();
  if (!result || result.status !== 200 || !result.data || typeof result.data.now !== 'number' || result.cached) return false;
  offset = result.data.now - (before + after) / 2000;
  return true;
}
