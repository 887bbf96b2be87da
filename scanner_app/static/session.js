// Who is signed in on this handheld. The service keeps the session (an
// HttpOnly cookie); the page remembers only the official's name, role and
// when the session ends, so an official who signed in here may keep checking
// offline until then.

import {api} from './api.js';

const REMEMBERED = 'official';
let official = null;

/** {name, role, expires_at} of the signed-in official, or null. */
export function currentOfficial() {
  return official;
}

function expiresAtSeconds(value) {
  if (typeof value === 'number') return value;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? 0 : parsed / 1000;
}

/** Whether the session has ended by `now` (Unix seconds), as far as this device can tell. */
export function sessionEnded(now) {
  return !official || expiresAtSeconds(official.expires_at) <= now;
}

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(REMEMBERED) || 'null');
  } catch (e) {
    return null;
  }
}

/** Forget the session on this device (signed out, expired, or refused by the service). */
export function forgetSession() {
  official = null;
  localStorage.removeItem(REMEMBERED);
}

/** Ask the service who is signed in; unreachable, fall back on the remembered session while it lasts. */
export async function checkSession(now) {
  const result = navigator.onLine ? await api('/v1/session') : null;
  // A business session on this origin (the business page) is not this handheld's: the
  // scanner checks offline with every claim in view, which is for officials only.
  if (result && result.status === 200 && result.data && typeof result.data.name === 'string'
      && result.data.role === 'official') {
    const {name, role, expires_at: expiresAt, display_name: displayName} = result.data;
    official = {name, role, expires_at: expiresAt, display_name: displayName || name};
    localStorage.setItem(REMEMBERED, JSON.stringify(official));
  } else if (result && (result.status === 200 || result.status === 401 || result.status === 403)) {
    forgetSession();
  } else {
    const saved = remembered();
    official = saved && expiresAtSeconds(saved.expires_at) > now ? saved : null;
  }
  return official;
}

/**
 * Sign in with an officer account ({officer, password, otp}) or an access key ({api_key}):
 * null when signed in, else the i18n key of what went wrong, or the service's own
 * {zh, en} message when it says why (e.g. a business key cannot use the scanner).
 */
export async function signIn(credentials, now) {
  const result = await api('/v1/session', {method: 'POST', body: credentials});
  if (!result) return 'noNetwork';
  if (result.status >= 200 && result.status < 300) {
    await checkSession(now);
    return official ? null : 'signinFailed';
  }
  if (result.status === 429) return 'tooMany';
  if (result.status === 401 && !credentials.officer) return 'badKey';
  const message = result.data && result.data.message;
  if (message && typeof message.zh === 'string' && typeof message.en === 'string') return message;
  if (result.status === 401 || result.status === 403) return 'badKey';
  return 'signinFailed';
}

export async function signOut() {
  await api('/v1/session', {method: 'DELETE'});
  forgetSession();
}
