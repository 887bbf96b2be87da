// What the service's messages document (/scan/messages.json, generated from
// keys/) says about reason codes, districts and permit types, so the handheld
// shows the same words as the service and never keeps its own copy.

import {lang} from './i18n.js';

let messages = {reasons: {}, districts: {}, permit_types: {}};
const ATTENTION_REASONS = new Set(['LIVENESS_UNVERIFIABLE', 'SERVICE_UNAVAILABLE', 'STATUS_STALE']);

export function loadMessages(doc) {
  if (doc && typeof doc === 'object' && doc.reasons && typeof doc.reasons === 'object') messages = doc;
}

export function knownReason(reason) {
  return typeof reason === 'string' && Object.prototype.hasOwnProperty.call(messages.reasons, reason);
}

/** {zh, en} for a reason code; an unknown code reads as MALFORMED. */
export function reasonMessage(reason) {
  return messages.reasons[reason] || messages.reasons.MALFORMED || {zh: reason, en: reason};
}

/** The verdict screen's tone: "ok", "warn" or "fail". */
export function toneOf(verdict) {
  if (verdict.reason === 'VALID') return verdict.requires_id_check || verdict.offline ? 'warn' : 'ok';
  return ATTENTION_REASONS.has(verdict.reason) ? 'warn' : 'fail';
}

// The service names districts and permit types as {code, zh, en}; offline
// verdicts carry only the code, named from the messages document.
function named(table, value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    if (typeof value[lang()] === 'string') return value[lang()];
    value = value.code;
  }
  const entry = table[String(value)];
  return entry ? entry[lang()] : String(value ?? '');
}

export function districtName(value) {
  return named(messages.districts || {}, value);
}

export function permitTypeName(value) {
  return named(messages.permit_types || {}, value);
}

/** The name of a code's mode ("MINTED", "DEVICE", ...; the one-time-code PASS says it is the weaker mode). */
export function modeName(mode) {
  return mode ? named(messages.modes || {}, mode) : '';
}
