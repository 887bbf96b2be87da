// The offline pass: a signed pass fetched while online, shown with a one-time
// code computed here for the current time step and appended as the wire
// format's liveness trailer, so a verifier with the rotation secret can tell
// a live phone from a recording.

import {b64uDecode} from '/lib/bytes.js';
import {stepAt, stepEnd} from '/lib/timesteps.js';
import {codeAt} from '/lib/totp.js';
import {passText} from '/lib/wire.js';

/** Whether `pass` (as /v1/holder/pass sends it) can be shown at `now` (Unix seconds). */
export function passUsable(pass, now) {
  return Boolean(pass && pass.pass && pass.secret && now <= pass.not_after);
}

/** Whether a new pass should be fetched: none yet, or half of its validity gone. */
export function passDueForRenewal(pass, now) {
  return !pass || now >= pass.not_before + (pass.not_after - pass.not_before) / 2;
}

/** {text, expiresAt}: the code to show at `now` and when (Unix seconds) the next one is due. */
export async function passCodeAt(pass, now) {
  const step = stepAt(now, pass.period);
  const code = await codeAt(b64uDecode(pass.secret), step, pass.digits);
  return {text: passText(b64uDecode(pass.pass), step, code), expiresAt: stepEnd(step, pass.period)};
}
