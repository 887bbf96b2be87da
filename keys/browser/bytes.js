// Byte strings as the JSON documents carry them (base64url, hex), and the
// big-endian integers of the wire format.

/** A string that is not the encoding it claims to be. */
export class EncodingError extends Error {}

export function b64uDecode(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) throw new EncodingError('not base64url');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let binary;
  try {
    binary = atob(b64);
  } catch (e) {
    throw new EncodingError('not base64url');
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function b64uEncode(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text) {
  if (typeof text !== 'string' || !/^([0-9a-f]{2})*$/.test(text)) throw new EncodingError('not hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function readU16(b, o) { return (b[o] << 8) | b[o + 1]; }
export function readU24(b, o) { return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2]; }
export function readU32(b, o) { return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]); }

/** Concatenate byte arrays into one Uint8Array. */
export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
