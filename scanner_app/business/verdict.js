// A business verdict on screen: its tone and reason in both languages, what
// the holder agreed to show (the verdict's `disclosed` object: exactly the
// fields the holder signed into this code, nothing when they chose none),
// and the permit's type, district and validity. A refused code shows nothing
// about its holder: the service sends nothing.

import {byId} from '/scan/dom.js';
import {timeOfDay, toneTitle} from '/scan/i18n.js';
import {districtName, permitTypeName, reasonInfo, toneOf} from '/scan/reasons.js';
import {t} from './text.js';

/** [field, label key, text] rows of what the holder agreed to show, in the service's order. */
export function disclosedRows(disclosed) {
  if (!disclosed || typeof disclosed !== 'object') return [];
  return Object.entries(disclosed)
    .filter(([, value]) => typeof value === 'string' && value !== '')
    .map(([field, value]) => [field, field, value]);
}

/** [field, label key, text] rows of the permit a business always sees for a valid code. */
export function claimRows(claims) {
  if (!claims || typeof claims !== 'object') return [];
  return [
    ['permit_type', 'type', claims.permit_type === undefined ? '' : permitTypeName(claims.permit_type)],
    ['district', 'district', claims.district === undefined ? '' : districtName(claims.district)],
    ['valid_until', 'validUntil', claims.valid_until || ''],
  ].filter(([, , value]) => value !== '');
}

function fill(list, rows) {
  list.replaceChildren();
  for (const [field, label, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = t(label) || field;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.dataset.field = field;
    list.append(dt, dd);
  }
}

/** Which consent sentence fits: "chosen", "validityOnly", "noChoice" or, refused, "refusedNothing". */
export function consentNote(verdict) {
  if (!verdict.valid) return 'refusedNothing';
  const disclosed = verdict.disclosed;
  if (disclosed === undefined || disclosed === null) return 'noChoice';
  return disclosedRows(disclosed).length ? 'chosen' : 'validityOnly';
}

let shown = null;

/** Show `verdict` (a body of POST /v1/verify) and move focus to it. */
export function showVerdict(verdict) {
  shown = verdict;
  renderVerdict();
  const box = byId('verdict');
  box.hidden = false;
  box.focus();
}

/** Draw the verdict shown, in the current language (called again on a language switch). */
export function renderVerdict() {
  if (!shown) return;
  const verdict = shown;
  const tone = toneOf(verdict);
  const info = reasonInfo(verdict.reason);
  const box = byId('verdict');
  box.dataset.tone = tone;
  box.dataset.reason = verdict.reason;
  box.dataset.consent = consentNote(verdict);
  byId('verdict-title').textContent = toneTitle(tone);
  byId('verdict-zh').textContent = info.zh;
  byId('verdict-en').textContent = info.en;
  byId('verdict-action-zh').textContent = info.action ? info.action.zh : '';
  byId('verdict-action-en').textContent = info.action ? info.action.en : '';
  const disclosed = verdict.valid ? disclosedRows(verdict.disclosed) : [];
  fill(byId('verdict-disclosed'), disclosed);
  byId('consent-title').hidden = !disclosed.length;
  byId('verdict-consent').textContent = t(consentNote(verdict));
  const claims = verdict.valid ? claimRows(verdict.claims) : [];
  fill(byId('verdict-claims'), claims);
  byId('permit-title').hidden = !claims.length;
  byId('verdict-code').textContent = verdict.reason;
  const at = Date.parse(verdict.checked_at);
  byId('verdict-checked').textContent = Number.isNaN(at) ? '' : t('checkedAt', timeOfDay(at / 1000));
}

export function hideVerdict() {
  shown = null;
  byId('verdict').hidden = true;
}
