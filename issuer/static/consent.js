// "Show to a business": the holder picks what a business may see beyond the
// permit type, district and validity it always sees (the name, the last four
// ID characters, or nothing), and the page shows a live code carrying that
// choice, signed into the code by the issuer (GET /v1/holder/live?disclose=...),
// rotating like the normal one, labelled with what it reveals; "back to the
// normal code" closes it. Online only: the choice is signed by the issuer, so
// the offline codes cannot carry it. The field names are the wire format's
// (keys.vocabulary.Disclosure, /lib/wire.js).

import {DISCLOSURE} from '/lib/wire.js';
import {PATHS, messageOf, readJson, request} from './holder-api.js';
import {drawQR} from './qr-view.js';
import {lang, t} from './text.js';

/** What a holder may choose to show, in the wire format's order. */
export const FIELDS = Object.freeze(Object.keys(DISCLOSURE));
const RETRY_MS = 5000;
const $ = (id) => document.getElementById(id);

let chosen = null; // the fields of the code shown (an array), or null: choosing
let timer = null;
let expiresAtMs = 0;
let onLost = () => {};

/** The query of the live code for `fields` (an empty choice is "validity only", a choice of its own). */
export function disclosePath(fields) {
  return `${PATHS.live}?disclose=${fields.map(encodeURIComponent).join(',')}`;
}

/** What a code with `fields` shows a business, in words: the chosen fields, then what it always sees. */
export function revealsText(fields) {
  const names = [...fields.map((f) => t(`consent_${f}`)), t('consent_always')];
  return t('consent_reveals', names.join(lang() === 'zh' ? '、' : ', '));
}

function checkedFields() {
  return FIELDS.filter((f) => $(`consent-${f}`).checked);
}

function setStep(showing) {
  $('consent-choose').hidden = showing;
  $('consent-show').hidden = !showing;
}

function clearCode(message) {
  const box = $('consent-qr');
  box.replaceChildren();
  box.classList.add('empty');
  delete box.dataset.code;
  expiresAtMs = 0;
  $('consent-message').textContent = message || '';
  $('consent-message').hidden = !message;
}

async function refresh() {
  clearTimeout(timer);
  if (chosen === null) return;
  const fields = chosen;
  try {
    const res = await request(disclosePath(fields));
    if (chosen !== fields) return; // closed or chosen again meanwhile
    if (res.status === 401) {
      close();
      onLost();
      return;
    }
    if (!res.ok) {
      clearCode(messageOf(await readJson(res), lang(), t('not_active')));
      timer = setTimeout(refresh, RETRY_MS * 6);
      return;
    }
    const body = await res.json();
    if (!Array.isArray(body.disclose) || body.disclose.join(',') !== fields.join(',')) {
      // The issuer says what it signed into the code: a label must never promise what the code does not carry.
      clearCode(t('not_active'));
      timer = setTimeout(refresh, RETRY_MS);
      return;
    }
    const box = $('consent-qr');
    drawQR(box, body.code);
    box.dataset.disclose = fields.join(',');
    box.setAttribute('aria-label', `${t('consent_qr')}: ${revealsText(fields)}`);
    $('consent-message').hidden = true;
    expiresAtMs = Date.now() + body.expires_in * 1000;
    tick();
    timer = setTimeout(refresh, Math.max(500, (body.expires_in - 1) * 1000));
  } catch (e) {
    if (chosen !== fields) return;
    clearCode(t('consent_offline'));
    timer = setTimeout(refresh, RETRY_MS);
  }
}

/** The countdown to the next code (called with the page's clock). */
export function tick() {
  const left = expiresAtMs ? Math.max(0, Math.ceil((expiresAtMs - Date.now()) / 1000)) : 0;
  $('consent-countdown').textContent = expiresAtMs ? t('refresh_in', left) : '';
}

function show(event) {
  event.preventDefault();
  chosen = checkedFields();
  $('consent-label').textContent = revealsText(chosen);
  clearCode('');
  setStep(true);
  $('consent-back').focus();
  refresh();
}

function preset(fields) {
  for (const f of FIELDS) $(`consent-${f}`).checked = fields.includes(f);
}

function open() {
  chosen = null;
  setStep(false);
  $('consent').showModal();
  $(`consent-${FIELDS[0]}`).focus();
}

/** Back to the normal code: the dialog goes and its code stops rotating. */
function close() {
  if ($('consent').open) $('consent').close();
}

function closed() {
  chosen = null;
  clearTimeout(timer);
  clearCode('');
  $('consent-open').focus();
}

/** Redraw the words of the code shown after a language switch. */
export function renderConsent() {
  if (chosen === null) return;
  $('consent-label').textContent = revealsText(chosen);
  $('consent-qr').setAttribute('aria-label', `${t('consent_qr')}: ${revealsText(chosen)}`);
  tick();
}

/** Wire the dialog; `lost()` when the issuer no longer knows this phone. */
export function setUpConsent(lost) {
  onLost = lost;
  $('consent-open').addEventListener('click', open);
  $('consent-form').addEventListener('submit', show);
  $('consent-landlord').addEventListener('click', () => preset(['name', 'id_tail']));
  $('consent-shop').addEventListener('click', () => preset([]));
  $('consent-cancel').addEventListener('click', close);
  $('consent-back').addEventListener('click', close);
  $('consent-change').addEventListener('click', () => {
    chosen = null;
    clearTimeout(timer);
    clearCode('');
    setStep(false);
    $(`consent-${FIELDS[0]}`).focus();
  });
  $('consent').addEventListener('close', closed);
}
