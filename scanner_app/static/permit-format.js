// The permit code format and the offline checks, for the handheld.
//
// A mirror of keys/wire.py (byte layout), keys/keyset.py, keys/statuslist.py and
// the check order of verifier/core.py, so an offline verdict agrees with the one
// the service would give. Pure: no DOM, no storage, no clock of its own (every
// check takes `now` in Unix seconds). Failures throw CheckError with the same
// stable reason codes as keys/errors.py.
//
// Layout (big-endian; docs/format.md has it byte by byte, with test vectors):
//   header   version u8 | mode u8 | kid 4s                                 6 bytes
//   MINTED   period u8 | step u32 | nonce 3s                               8 bytes
//   PASS     period u8 | not_before u32 | hours u8 | pass_id 8s           14 bytes
//   PAPER    issued_at u32 | not_after u32                                 8 bytes
//   claims   ref u24 | kind u8 (permit_type << 5 | district)
//            | valid_until u16 (days) | id_tail u16 | name (UTF-8, the rest)   8 + n bytes
//   signature  Ed25519 over every byte before it                          64 bytes
//   PASS only, unsigned trailer: step_low u16 | totp u24                   5 bytes

export const PREFIX = 'RP:';
export const VERSION = 1;
export const MODE = Object.freeze({MINTED: 1, PASS: 2, PAPER: 3});
export const MODE_NAMES = Object.freeze({1: 'MINTED', 2: 'PASS', 3: 'PAPER'});
export const STATUS = Object.freeze({ACTIVE: 0, SUSPENDED: 1, REVOKED: 2});
export const KEYSET_FORMAT = 'permit-keys/1';
export const STATUS_FORMAT = 'permit-status/1';
export const BEIJING_UTC_OFFSET_S = 8 * 3600;

const HEADER_SIZE = 6;
const FIELDS_SIZE = {1: 8, 2: 14, 3: 8};
const NAME_MAX_BYTES = {1: 14, 2: 18, 3: 30};
const CLAIMS_FIXED_SIZE = 8;
const SIGNATURE_SIZE = 64;
const TRAILER_SIZE = 5;
const KID_SIZE = 4;
const PUBLIC_KEY_SIZE = 32;
const STATUS_MIN_SIZE = 1 << 17;
const STATUS_MAX_SIZE = 1 << 24;

export const DEFAULT_OPTIONS = Object.freeze({
  skew_steps: 1,
  paper_future_tolerance_s: 300,
  offline_max_status_age_s: 24 * 3600,
});

/** A refusal with a stable reason code (keys/errors.py). */
export class CheckError extends Error {
  constructor(reason, detail = '') {
    super(detail || reason);
    this.reason = reason;
  }
}

/** A key set or status list that cannot be used. */
export class DocumentError extends Error {}

// --- encodings -------------------------------------------------------------

const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const B45_VALUE = new Map([...B45].map((c, i) => [c, i]));

/** Strict base45 (RFC 9285): only canonical encodings, as keys/base45.py. */
export function b45decode(text) {
  const n = text.length;
  if (n % 3 === 1) throw new CheckError('MALFORMED', 'base45 length');
  const values = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = B45_VALUE.get(text[i]);
    if (v === undefined) throw new CheckError('MALFORMED', 'base45 character');
    values[i] = v;
  }
  const out = new Uint8Array(Math.floor(n / 3) * 2 + (n % 3 ? 1 : 0));
  let o = 0;
  for (let i = 0; i + 2 < n; i += 3) {
    const x = values[i] + 45 * values[i + 1] + 2025 * values[i + 2];
    if (x > 0xffff) throw new CheckError('MALFORMED', 'base45 group');
    out[o++] = x >> 8;
    out[o++] = x & 0xff;
  }
  if (n % 3 === 2) {
    const x = values[n - 2] + 45 * values[n - 1];
    if (x > 0xff) throw new CheckError('MALFORMED', 'base45 tail');
    out[o++] = x;
  }
  return out;
}

export function b64uDecode(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) throw new DocumentError('not base64url');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let binary;
  try {
    binary = atob(b64);
  } catch (e) {
    throw new DocumentError('not base64url');
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text) {
  if (typeof text !== 'string' || !/^([0-9a-f]{2})*$/.test(text)) throw new DocumentError('not hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function u16(b, o) { return (b[o] << 8) | b[o + 1]; }
function u32(b, o) { return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]); }

function isInt(v) { return Number.isInteger(v) && typeof v === 'number'; }

// --- the code --------------------------------------------------------------

/**
 * Split a scanned text into its parts; nothing is verified yet.
 * Returns {mode, kid, kidHex, signed, signature, trailer}; throws MALFORMED /
 * UNSUPPORTED_VERSION as keys.wire.unverified_split does.
 */
export function unverifiedSplit(text) {
  if (typeof text !== 'string') throw new CheckError('MALFORMED', 'not text');
  text = text.trim();
  if (!text.startsWith(PREFIX)) throw new CheckError('MALFORMED', 'prefix');
  const raw = b45decode(text.slice(PREFIX.length));
  if (raw.length < HEADER_SIZE) throw new CheckError('MALFORMED', 'short');
  if (raw[0] !== VERSION) throw new CheckError('UNSUPPORTED_VERSION', String(raw[0]));
  const mode = raw[1];
  if (!(mode in FIELDS_SIZE)) throw new CheckError('MALFORMED', 'mode');
  const minimum = HEADER_SIZE + FIELDS_SIZE[mode] + CLAIMS_FIXED_SIZE + SIGNATURE_SIZE + (mode === MODE.PASS ? TRAILER_SIZE : 0);
  if (raw.length < minimum || raw.length > minimum + NAME_MAX_BYTES[mode]) throw new CheckError('MALFORMED', 'length');
  const kid = raw.slice(2, 2 + KID_SIZE);
  const end = mode === MODE.PASS ? raw.length - TRAILER_SIZE : raw.length;
  return {
    mode,
    kid,
    kidHex: toHex(kid),
    signed: raw.slice(0, end - SIGNATURE_SIZE),
    signature: raw.slice(end - SIGNATURE_SIZE, end),
    trailer: raw.slice(end),
  };
}

/** The mode's time fields, read before the signature is checked (hence unverified). */
export function unverifiedTimeFields(split) {
  const b = split.signed;
  const h = HEADER_SIZE;
  if (split.mode === MODE.MINTED) {
    return {period: b[h], step: u32(b, h + 1), nonce: b.slice(h + 5, h + 8)};
  }
  if (split.mode === MODE.PASS) {
    const t = split.trailer;
    return {
      period: b[h], notBefore: u32(b, h + 1), hours: b[h + 5], passId: b.slice(h + 6, h + 14),
      stepLow: u16(t, 0), totp: (t[2] << 16) | u16(t, 3),
    };
  }
  return {issuedAt: u32(b, h), notAfter: u32(b, h + 4)};
}

export function claimsOffset(mode) {
  return HEADER_SIZE + FIELDS_SIZE[mode];
}

const UTF8 = new TextDecoder('utf-8', {fatal: true});

/** The last four characters of the ID number from their packed form (digits * 11 + check). */
export function unpackIdTail(value) {
  const digits = Math.floor(value / 11);
  const check = value % 11;
  if (digits > 999) throw new CheckError('MALFORMED', 'id_tail');
  return String(digits).padStart(3, '0') + (check === 10 ? 'X' : String(check));
}

/** Claims of a payload whose signature has been verified. */
export function decodeClaims(signed, offset) {
  const b = signed;
  const days = u16(b, offset + 4);
  let name;
  try {
    name = UTF8.decode(b.slice(offset + CLAIMS_FIXED_SIZE));
  } catch (e) {
    throw new CheckError('MALFORMED', 'claims text');
  }
  return {
    ref: (b[offset] << 16) | (b[offset + 1] << 8) | b[offset + 2],
    refBytes: b.slice(offset, offset + 3),
    permitType: b[offset + 3] >> 5,
    district: b[offset + 3] & 31,
    validUntilDays: days,
    validUntil: new Date(days * 86400000).toISOString().slice(0, 10),
    idTail: unpackIdTail(u16(b, offset + 6)),
    name,
  };
}

/** The Beijing calendar day (days since 1970-01-01) at Unix time `now`. */
export function beijingDay(now) {
  return Math.floor((Math.floor(now) + BEIJING_UTC_OFFSET_S) / 86400);
}

// --- keys ------------------------------------------------------------------

/** Ed25519 signature check with WebCrypto; false for any failure. */
export async function verifyEd25519(publicKey, signature, message) {
  try {
    const key = publicKey instanceof CryptoKey
      ? publicKey
      : await crypto.subtle.importKey('raw', publicKey, {name: 'Ed25519'}, false, ['verify']);
    return await crypto.subtle.verify('Ed25519', key, signature, message);
  } catch (e) {
    return false;
  }
}

/**
 * Parse a permit-keys/1 document into {issuedAt, keys: Map(kidHex -> key)}.
 * As keys.keyset.KeySet.loads: each kid must be the first 8 bytes of SHA-256
 * over its public key, or the whole document is refused.
 */
export async function parseKeySet(doc) {
  if (!doc || typeof doc !== 'object' || doc.format !== KEYSET_FORMAT) throw new DocumentError(`not a ${KEYSET_FORMAT} document`);
  if (!Array.isArray(doc.keys)) throw new DocumentError("'keys' must be a list");
  const issuedAt = doc.issued_at ?? 0;
  if (!isInt(issuedAt)) throw new DocumentError("'issued_at' must be an integer");
  const keys = new Map();
  for (const [i, entry] of doc.keys.entries()) {
    if (!entry || typeof entry !== 'object' || entry.alg !== 'Ed25519') throw new DocumentError(`keys[${i}] is not an Ed25519 key`);
    const kid = fromHex(entry.kid);
    const publicKey = b64uDecode(entry.public_key);
    if (kid.length !== KID_SIZE || publicKey.length !== PUBLIC_KEY_SIZE) throw new DocumentError(`keys[${i}] has the wrong length`);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', publicKey));
    if (toHex(digest.slice(0, KID_SIZE)) !== entry.kid) throw new DocumentError(`keys[${i}].kid does not match its public key`);
    const {not_before: notBefore, not_after: notAfter} = entry;
    if (!isInt(notBefore) || !isInt(notAfter) || notBefore < 0 || notAfter < 0) throw new DocumentError(`keys[${i}] has bad times`);
    const status = entry.status ?? 'active';
    if (!['active', 'retired', 'revoked'].includes(status)) throw new DocumentError(`keys[${i}] has a bad status`);
    if (keys.has(entry.kid)) throw new DocumentError(`duplicate kid ${entry.kid}`);
    let cryptoKey;
    try {
      cryptoKey = await crypto.subtle.importKey('raw', publicKey, {name: 'Ed25519'}, false, ['verify']);
    } catch (e) {
      throw new DocumentError(`keys[${i}] is not usable here: ${e.message}`);
    }
    keys.set(entry.kid, {kidHex: entry.kid, publicKey, cryptoKey, notBefore, notAfter, status});
  }
  return {issuedAt, keys};
}

export function keyValidAt(key, now) {
  return key.status !== 'revoked' && key.notBefore <= now && now <= key.notAfter;
}

// --- status list -----------------------------------------------------------

function statusSigningInput(kid, issuedAt, ttl, size, compressed) {
  const head = new TextEncoder().encode(`${STATUS_FORMAT}\n${kid}\n${issuedAt}\n${ttl}\n${size}\n2\n`);
  const out = new Uint8Array(head.length + compressed.length);
  out.set(head);
  out.set(compressed, head.length);
  return out;
}

async function inflateBounded(compressed, limit) {
  const stream = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate'));
  const reader = stream.getReader();
  const out = new Uint8Array(limit);
  let length = 0;
  try {
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      if (length + value.length > limit) throw new DocumentError('status list has the wrong length');
      out.set(value, length);
      length += value.length;
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e instanceof DocumentError) throw e;
    throw new DocumentError('status list does not decompress');
  }
  if (length !== limit) throw new DocumentError('status list has the wrong length');
  return out;
}

/**
 * Check a permit-status/1 document's signature with a key of `keyset` valid at
 * `now`, then decompress it (bounded by its declared size): {issuedAt, ttl, size, bits}.
 */
export async function verifyStatusList(doc, keyset, now) {
  if (!doc || typeof doc !== 'object' || doc.format !== STATUS_FORMAT || doc.bits !== 2) throw new DocumentError(`not a ${STATUS_FORMAT} document`);
  const {kid, issued_at: issuedAt, ttl, size} = doc;
  if (![issuedAt, ttl, size].every(isInt)) throw new DocumentError('issued_at, ttl and size must be integers');
  if (size < STATUS_MIN_SIZE || size > STATUS_MAX_SIZE || size % 4 || ttl < 0) throw new DocumentError('size or ttl out of range');
  const compressed = b64uDecode(doc.list);
  const signature = b64uDecode(doc.signature);
  const key = typeof kid === 'string' ? keyset.keys.get(kid) : undefined;
  if (!key || !keyValidAt(key, now)) throw new DocumentError('status list signed by an unknown or expired key');
  if (!(await verifyEd25519(key.cryptoKey, signature, statusSigningInput(kid, issuedAt, ttl, size, compressed)))) {
    throw new DocumentError('bad status list signature');
  }
  const bits = await inflateBounded(compressed, size / 4);
  return {issuedAt, ttl, size, bits};
}

/** 0 active, 1 suspended, 2 revoked; an index outside the list counts as revoked. */
export function statusAt(list, index) {
  if (!(index >= 0 && index < list.size)) return STATUS.REVOKED;
  return (list.bits[index >> 2] >> (6 - 2 * (index & 3))) & 3;
}

// --- checks ----------------------------------------------------------------

function checkWindow(step, nowStep, skew) {
  if (step < nowStep - skew) throw new CheckError('STALE');
  if (step > nowStep + skew) throw new CheckError('NOT_YET_VALID');
}

/**
 * Everything that needs no store (verifier.core.check_signed without a
 * rotation secret): split, key lookup, time window, key validity, signature,
 * claims, credential expiry. Returns {mode, claims, replayKey, replayTtl,
 * livenessUnverifiable}; throws CheckError.
 */
export async function checkSigned(text, now, keyset, options = DEFAULT_OPTIONS) {
  const split = unverifiedSplit(text);
  const key = keyset ? keyset.keys.get(split.kidHex) : undefined;
  if (!key) throw new CheckError('UNKNOWN_KEY');
  const skew = options.skew_steps ?? DEFAULT_OPTIONS.skew_steps;
  const fields = unverifiedTimeFields(split);
  let step = null;
  if (split.mode === MODE.MINTED) {
    if (fields.period === 0) throw new CheckError('MALFORMED', 'period');
    step = fields.step;
    checkWindow(step, Math.floor(now / fields.period), skew);
  } else if (split.mode === MODE.PASS) {
    if (fields.period === 0) throw new CheckError('MALFORMED', 'period');
    if (now < fields.notBefore - skew * fields.period) throw new CheckError('NOT_YET_VALID');
    if (now > fields.notBefore + fields.hours * 3600) throw new CheckError('STALE');
    const nowStep = Math.floor(now / fields.period);
    step = nowStep + ((((fields.stepLow - nowStep + 0x8000) % 0x10000) + 0x10000) % 0x10000) - 0x8000;
    checkWindow(step, nowStep, skew);
  } else {
    const tolerance = options.paper_future_tolerance_s ?? DEFAULT_OPTIONS.paper_future_tolerance_s;
    if (now < fields.issuedAt - tolerance) throw new CheckError('NOT_YET_VALID');
    if (now > fields.notAfter) throw new CheckError('CREDENTIAL_EXPIRED');
  }
  if (!keyValidAt(key, now)) throw new CheckError('KEY_NOT_VALID_AT_TIME');
  if (!(await verifyEd25519(key.cryptoKey, split.signature, split.signed))) throw new CheckError('BAD_SIGNATURE');
  const claims = decodeClaims(split.signed, claimsOffset(split.mode));
  if (claims.validUntilDays < beijingDay(now)) throw new CheckError('CREDENTIAL_EXPIRED');
  let replayKey = null;
  let replayTtl = 0;
  if (split.mode === MODE.MINTED) {
    replayKey = mintedReplayKey(split);
    replayTtl = (step + skew + 1) * fields.period - now + 1;
  }
  return {mode: split.mode, claims, replayKey, replayTtl, livenessUnverifiable: split.mode === MODE.PASS};
}

/** The replay key of a live code, as the service's: "m" + step(4) + nonce(3) + ref(3). */
export function mintedReplayKey(split) {
  const h = HEADER_SIZE;
  const c = claimsOffset(MODE.MINTED);
  return 'm' + toHex(split.signed.slice(h + 1, h + 8)) + toHex(split.signed.slice(c, c + 3));
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
 * plus `offline: true` and `ref_hex` (for the scan record's hash only; never shown). `statusList` may be null (then STATUS_STALE);
 * `replay` is {claim(key, ttl, now) -> bool}. Never throws for any text.
 */
export async function verifyOffline(text, now, {keyset, statusList, replay, options = DEFAULT_OPTIONS}) {
  const statusAge = statusList ? Math.max(0, now - statusList.issuedAt) : null;
  let checked;
  try {
    checked = await checkSigned(text, now, keyset, options);
  } catch (e) {
    return verdict(false, e instanceof CheckError ? e.reason : 'MALFORMED', now, null, statusAge);
  }
  try {
    const maxAge = options.offline_max_status_age_s ?? DEFAULT_OPTIONS.offline_max_status_age_s;
    if (!statusList || statusAge > maxAge) throw new CheckError('STATUS_STALE');
    const status = statusAt(statusList, checked.claims.ref);
    if (status === STATUS.REVOKED) throw new CheckError('REVOKED');
    if (status === STATUS.SUSPENDED) throw new CheckError('SUSPENDED');
    if (checked.livenessUnverifiable) throw new CheckError('LIVENESS_UNVERIFIABLE');
    if (checked.replayKey !== null && !(await replay.claim(checked.replayKey, checked.replayTtl, now))) {
      throw new CheckError('REPLAYED');
    }
  } catch (e) {
    return verdict(false, e instanceof CheckError ? e.reason : 'SERVICE_UNAVAILABLE', now, checked, statusAge);
  }
  return verdict(true, 'VALID', now, checked, statusAge);
}

/**
 * The credential reference an offline scan record carries: hex SHA-256 of the
 * credential's 3-byte reference (the service keys it with its audit key, so
 * online and offline records of one credential match there, and nowhere else).
 */
export async function credentialRefHash(refHex) {
  const digest = await crypto.subtle.digest('SHA-256', fromHex(refHex));
  return toHex(new Uint8Array(digest));
}
