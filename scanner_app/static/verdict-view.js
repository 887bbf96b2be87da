// The full-screen verdict: tone, reason and the official's next action in
// both languages, what the code says about its holder, then back to scanning
// after a hold time (or a tap). It scrolls when it does not fit (200% zoom).

import {byId} from './dom.js';
import {t, timeOfDay, toneTitle} from './i18n.js';
import {districtName, modeName, permitTypeName, reasonInfo, toneOf} from './reasons.js';

let timer = null;
const hiddenListeners = [];

/** Call `listener()` each time the verdict screen goes away. */
export function onVerdictHidden(listener) {
  hiddenListeners.push(listener);
}

/** The rows an official sees of a verdict's claims: [label key, text]. */
export function claimRows(claims) {
  if (!claims || typeof claims !== 'object') return [];
  const rows = [
    ['name', claims.name],
    ['id', claims.id_number_masked ?? claims.id_masked],
    ['district', claims.district === undefined ? undefined : districtName(claims.district)],
    ['type', claims.permit_type === undefined ? undefined : permitTypeName(claims.permit_type)],
    ['validUntil', claims.valid_until],
  ];
  return rows.filter(([, value]) => value !== undefined && value !== null && value !== '').map(([k, v]) => [k, String(v)]);
}

/** Fill a <dl> with [label key, text] rows; each <dd> is marked with its key. */
export function fillList(list, rows) {
  list.replaceChildren();
  for (const [label, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = t(label);
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.dataset.field = label;
    list.append(dt, dd);
  }
}

/**
 * Show `verdict`; `decodedAt` (performance.now()) gives the latency shown;
 * hidden after `holdS`. `checkedAt` (Unix seconds) marks a verdict shown
 * again for a code this device has just checked.
 */
export function showVerdict(verdict, {decodedAt, holdS, feedback, checkedAt = null}) {
  const tone = toneOf(verdict);
  const info = reasonInfo(verdict.reason);
  const box = byId('verdict');
  box.dataset.tone = tone;
  box.dataset.reason = verdict.reason;
  box.dataset.offline = String(Boolean(verdict.offline));
  box.dataset.repeat = String(checkedAt !== null);
  byId('verdict-title').textContent = toneTitle(tone);
  byId('verdict-zh').textContent = info.zh;
  byId('verdict-en').textContent = info.en;
  byId('verdict-action-zh').textContent = info.action ? info.action.zh : '';
  byId('verdict-action-en').textContent = info.action ? info.action.en : '';
  byId('verdict-code').textContent = verdict.reason;
  byId('verdict-mode').textContent = modeName(verdict.mode);
  byId('verdict-offline').hidden = !verdict.offline;
  byId('verdict-repeat').hidden = checkedAt === null;
  byId('verdict-repeat').textContent = checkedAt === null ? '' : t('checkedBefore', timeOfDay(checkedAt));
  byId('verdict-idcheck').hidden = !(verdict.requires_id_check && verdict.valid);
  byId('verdict-refresh').hidden = info.remedy !== 'refresh_data';
  byId('verdict-refresh').disabled = false;
  byId('verdict-refresh-state').textContent = '';
  fillList(byId('verdict-claims'), claimRows(verdict.claims));
  const latency = Math.round(performance.now() - decodedAt);
  box.dataset.latencyMs = String(latency);
  byId('verdict-latency').textContent = t('latency', latency);
  box.hidden = false;
  box.scrollTop = 0;
  feedback.signal(tone);
  holdFor(holdS);
}

/** Keep the verdict on screen for `holdS` seconds from now. */
export function holdFor(holdS) {
  clearTimeout(timer);
  timer = setTimeout(hideVerdict, holdS * 1000);
}

export function hideVerdict() {
  clearTimeout(timer);
  byId('verdict').hidden = true;
  for (const listener of hiddenListeners) listener();
}

export function verdictShown() {
  return !byId('verdict').hidden;
}
