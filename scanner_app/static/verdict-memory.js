// Live codes this handheld has just accepted, with their verdicts. A holder's
// phone left in front of the camera shows the same code until it rotates;
// when the official taps "scan again" the camera reads it again, and the
// service (rightly) calls a second presentation REPLAYED. The verdict of a
// code this device accepted itself is the truthful answer for that same
// presentation, so it is shown again instead, marked as such, for as long as
// the code could be accepted at all.

import {unverifiedReplayKey} from './offline-check.js';

const remembered = new Map(); // text -> {verdict, at, until}

function evict(now) {
  for (const [text, entry] of remembered) {
    if (entry.until <= now) remembered.delete(text);
  }
}

/** Remember `verdict` for `text` checked at `now`, if it accepted a live code. */
export function rememberVerdict(text, verdict, now, options) {
  if (!verdict || !verdict.valid) return;
  const live = unverifiedReplayKey(text, now, options);
  if (!live) return;
  evict(now);
  remembered.set(text, {verdict, at: now, until: now + live.ttl});
}

/** {verdict, at} when `text` is a code this device accepted and could still be accepted; else null. */
export function recallVerdict(text, now) {
  const entry = remembered.get(text);
  if (!entry || entry.until <= now) return null;
  return {verdict: entry.verdict, at: entry.at};
}

/** Forget every verdict (sign-out). */
export function forgetVerdicts() {
  remembered.clear();
}
