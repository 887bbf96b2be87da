// The issuer's public key set (permit-keys/1) as the handheld holds it, and
// Ed25519 signature checks with WebCrypto; the rules of keys/keyset.py.

import {EncodingError, b64uDecode, fromHex, toHex} from '/lib/bytes.js';
import {KID_SIZE} from '/lib/wire.js';

export const KEYSET_FORMAT = 'permit-keys/1';
const PUBLIC_KEY_SIZE = 32;

/** A key set or status list that cannot be used. */
export class DocumentError extends Error {}

function isInt(v) { return typeof v === 'number' && Number.isInteger(v); }

/** Ed25519 signature check; false for any failure. */
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

/** Run a decoder over document fields; its encoding errors become DocumentError. */
export function documentDecoded(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EncodingError) throw new DocumentError(e.message);
    throw e;
  }
}

/**
 * Parse a permit-keys/1 document into {issuedAt, keys: Map(kidHex -> key)}.
 * As keys.keyset.KeySet.loads: each kid must be the first 4 bytes of SHA-256
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
    const kid = documentDecoded(() => fromHex(entry.kid));
    const publicKey = documentDecoded(() => b64uDecode(entry.public_key));
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
