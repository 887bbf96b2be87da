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
  $('holder-card').textContent = cred.card_number || t('unknown');
  $('holder-address').textContent = cred.address || '';
  $('holder-valid-from').textContent = cred.valid_from || '';
  renderState(cred.state, l);
  renderEndorsement(cred.endorsement);
}

/** The state box: shown for every state but active, with its reason and what to do. */
function renderState(state, l) {
  const box = $('state-box');
  box.hidden = !state || state.code === 'active';
  if (box.hidden) return;
  box.dataset.state = state.code;
  $('state-title').textContent = state[l];
  $('state-reason').textContent = state.reason ? state.reason[l] : '';
  $('state-next').textContent = state.next ? state.next[l] : '';
}

function renderEndorsement(e) {
  $('holder-endorse').textContent = e ? t('endorse_range', e.opens, e.closes) : '';
  const remind = $('endorse-remind');
  remind.hidden = !(e && e.remind);
  remind.textContent = remind.hidden ? '' : t('endorse_remind', e.days_left, e.closes);
}

/** Whether a valid code is on screen: the LIVE band and the live dot only then. */
export function setCodeShown(shown) {
  $('card').classList.toggle('no-code', !shown);
}

/** The permit was replaced by a change (a new version): say so until the next reload. */
export function showReplaced() {
  $('replaced').hidden = false;
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
  $('band-text').textContent = expiresAtMs ? name + clock + (offline ? ' · 离线 OFFLINE' : ' · 实时 LIVE') : '';
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
