// Base45 (RFC 9285) for browsers, the same strict codec as keys/base45.py:
// two bytes become three characters, a trailing byte two; decoding accepts
// only canonical text, so one payload has exactly one text form.

export const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** The text is not canonical base45. */
export class Base45Error extends Error {}

/** Encode bytes (a Uint8Array or an array of byte values). */
export function b45encode(bytes) {
  let out = '';
  const n = bytes.length;
  for (let i = 0; i + 1 < n; i += 2) {
    const x = bytes[i] * 256 + bytes[i + 1];
    out += ALPHABET[x % 45] + ALPHABET[Math.floor(x / 45) % 45] + ALPHABET[Math.floor(x / 2025)];
  }
  if (n % 2) {
    const last = bytes[n - 1];
    out += ALPHABET[last % 45] + ALPHABET[Math.floor(last / 45)];
  }
  return out;
}

/** Decode canonical base45 into a Uint8Array; Base45Error for anything else. */
export function b45decode(text) {
  const n = text.length;
  if (n % 3 === 1) throw new Base45Error('length');
  const values = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = VALUE.get(text[i]);
    if (v === undefined) throw new Base45Error('character');
    values[i] = v;
  }
  const out = new Uint8Array(Math.floor(n / 3) * 2 + (n % 3 ? 1 : 0));
  let o = 0;
  for (let i = 0; i + 2 < n; i += 3) {
    const x = values[i] + 45 * values[i + 1] + 2025 * values[i + 2];
    if (x > 0xffff) throw new Base45Error('group');
    out[o++] = x >> 8;
    out[o++] = x & 0xff;
  }
  if (n % 3 === 2) {
    const x = values[n - 2] + 45 * values[n - 1];
    if (x > 0xff) throw new Base45Error('tail');
    out[o++] = x;
  }
  return out;
}
