// One scanned text to one verdict: the service's when it can be reached,
// else the handheld's own offline check with the data it holds.

import {api} from './api.js';
import {unverifiedReplayKey, verifyOffline} from './offline-check.js';
import {offlineData} from './offline-data.js';
import {knownReason} from './reasons.js';

export const SIGNED_OUT = 'signed-out';

async function verifyOnline(text) {
  if (!navigator.onLine) return null;
  const result = await api('/v1/verify', {method: 'POST', body: {code: text}});
  if (!result) return null;
  const body = result.data && typeof result.data === 'object' ? result.data : {};
  if (result.status === 200 && typeof body.reason === 'string') return {...body, offline: false};
  if (result.status === 401 || result.status === 403) return SIGNED_OUT;
  const reason = knownReason(body.reason) ? body.reason : 'SERVICE_UNAVAILABLE';
  return {valid: false, reason, mode: body.mode || null, claims: null, offline: false};
}

/**
 * The verdict for `text` at `now` (Unix seconds), or SIGNED_OUT when the
 * service no longer accepts this handheld's session. `replay` remembers live
 * codes this device has accepted; `options` are the service's numbers.
 */
export async function verifyCode(text, now, {replay, options}) {
  const online = await verifyOnline(text);
  if (online === SIGNED_OUT) return SIGNED_OUT;
  if (online === null) {
    const {keyset, statusList} = offlineData();
    return verifyOffline(text, now, {keyset, statusList, replay, options});
  }
  if (online.valid) {
    // The service accepted this live code: remember it here too, so it is a
    // replay if shown again to this device while it is offline.
    const seen = unverifiedReplayKey(text, now, options);
    if (seen) await replay.claim(seen.key, seen.ttl, now).catch(() => {});
  }
  return online;
}
