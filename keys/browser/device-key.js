// Holder device keys in the browser: the 33-byte key field of keys/device_key.py
// and the device's signature of a time step, with WebCrypto. Pure: no DOM, no
// storage (the holder page keeps its key pair in IndexedDB, device-store.js).
//
//   field = 0xED ‖ Ed25519 public key (32)          Ed25519
//         | 0x02 / 0x03 ‖ x (32)                   ECDSA P-256, SEC1 compressed
//
// Signatures are 64 bytes either way: Ed25519's, or WebCrypto's ECDSA r ‖ s
// (IEEE P1363). WebCrypto exports a P-256 public key as 65 bytes (0x04 ‖ x ‖ y)
// and is not required to import a compressed point, so compression and
// decompression are done here (y² = x³ − 3x + b mod p, p ≡ 3 mod 4).

export const FIELD_SIZE = 33;
export const ED25519_TAG = 0xed;
export const ALGS = Object.freeze({ED25519: 'Ed25519', P256: 'P-256'});

const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const SIGN_PARAMS = Object.freeze({
  [ALGS.ED25519]: {name: 'Ed25519'},
  [ALGS.P256]: {name: 'ECDSA', hash: 'SHA-256'},
});

function toBig(bytes) {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBig(n, size) {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

/** The algorithm a key field names, or null for any other first byte. */
export function algOf(field) {
  if (!(field instanceof Uint8Array) || field.length !== FIELD_SIZE) return null;
  if (field[0] === ED25519_TAG) return ALGS.ED25519;
  if (field[0] === 0x02 || field[0] === 0x03) return ALGS.P256;
  return null;
}

/** The 65-byte uncompressed P-256 point of a compressed one, or null when x is not on the curve. */
export function decompressP256(field) {
  const x = toBig(field.slice(1));
  if (x >= P) return null;
  const y2 = (x * x * x - 3n * x + B) % P;
  let y = modPow(y2, (P + 1n) / 4n, P);
  if ((y * y) % P !== y2) return null;
  if (Number(y & 1n) !== (field[0] & 1)) y = P - y;
  const out = new Uint8Array(65);
  out[0] = 0x04;
  out.set(field.slice(1), 1);
  out.set(fromBig(y, 32), 33);
  return out;
}

/** The key field of a public key as WebCrypto exports it (raw). */
export function keyField(alg, raw) {
  if (alg === ALGS.ED25519 && raw.length === 32) return Uint8Array.of(ED25519_TAG, ...raw);
  if (alg === ALGS.P256 && raw.length === 65 && raw[0] === 0x04) return Uint8Array.of(0x02 | (raw[64] & 1), ...raw.slice(1, 33));
  throw new RangeError('not an Ed25519 or P-256 raw public key');
}

/** A verifying CryptoKey for a key field; null when the field is not a usable key. */
export async function importDeviceKey(field) {
  const alg = algOf(field);
  try {
    if (alg === ALGS.ED25519) return await crypto.subtle.importKey('raw', field.slice(1), {name: 'Ed25519'}, false, ['verify']);
    if (alg === ALGS.P256) {
      const point = decompressP256(field);
      if (!point) return null;
      return await crypto.subtle.importKey('raw', point, {name: 'ECDSA', namedCurve: 'P-256'}, false, ['verify']);
    }
  } catch (e) {
    return null;
  }
  return null;
}

/** Whether `signature` is the key field's signature of `message`; false for any failure. */
export async function verifyDeviceSignature(field, signature, message) {
  const key = await importDeviceKey(field);
  if (!key || signature.length !== 64) return false;
  try {
    return await crypto.subtle.verify(SIGN_PARAMS[algOf(field)], key, signature, message);
  } catch (e) {
    return false;
  }
}

/** The device's 64-byte signature of `message` with its (non-extractable) private key. */
export async function signWithDeviceKey(alg, privateKey, message) {
  return new Uint8Array(await crypto.subtle.sign(SIGN_PARAMS[alg], privateKey, message));
}
