// The full-screen verdict: tone, reason in both languages, what the code says
// about its holder, then back to scanning after a hold time (or a tap).

import {byId} from './dom.js';
import {t} from './i18n.js';
import {districtName, modeName, permitTypeName, reasonMessage, toneOf} from './reasons.js';

let timer = null;
const hiddenListeners = [];

/** Call `listener()` each time the verdict screen goes away. */
export function onVerdictHidden(listener) {
  hiddenListeners.push(listener);
}

function renderClaims(claims) {
  const list = byId('verdict-claims');
  list.replaceChildren();
  if (!claims || typeof claims !== 'object') return;
  const rows = [
    ['name', claims.name],
    ['id', claims.id_number_masked ?? claims.id_masked],
    ['district', claims.district === undefined ? undefined : districtName(claims.district)],
    ['type', claims.permit_type === undefined ? undefined : permitTypeName(claims.permit_type)],
    ['validUntil', claims.valid_until],
  ];
  for (const [label, value] of rows) {
    if (value === undefined || value === null || value === '') continue;
    const dt = document.createElement('dt');
    dt.textContent = t(label);
    const dd = document.createElement('dd');
    dd.textContent = String(value);
    dd.dataset.field = label;
    list.append(dt, dd);
  }
}

/** Show `verdict`; `decodedAt` (performance.now()) gives the latency shown; hidden after `holdS`. */
export function showVerdict(verdict, decodedAt, holdS, feedback) {
  const tone = toneOf(verdict);
  const box = byId('verdict');
  const message = reasonMessage(verdict.reason);
  box.dataset.tone = tone;
  box.dataset.reason = verdict.reason;
  box.dataset.offline = String(Boolean(verdict.offline));
  byId('verdict-title').textContent = t(tone);
  byId('verdict-zh').textContent = message.zh;
  byId('verdict-en').textContent = message.en;
  byId('verdict-code').textContent = verdict.reason;
  byId('verdict-mode').textContent = modeName(verdict.mode);
  byId('verdict-offline').hidden = !verdict.offline;
  byId('verdict-idcheck').hidden = !(verdict.requires_id_check && verdict.reason === 'VALID');
  renderClaims(verdict.claims);
  const latency = Math.round(performance.now() - decodedAt);
  box.dataset.latencyMs = String(latency);
  byId('verdict-latency').textContent = t('latency', latency);
  box.hidden = false;
  feedback.signal(tone);
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
