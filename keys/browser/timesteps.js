// Time as the wire format counts it, the same arithmetic as keys/ uses:
// time steps of `period` seconds since the Unix epoch, and the Beijing
// calendar day (UTC+8 all year, no daylight saving) that expiry dates name.
// Every function takes `now` in Unix seconds; none reads a clock.

export const BEIJING_UTC_OFFSET_S = 8 * 3600;

/** The time step of `period` seconds that `now` falls in. */
export function stepAt(now, period) {
  return Math.floor(now / period);
}

/** The Unix time at which step `step` of `period` seconds ends. */
export function stepEnd(step, period) {
  return (step + 1) * period;
}

/** The Beijing calendar day (days since 1970-01-01) at `now`. */
export function beijingDay(now) {
  return Math.floor((Math.floor(now) + BEIJING_UTC_OFFSET_S) / 86400);
}

/** Beijing wall-clock time "HH:MM:SS" at `now`, without relying on time-zone data. */
export function beijingClock(now) {
  const d = new Date((now + BEIJING_UTC_OFFSET_S) * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
