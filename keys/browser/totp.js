// One-time codes of offline passes (RFC 4226 HOTP / RFC 6238 TOTP, HMAC-SHA1,
// six digits) with WebCrypto, the same values as keys/totp.py. The caller
// gives the time step (timesteps.js), so no clock is read here.

export const DIGITS = 6;

/** The HOTP code of `secret` (bytes) for counter `counter`. */
export async function hotp(secret, counter, digits = DIGITS) {
  const message = new Uint8Array(8);
  let c = counter;
  for (let i = 7; i >= 0; i--) {
    message[i] = c % 256;
    c = Math.floor(c / 256);
  }
  const key = await crypto.subtle.importKey('raw', secret, {name: 'HMAC', hash: 'SHA-1'}, false, ['sign']);
  const h = new Uint8Array(await crypto.subtle.sign('HMAC', key, message));
  const o = h[h.length - 1] & 0x0f;
  const binary = (h[o] & 0x7f) * 0x1000000 + (h[o + 1] << 16) + (h[o + 2] << 8) + h[o + 3];
  return binary % 10 ** digits;
}

/** The TOTP code for time step `step` (a pass's codes are HOTP over the step). */
export function codeAt(secret, step, digits = DIGITS) {
  return hotp(secret, step, digits);
}
