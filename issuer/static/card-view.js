// The permit card around the code: the holder's details, a running Beijing
// clock and a moving band (so a person can tell a live screen from a
// screenshot), and the countdown to the next code.

import {beijingClock} from '/lib/timesteps.js';
import {lang, t} from './text.js';

const $ = (id) => document.getElementById(id);
const DEFAULT_PERIOD_S = 15;

/** Show the credential details the issuer sent (names in both languages). */
export function renderCredential(cred) {
  renderHint(cred);
  if (!cred) return;
  const l = lang();
  $('holder-name').textContent = cred.name || '';
  $('holder-id').textContent = cred.id_number_masked || '';
  $('holder-district').textContent = cred.district ? cred.district[l] : '';
  $('holder-valid').textContent = cred.valid_until || '';
  $('holder-status').textContent = cred.status ? cred.status[l] : '';
  $('permit-type').textContent = cred.permit_type ? cred.permit_type[l] : '';
}

export function renderHint(cred) {
  $('hint').textContent = t('brightness', (cred && cred.period) || DEFAULT_PERIOD_S);
}

/**
 * The clock, band and countdown at `nowMs`: `expiresAtMs` is when the code
 * shown changes (0 when none is shown); `offline` marks the band.
 */
export function renderClock(nowMs, {cred, expiresAtMs, offline}) {
  const clock = beijingClock(nowMs / 1000);
  $('clock').textContent = clock;
  $('clock').setAttribute('aria-label', clock);
  const name = cred && cred.name ? `${cred.name} · ` : '';
  $('band-text').textContent = name + clock + (offline ? ' · 离线 OFFLINE' : ' · 实时 LIVE');
  $('countdown').textContent = expiresAtMs ? t('refresh_in', Math.max(0, Math.ceil((expiresAtMs - nowMs) / 1000))) : '';
}

export function setOfflineLook(offline) {
  $('offline-banner').hidden = !offline;
  $('card').classList.toggle('offline', offline);
}

/** Tell a screen reader (and the sighted) what changed. */
export function announce(text) {
  $('status').textContent = text || '';
}
