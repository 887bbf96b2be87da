// What the service's messages document (/scan/messages.json, generated from
// keys/reasons.py) says about reason codes, modes, districts and permit
// types: per reason its words, tone, whose fault it is and the official's
// next action. The handheld keeps no list of its own, so a new reason or a
// changed word on the server is shown here as it is.

import {lang} from './i18n.js';

let messages = {reasons: {}, districts: {}, permit_types: {}, modes: {}};

export function loadMessages(doc) {
  if (doc && typeof doc === 'object' && doc.reasons && typeof doc.reasons === 'object') messages = doc;
}

export function knownReason(reason) {
  return typeof reason === 'string' && Object.prototype.hasOwnProperty.call(messages.reasons, reason);
}

/**
 * {zh, en, tone, fault, action: {zh, en}, remedy} for a reason code; an
 * unknown code reads as MALFORMED (never as valid).
 */
export function reasonInfo(reason) {
  return (knownReason(reason) && messages.reasons[reason]) || messages.reasons.MALFORMED || {zh: reason, en: reason};
}

/**
 * The tone a verdict is shown in: "valid", "check_id", "unverified" or
 * "refused", as the server's table says. A valid verdict that needs an
 * identity document (a paper slip) is "check_id" whatever its reason's tone.
 */
export function toneOf(verdict) {
  const tone = reasonInfo(verdict.reason).tone;
  if (verdict.valid && (verdict.requires_id_check || !tone)) return 'check_id';
  if (verdict.valid) return tone;
  return tone && tone !== 'valid' ? tone : 'refused';
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
