// The offline verdict for one scanned text, with the key set and status list
// the handheld holds: the check order of verifier/core.py, so an offline
// verdict agrees with the one the service would give. Pure: no DOM, no
// storage, no clock of its own (every check takes `now` in Unix seconds).

import {keyValidAt, verifyEd25519} from './keyset.js';
import {STATUS, statusAt} from './status-list.js';
import {concatBytes, fromHex, toHex} from '/lib/bytes.js';
import {verifyDeviceSignature} from '/lib/device-key.js';
import {beijingDay, stepAt} from '/lib/timesteps.js';
import {
  CredentialError, MODE, MODE_NAMES, claimsOffset, decodeClaims, deviceReplayKey, deviceStepMessage, mintedReplayKey,
  unverifiedSplit, unverifiedTimeFields,
} from '/lib/wire.js';

export const DEFAULT_OPTIONS = Object.freeze({
  skew_steps: 1,
  paper_future_tolerance_s: 300,
  offline_max_status_age_s: 24 * 3600,
});

/** How bad a status is (a status this page does not know counts as revoked, the worst). */
const SEVERITY = {[STATUS.ACTIVE]: 0, [STATUS.SUSPENDED]: 1, [STATUS.SUPERSEDED]: 2};

/** Of two statuses, the one that refuses more firmly. */
function worseStatus(a, b) {
  const rank = (s) => SEVERITY[s] ?? 3;
  return rank(b) > rank(a) ? b : a;
}

function checkWindow(step, nowStep, skew) {
  if (step < nowStep - skew) throw new CredentialError('STALE');
  if (step > nowStep + skew) throw new CredentialError('NOT_YET_VALID');
}

/** A pass's hours, then the step of its trailer (its low 16 bits, the step nearest ours) within the skew. */
function passWindow(fields, now, skew) {
  if (fields.period === 0) throw new CredentialError('MALFORMED', 'period');
  if (now < fields.notBefore - skew * fields.period) throw new CredentialError('NOT_YET_VALID');
  if (now > fields.notBefore + fields.hours * 3600) throw new CredentialError('STALE');
  const nowStep = stepAt(now, fields.period);
  const step = nowStep + ((((fields.stepLow - nowStep + 0x8000) % 0x10000) + 0x10000) % 0x10000) - 0x8000;
  checkWindow(step, nowStep, skew);
  return step;
}

/** Per mode: its time window, and the step it was shown at (null when it has none). */
const TIME_CHECKS = {
  [MODE.MINTED](fields, now, skew) {
    if (fields.period === 0) throw new CredentialError('MALFORMED', 'period');
    checkWindow(fields.step, stepAt(now, fields.period), skew);
    return fields.step;
  },
  [MODE.PASS]: passWindow,
  [MODE.DEVICE]: passWindow,
  [MODE.PAPER](fields, now, skew, options) {
    const tolerance = options.paper_future_tolerance_s ?? DEFAULT_OPTIONS.paper_future_tolerance_s;
    if (now < fields.issuedAt - tolerance) throw new CredentialError('NOT_YET_VALID');
    if (now > fields.notAfter) throw new CredentialError('CREDENTIAL_EXPIRED');
    return null;
  },
};

/**
 * Everything that needs no store (verifier.core.check_signed without a
 * rotation secret): split, key lookup, time window, key validity, signature,
 * claims, credential expiry. Returns {mode, claims, replayKey, replayTtl,
 * livenessUnverifiable}; throws CredentialError.
 */
export async function checkSigned(text, now, keyset, options = DEFAULT_OPTIONS) {
  const split = unverifiedSplit(text);
  const key = keyset ? keyset.keys.get(split.kidHex) : undefined;
  if (!key) throw new CredentialError('UNKNOWN_KEY');
  const checkTime = TIME_CHECKS[split.mode];
  if (!checkTime) throw new CredentialError('MALFORMED', 'mode not checked offline');
  const skew = options.skew_steps ?? DEFAULT_OPTIONS.skew_steps;
  const fields = unverifiedTimeFields(split);
  const step = checkTime(fields, now, skew, options);
  if (!keyValidAt(key, now)) throw new CredentialError('KEY_NOT_VALID_AT_TIME');
  if (!(await verifyEd25519(key.cryptoKey, split.signature, split.signed))) throw new CredentialError('BAD_SIGNATURE');
  const claims = decodeClaims(split.signed, claimsOffset(split.mode, split.version), split.version);
  if (claims.validUntilDays < beijingDay(now)) throw new CredentialError('CREDENTIAL_EXPIRED');
  let replayKey = null;
  let replayTtl = 0;
  let passRef = null;
  if (split.mode === MODE.MINTED) {
    replayKey = mintedReplayKey(split);
    replayTtl = (step + skew + 1) * fields.period - now + 1;
  } else if (split.mode === MODE.DEVICE) {
    const message = deviceStepMessage(concatBytes(split.signed, split.signature), step);
    if (!(await verifyDeviceSignature(fields.deviceKey, fields.deviceSignature, message))) {
      throw new CredentialError('BAD_DEVICE_SIGNATURE');
    }
    replayKey = deviceReplayKey(split, step);
    replayTtl = (step + skew + 1) * fields.period - now + 1;
    passRef = fields.passRef;
  }
  return {mode: split.mode, claims, replayKey, replayTtl, livenessUnverifiable: split.mode === MODE.PASS, passRef};
}

/**
 * The replay key and how long to remember it, for a code whose verdict came
 * from the service: only a live code has one. Null when the text is not one.
 */
export function unverifiedReplayKey(text, now, options = DEFAULT_OPTIONS) {
  try {
    const split = unverifiedSplit(text);
    if (split.mode !== MODE.MINTED) return null;
    const fields = unverifiedTimeFields(split);
    const skew = options.skew_steps ?? DEFAULT_OPTIONS.skew_steps;
    return {key: mintedReplayKey(split), ttl: Math.max(1, (fields.step + skew + 1) * fields.period - now + 1)};
  } catch (e) {
    return null;
  }
}

/**
 * What a handheld official sees of the claims: the fields and shape the service
 * sends an official (verifier/disclosure.py), district and permit type by code.
 */
export function visibleClaims(claims) {
  return {
    name: claims.name,
    id_number_masked: '*'.repeat(14) + claims.idTail,
    id_tail: claims.idTail,
    district: {code: claims.district},
    permit_type: {code: claims.permitType},
    valid_until: claims.validUntil,
  };
}

function verdict(valid, reason, now, checked, statusAge) {
  return {
    valid,
    reason,
    mode: checked ? MODE_NAMES[checked.mode] : null,
    claims: checked ? visibleClaims(checked.claims) : null,
    checked_at: new Date(now * 1000).toISOString(),
    status_age_s: statusAge,
    requires_id_check: Boolean(checked && checked.mode === MODE.PAPER),
    offline: true,
    ref_hex: checked ? toHex(checked.claims.refBytes) : null,
  };
}

/**
 * The offline verdict for one scanned text, in the shape the service answers
 * plus `offline: true` and `ref_hex` (for the scan record's hash only; never
 * shown). `statusList` may be null (then STATUS_STALE); `replay` is
 * {claim(key, ttl, now) -> bool}. Never throws for any text.
 */
export async function verifyOffline(text, now, {keyset, statusList, replay, options = DEFAULT_OPTIONS}) {
  const statusAge = statusList ? Math.max(0, now - statusList.issuedAt) : null;
  let checked;
  try {
    checked = await checkSigned(text, now, keyset, options);
  } catch (e) {
    return verdict(false, e instanceof CredentialError ? e.reason : 'MALFORMED', now, null, statusAge);
  }
  try {
    const maxAge = options.offline_max_status_age_s ?? DEFAULT_OPTIONS.offline_max_status_age_s;
    if (!statusList || statusAge > maxAge) throw new CredentialError('STATUS_STALE');
    // A device pass takes the worse of its credential's status and its own (a removed phone).
    const status = worseStatus(
      statusAt(statusList, checked.claims.ref), checked.passRef === null ? STATUS.ACTIVE : statusAt(statusList, checked.passRef),
    );
    // As the service: anything but active or suspended refuses (a status this
    // page does not know included), never passes.
    if (status === STATUS.SUSPENDED) throw new CredentialError('SUSPENDED');
    if (status === STATUS.SUPERSEDED) throw new CredentialError('SUPERSEDED');
    if (status !== STATUS.ACTIVE) throw new CredentialError('REVOKED');
    if (checked.livenessUnverifiable) throw new CredentialError('LIVENESS_UNVERIFIABLE');
    if (checked.replayKey !== null && !(await replay.claim(checked.replayKey, checked.replayTtl, now))) {
      throw new CredentialError('REPLAYED');
    }
  } catch (e) {
    return verdict(false, e instanceof CredentialError ? e.reason : 'SERVICE_UNAVAILABLE', now, checked, statusAge);
  }
  return verdict(true, 'VALID', now, checked, statusAge);
}

/**
 * The credential reference an offline scan record carries: hex SHA-256 of the
 * credential's reference (3 bytes, 4 from 2^24 on: wire.js refBytes) (the service keys it with its audit key, so
 * online and offline records of one credential match there, and nowhere else).
 */
export async function credentialRefHash(refHex) {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', fromHex(refHex))));
}
