// Who is signed in on the business pages. The service keeps the session (an
// HttpOnly cookie, business keys only: POST /v1/session with role
// "business"); the page holds the key only while signing in and keeps just
// the session's name in memory. Nothing is remembered for offline use: a
// business checks online, where the service decides what it may see.

import {api} from '/scan/api.js';

let signedIn = null;

/** {name, display_name, expires_at} of the signed-in business key, or null. */
export function currentBusiness() {
  return signedIn;
}

/** Ask the service who is signed in; only a business session counts here. */
export async function checkSession() {
  const result = await api('/v1/session');
  const data = result && result.status === 200 ? result.data : null;
  signedIn = data && data.role === 'business' && typeof data.name === 'string'
    ? {name: data.name, display_name: data.display_name || data.name, expires_at: data.expires_at}
    : null;
  return signedIn;
}

/**
 * Sign in with a business key: null when signed in, else the text key of what
 * went wrong, or the service's own {zh, en} message when it says why (an
 * official key belongs on the officials' scanner).
 */
export async function signIn(key) {
  const result = await api('/v1/session', {method: 'POST', body: {api_key: key, role: 'business'}});
  if (!result) return 'noNetwork';
  if (result.status === 200) return (await checkSession()) ? null : 'signinFailed';
  if (result.status === 401) return 'badKey';
  if (result.status === 429) return 'tooMany';
  const message = result.data && result.data.message;
  if (message && typeof message.zh === 'string' && typeof message.en === 'string') return message;
  return 'signinFailed';
}

export async function signOut() {
  await api('/v1/session', {method: 'DELETE'});
  signedIn = null;
}

/** Forget the session here (the service refused it: expired, or its key was revoked). */
export function forgetSession() {
  signedIn = null;
}
