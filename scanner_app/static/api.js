// The verifier service's /v1 API on the same origin, with a timeout, and
// whether the service is reachable (a copy the service worker kept is not a
// sign that it is).

const DEFAULT_TIMEOUT_MS = 3000;
let online = navigator.onLine;
const listeners = [];

export function isOnline() {
  return online;
}

/** Call `listener(online)` whenever reachability changes. */
export function onOnlineChange(listener) {
  listeners.push(listener);
}

export function setOnline(value) {
  const next = Boolean(value) && navigator.onLine;
  if (next === online) return;
  online = next;
  for (const listener of listeners) listener(online);
}

/**
 * `{status, data, cached}` for a JSON call, or null when the service could
 * not be reached (network error, timeout).
 */
export async function api(path, {method = 'GET', body, timeout = DEFAULT_TIMEOUT_MS} = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  try {
    const headers = {'X-Requested-With': 'scanner'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin', cache: 'no-store', signal: controller.signal,
    });
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    const cached = response.headers.get('X-Scanner-Cache') === 'hit';
    setOnline(!cached);
    return {status: response.status, data, cached};
  } catch (e) {
    setOnline(false);
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** A JSON document of the app itself (/scan/...), or `fallback`. */
export async function loadJson(path, fallback) {
  try {
    const response = await fetch(path, {credentials: 'same-origin'});
    return response.ok ? await response.json() : fallback;
  } catch (e) {
    return fallback;
  }
}
