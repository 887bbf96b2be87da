// The signed payload a QR code carries, for browsers: the byte layout of
// keys/wire.py, read and written the same way (docs/format.md has it byte by
// byte, with test vectors). Pure: no DOM, no storage, no clock.
//
//   header   version u8 | mode u8 | kid 4s                                 6 bytes
//   MINTED   period u8 | step u32 | nonce 3s                               8 bytes
//   PASS     period u8 | not_before u32 | hours u8 | pass_id 8s           14 bytes
//   PAPER    issued_at u32 | not_after u32                                 8 bytes
//   DEVICE   period u8 | not_before u32 | hours u8 | pass_ref (u24 v1, u32 v2)
//            | device_key 33s (device-key.js)                        42 / 43 bytes
//   claims   v1: ref u24 | kind u8 (permit_type << 5 | district)
//            | valid_until u16 (days) | id_tail u16 | name (UTF-8, the rest)   8 + n bytes
//            v2: ref u32 | kind | valid_until | id_tail | disclose u8 | name  10 + n bytes
//   signature  Ed25519 over every byte before it                          64 bytes
//   PASS only, unsigned trailer: step_low u16 | totp u24                   5 bytes
//   DEVICE only, device trailer: step_low u16 | device signature 64s      66 bytes
//
// A mode is one entry of MODES: its fields' size, the longest name it
// carries, its unsigned trailer and how its fields read. Adding a mode is
// adding an entry there. A version is one entry of VERSIONS: how wide its
// status-list indices are and how much of the name's budget they take.

import {Base45Error, b45decode, b45encode} from './base45.js';
import {concatBytes, readU16, readU24, readU32, toHex} from './bytes.js';

export const PREFIX = 'RP:';
/** Trimmed from both ends of a scanned text, and nothing else: keys.wire.TRIMMED (docs/format.md). */
export const TRIMMED = ' \t\r\n';

/** The scanned text without the surrounding space, tab, CR and LF (String.prototype.trim removes far more). */
export function trimScanned(text) {
  let start = 0;
  let end = text.length;
  while (start < end && TRIMMED.includes(text[start])) start++;
  while (end > start && TRIMMED.includes(text[end - 1])) end--;
  return text.slice(start, end);
}
/** The version the issuer mints (keys.wire.VERSION); every version of VERSIONS is read. */
export const VERSION = 2;
export const HEADER_SIZE = 6;
export const KID_SIZE = 4;
/** v1's; a version's own is VERSIONS[v].claimsFixedSize. */
export const CLAIMS_FIXED_SIZE = 8;
export const SIGNATURE_SIZE = 64;

/**
 * Per wire version (keys.wire.LAYOUTS): the width of `ref` and `pass_ref`, the
 * claims' fixed part, and how many bytes fewer than v1's a name may have.
 */
export const VERSIONS = Object.freeze({
  1: Object.freeze({refSize: 3, claimsFixedSize: 8, nameCut: 0}),
  2: Object.freeze({refSize: 4, claimsFixedSize: 10, nameCut: 2}),
});

/** The `disclose` byte's marker of a holder's choice and its field bits (keys.vocabulary.Disclosure). */
export const DISCLOSURE_CHOSEN = 0x80;
export const DISCLOSURE = Object.freeze({name: 0x01, id_tail: 0x02});
const DISCLOSURE_BITS = Object.values(DISCLOSURE).reduce((bits, bit) => bits | bit, DISCLOSURE_CHOSEN);

/** A refusal with a stable reason code (keys/errors.py); the detail is for logs only. */
export class CredentialError extends Error {
  constructor(reason, detail = '') {
    super(detail || reason);
    this.reason = reason;
  }
}

export const MODE = Object.freeze({MINTED: 1, PASS: 2, PAPER: 3, DEVICE: 4});

/** mode number -> its layout. `fields(signed, trailer, at)` reads the mode's time fields at offset `at`. */
export const MODES = Object.freeze({
  [MODE.MINTED]: Object.freeze({
    name: 'MINTED', fieldsSize: 8, nameMaxBytes: 14, trailerSize: 0,
    fields: (b, t, h) => ({period: b[h], step: readU32(b, h + 1), nonce: b.slice(h + 5, h + 8)}),
  }),
  [MODE.PASS]: Object.freeze({
    name: 'PASS', fieldsSize: 14, nameMaxBytes: 18, trailerSize: 5,
    fields: (b, t, h) => ({
      period: b[h], notBefore: readU32(b, h + 1), hours: b[h + 5], passId: b.slice(h + 6, h + 14),
      stepLow: readU16(t, 0), totp: readU24(t, 2),
    }),
  }),
  [MODE.PAPER]: Object.freeze({
    name: 'PAPER', fieldsSize: 8, nameMaxBytes: 30, trailerSize: 0,
    fields: (b, t, h) => ({issuedAt: readU32(b, h), notAfter: readU32(b, h + 4)}),
  }),
  [MODE.DEVICE]: Object.freeze({
    name: 'DEVICE', fieldsSize: 42, nameMaxBytes: 18, trailerSize: 66,
    // pass_ref is as wide as the version's refs: 42 bytes of fields in v1, 43 in v2
    fields: (b, t, h, refSize) => ({
      period: b[h], notBefore: readU32(b, h + 1), hours: b[h + 5], passRef: readRef(b, h + 6, refSize),
      passRefBytes: b.slice(h + 6, h + 6 + refSize), deviceKey: b.slice(h + 6 + refSize, h + 39 + refSize),
      stepLow: readU16(t, 0), deviceSignature: t.slice(2, 66),
    }),
  }),
});

/** mode number -> name ("MINTED", ...), as verdicts name modes. */
export const MODE_NAMES = Object.freeze(Object.fromEntries(Object.entries(MODES).map(([m, l]) => [m, l.name])));

function readRef(b, o, size) {
  return size === 3 ? readU24(b, o) : readU32(b, o);
}

function layoutOf(mode) {
  const layout = Object.prototype.hasOwnProperty.call(MODES, mode) ? MODES[mode] : undefined;
  if (!layout) throw new CredentialError('MALFORMED', 'mode');
  return layout;
}

function versionOf(version) {
  const v = Object.prototype.hasOwnProperty.call(VERSIONS, version) ? VERSIONS[version] : undefined;
  if (!v) throw new CredentialError('UNSUPPORTED_VERSION', String(version));
  return v;
}

/** The size of a mode's own fields in a version (only DEVICE's pass_ref grows in v2). */
function fieldsSize(mode, version) {
  return layoutOf(mode).fieldsSize + (mode === MODE.DEVICE ? versionOf(version).refSize - 3 : 0);
}

/** Where the claims start in a payload of `mode` (v1 unless `version` says otherwise). */
export function claimsOffset(mode, version = 1) {
  return HEADER_SIZE + fieldsSize(mode, version);
}

/**
 * Split a scanned text into its parts; nothing is verified yet.
 * Returns {version, mode, kid, kidHex, signed, signature, trailer}; throws
 * CredentialError MALFORMED / UNSUPPORTED_VERSION as keys.wire.unverified_split.
 */
export function unverifiedSplit(text) {
  if (typeof text !== 'string') throw new CredentialError('MALFORMED', 'not text');
  text = trimScanned(text);
  if (!text.startsWith(PREFIX)) throw new CredentialError('MALFORMED', 'prefix');
  let raw;
  try {
    raw = b45decode(text.slice(PREFIX.length));
  } catch (e) {
    if (e instanceof Base45Error) throw new CredentialError('MALFORMED', 'base45');
    throw e;
  }
  if (raw.length < HEADER_SIZE) throw new CredentialError('MALFORMED', 'short');
  const version = raw[0];
  const wire = versionOf(version);
  const mode = raw[1];
  const layout = layoutOf(mode);
  const minimum = claimsOffset(mode, version) + wire.claimsFixedSize + SIGNATURE_SIZE + layout.trailerSize;
  const maximum = minimum + layout.nameMaxBytes - wire.nameCut;
  if (raw.length < minimum || raw.length > maximum) throw new CredentialError('MALFORMED', 'length');
  const kid = raw.slice(2, 2 + KID_SIZE);
  const end = raw.length - layout.trailerSize;
  return {
    version,
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
  return layoutOf(split.mode).fields(split.signed, split.trailer, HEADER_SIZE, versionOf(split.version ?? 1).refSize);
}

const UTF8 = new TextDecoder('utf-8', {fatal: true});

/** The last four characters of the ID number from their packed form (digits * 11 + check). */
export function unpackIdTail(value) {
  const digits = Math.floor(value / 11);
  const check = value % 11;
  if (digits > 999) throw new CredentialError('MALFORMED', 'id_tail');
  return String(digits).padStart(3, '0') + (check === 10 ? 'X' : String(check));
}

/**
 * The credential reference the audit hashes (keys.claims.ref_bytes): the index
 * in three bytes, four when it needs them, so v1 and v2 codes name it alike.
 */
export function refBytes(ref) {
  const b = Uint8Array.of((ref >>> 24) & 0xff, (ref >>> 16) & 0xff, (ref >>> 8) & 0xff, ref & 0xff);
  return ref < 0x1000000 ? b.slice(1) : b;
}

/** Claims of a payload whose signature has been verified (v1 unless `version` says otherwise). */
export function decodeClaims(signed, offset, version = 1) {
  const wire = versionOf(version);
  const k = offset + wire.refSize;  // kind, then valid_until, id_tail (and v2's disclose)
  const days = readU16(signed, k + 1);
  const disclose = version === 1 ? 0 : signed[k + 5];
  if (disclose !== 0 && (!(disclose & DISCLOSURE_CHOSEN) || disclose & ~DISCLOSURE_BITS)) {
    throw new CredentialError('MALFORMED', 'disclose');
  }
  let name;
  try {
    name = UTF8.decode(signed.slice(offset + wire.claimsFixedSize));
  } catch (e) {
    throw new CredentialError('MALFORMED', 'claims text');
  }
  const ref = readRef(signed, offset, wire.refSize);
  return {
    ref,
    refBytes: refBytes(ref),
    permitType: signed[k] >> 5,
    district: signed[k] & 31,
    validUntilDays: days,
    validUntil: new Date(days * 86400000).toISOString().slice(0, 10),
    idTail: unpackIdTail(readU16(signed, k + 3)),
    disclose,
    name,
  };
}

/** The replay key of a live code, as the service's: "m" + step(4) + nonce(3) + ref (3 in v1, 4 in v2), in hex. */
export function mintedReplayKey(split) {
  const h = HEADER_SIZE;
  const version = split.version ?? 1;
  const c = claimsOffset(MODE.MINTED, version);
  return 'm' + toHex(split.signed.slice(h + 1, h + 8)) + toHex(split.signed.slice(c, c + versionOf(version).refSize));
}

/**
 * The text a device shows offline (keys.wire.pass_text): the signed pass
 * followed by its liveness trailer, step_low u16 | code u24.
 */
export function passText(signedPass, step, code) {
  if (!(Number.isInteger(code) && code >= 0 && code <= 999999)) throw new RangeError('a TOTP code has six digits');
  const low = step % 0x10000;
  const trailer = Uint8Array.of(low >> 8, low & 0xff, (code >> 16) & 0xff, (code >> 8) & 0xff, code & 0xff);
  return PREFIX + b45encode(concatBytes(signedPass, trailer));
}

/** What the device signs for one step (keys.wire.device_step_message): context, full step u32, the whole pass. */
export const DEVICE_CONTEXT = new TextEncoder().encode('permit-device/1');

export function deviceStepMessage(devicePass, step) {
  const s = Uint8Array.of((step >>> 24) & 0xff, (step >>> 16) & 0xff, (step >>> 8) & 0xff, step & 0xff);
  return concatBytes(DEVICE_CONTEXT, s, devicePass);
}

/** The 33-byte device key field a signed device pass names (after pass_ref, as wide as its version's refs). */
export function deviceKeyOf(devicePass) {
  const at = HEADER_SIZE + 6 + versionOf(devicePass[0]).refSize;
  return devicePass.slice(at, at + 33);
}

/** The text a phone shows offline with a device-bound pass (keys.wire.device_text). */
export function deviceText(devicePass, step, signature) {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_SIZE) throw new RangeError('a device signature is 64 bytes');
  const low = step % 0x10000;
  return PREFIX + b45encode(concatBytes(devicePass, Uint8Array.of(low >> 8, low & 0xff), signature));
}

/** The replay key of a device-bound code, as the service's: "d" + pass_ref (3 or 4) + not_before(4) + step(4), in hex. */
export function deviceReplayKey(split, step) {
  const h = HEADER_SIZE;
  const size = versionOf(split.version ?? 1).refSize;
  const s = Uint8Array.of((step >>> 24) & 0xff, (step >>> 16) & 0xff, (step >>> 8) & 0xff, step & 0xff);
  return 'd' + toHex(split.signed.slice(h + 6, h + 6 + size)) + toHex(split.signed.slice(h + 1, h + 5)) + toHex(s);
}
