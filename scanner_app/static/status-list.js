// The issuer's signed status list (permit-status/2, or /1 from before it) as
// the handheld holds it: signature checked with a key of the key set, then
// decompressed, bounded by its declared size; the rules of keys/statuslist.py.

import {b64uDecode} from '/lib/bytes.js';
import {DocumentError, documentDecoded, keyValidAt, verifyEd25519} from './keyset.js';

export const STATUS_FORMAT = 'permit-status/2';
export const STATUS = Object.freeze({ACTIVE: 0, SUSPENDED: 1, REVOKED: 2, SUPERSEDED: 3});
const MIN_SIZE = 1 << 17;
/** The largest list of each format (keys.statuslist.MAX_SIZES). */
const MAX_SIZES = Object.freeze({'permit-status/1': 1 << 24, 'permit-status/2': 1 << 28});

function isInt(v) { return typeof v === 'number' && Number.isInteger(v); }

function signingInput(format, kid, issuedAt, ttl, size, compressed) {
  const head = new TextEncoder().encode(`${format}\n${kid}\n${issuedAt}\n${ttl}\n${size}\n2\n`);
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
 * Check a permit-status/2 (or /1) document's signature with a key of `keyset`
 * valid at `now`, then decompress it: {issuedAt, ttl, size, bits}.
 */
export async function verifyStatusList(doc, keyset, now) {
  const format = doc && typeof doc === 'object' ? doc.format : undefined;
  if (!Object.prototype.hasOwnProperty.call(MAX_SIZES, format) || doc.bits !== 2) {
    throw new DocumentError('not a permit-status/1 or permit-status/2 document');
  }
  const {kid, issued_at: issuedAt, ttl, size} = doc;
  if (![issuedAt, ttl, size].every(isInt)) throw new DocumentError('issued_at, ttl and size must be integers');
  if (size < MIN_SIZE || size > MAX_SIZES[format] || size % 4 || ttl < 0) throw new DocumentError('size or ttl out of range');
  const compressed = documentDecoded(() => b64uDecode(doc.list));
  const signature = documentDecoded(() => b64uDecode(doc.signature));
  const key = typeof kid === 'string' ? keyset.keys.get(kid) : undefined;
  if (!key || !keyValidAt(key, now)) throw new DocumentError('status list signed by an unknown or expired key');
  if (!(await verifyEd25519(key.cryptoKey, signature, signingInput(format, kid, issuedAt, ttl, size, compressed)))) {
    throw new DocumentError('bad status list signature');
  }
  const bits = await inflateBounded(compressed, size / 4);
  return {issuedAt, ttl, size, bits};
}

/** The status at `index`; an index outside the list counts as revoked. */
export function statusAt(list, index) {
  if (!(index >= 0 && index < list.size)) return STATUS.REVOKED;
  return (list.bits[index >> 2] >> (6 - 2 * (index & 3))) & 3;
}
