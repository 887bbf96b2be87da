// Which code the phone shows, and keeping it fresh. Online: a new signed code
// from /v1/holder/live about a second before the current one expires. When
// the network is gone: the device-bound pass with each step signed by this
// phone's key (device-binding.js), or, in a browser that cannot create such a
// key, the offline pass with its one-time code (the weaker mode), changing
// every period. Back online: the live code again.

import {PATHS, messageOf, readJson, request} from './holder-api.js';
import {announce, renderClock, renderCredential, setCodeShown, setOfflineLook, showReplaced} from './card-view.js';
import {deviceCodeAt, devicePassDue, devicePassUsable, ensureRegisteredKey} from './device-binding.js';
import {passCodeAt, passDueForRenewal, passUsable} from './offline-pass.js';
import {clearQR, renderQR} from './qr-view.js';
import {KEYS, getItem, getJson, setJson} from './storage.js';
import {lang, t} from './text.js';
import {keepScreenOn} from './wake-lock.js';

const RETRY_MS = 5000;
const NOT_ACTIVE_RETRY_MS = 30000;
// How often the page asks for the permit's state, so a suspension, a reinstatement
// or a change shows without a reload.
const STATUS_POLL_MS = 10000;

let mode = 'none'; // "live" | "offline" | "none"
let liveTimer = null;
let offlineTimer = null;
let expiresAtMs = 0;
let credential = null;
let passFetching = false;
let deviceKey = null;
let pollTimer = null;
let onUnenrolled = () => {};

/** Call `listener()` when the issuer no longer knows this phone (401). */
export function setUnenrolledHandler(listener) {
  onUnenrolled = listener;
}

export function shownCredential() {
  return credential;
}

/** Redraw the clock, band and countdown (every quarter second). */
export function tick() {
  renderClock(Date.now(), {cred: credential, expiresAtMs, offline: mode === 'offline'});
}

function setMode(next) {
  if (mode === next) return;
  const was = mode;
  mode = next;
  setOfflineLook(next === 'offline');
  if (next === 'offline') announce(t('offline_on'));
  else if (was === 'offline' && next === 'live') announce(t('online_on'));
}

function showNothing(message) {
  clearQR(message);
  expiresAtMs = 0;
  setCodeShown(false);
  keepScreenOn(false);
  tick(); // the band and countdown go with the code, not a quarter second later
}

function showCode(text, kind) {
  renderQR(text, kind);
  setCodeShown(true);
  keepScreenOn(true);
}

function scheduleLive(ms) {
  clearTimeout(liveTimer);
  liveTimer = setTimeout(refreshLive, ms);
}

async function refreshLive() {
  clearTimeout(liveTimer);
  if (!getItem(KEYS.token)) return;
  if (navigator.onLine === false) {
    goOffline();
    scheduleLive(RETRY_MS);
    return;
  }
  try {
    const res = await request(PATHS.live);
    if (res.status === 401) {
      lostAccess();
      return;
    }
    if (res.status === 409) {
      const body = await readJson(res);
      setJson(KEYS.pass, null);
      setJson(KEYS.devicePass, null);
      clearTimeout(offlineTimer);
      setMode('live');
      showNothing(messageOf(body, lang(), t('not_active')));
      loadCredential();
      scheduleLive(NOT_ACTIVE_RETRY_MS);
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = await res.json();
    clearTimeout(offlineTimer);
    setMode('live');
    showCode(body.code, 'live');
    expiresAtMs = Date.now() + body.expires_in * 1000;
    tick();
    scheduleLive(Math.max(500, (body.expires_in - 1) * 1000));
    refreshPass(false);
  } catch (e) {
    goOffline();
    scheduleLive(RETRY_MS);
  }
}

export function goOffline() {
  if (mode === 'offline') return;
  setMode('offline');
  renderOffline();
}

/** The offline code at `now`: the device-bound one when this phone can show it, else the one-time-code pass. */
async function offlineCodeAt(now) {
  const devicePass = getJson(KEYS.devicePass);
  if (devicePassUsable(devicePass, deviceKey, now)) return {...(await deviceCodeAt(devicePass, deviceKey, now)), kind: 'device'};
  const pass = getJson(KEYS.pass);
  if (passUsable(pass, now)) return {...(await passCodeAt(pass, now)), kind: 'pass'};
  return null;
}

async function renderOffline() {
  clearTimeout(offlineTimer);
  if (mode !== 'offline') return;
  try {
    const code = await offlineCodeAt(Date.now() / 1000);
    if (mode !== 'offline') return;
    if (!code) {
      showNothing(t('no_pass'));
      return;
    }
    const {text, expiresAt, kind} = code;
    showCode(text, kind);
    expiresAtMs = expiresAt * 1000;
    tick();
    offlineTimer = setTimeout(renderOffline, Math.max(50, expiresAtMs - Date.now() + 50));
  } catch (e) {
    showNothing(t('no_pass'));
  }
}

/**
 * Renew the offline pass when the one held is due (or always, with `force`):
 * the device-bound pass when this phone holds a registered key, else the
 * one-time-code pass.
 */
async function refreshPass(force) {
  const now = Date.now() / 1000;
  const device = deviceKey !== null;
  const [key, path, due] = device
    ? [KEYS.devicePass, PATHS.devicePass, devicePassDue(getJson(KEYS.devicePass), now)]
    : [KEYS.pass, PATHS.pass, passDueForRenewal(getJson(KEYS.pass), now)];
  if (!force && !due) return;
  if (passFetching) return;
  passFetching = true;
  try {
    const res = await request(path);
    if (res.status === 401) {
      lostAccess();
      return;
    }
    if (res.status === 409) {
      setJson(key, null);
      return;
    }
    if (res.ok) setJson(key, await res.json());
  } catch (e) {
    // keep the pass we have
  } finally {
    passFetching = false;
  }
}

async function loadCredential() {
  try {
    const res = await request(PATHS.credential);
    if (res.status === 401) {
      onUnenrolled();
      return;
    }
    if (!res.ok) return;
    const previous = credential;
    credential = await res.json();
    setJson(KEYS.credential, credential);
    renderCredential(credential);
    tick();
    noteChange(previous, credential);
  } catch (e) {
    // offline: keep the cached details
  }
}

/**
 * React to what changed since the last look: a new version (变更) makes the
 * offline passes held useless, so they are renewed; a permit that can be shown
 * again (reinstated) gets its code at once; one that no longer can loses it.
 */
function noteChange(previous, now) {
  if (!previous || !now) return;
  if (previous.version !== now.version) {
    setJson(KEYS.pass, null);
    setJson(KEYS.devicePass, null);
    showReplaced();
    announce(t('replaced'));
    refreshPass(true);
    if (mode !== 'offline') refreshLive();
  } else if (now.can_show && !previous.can_show && mode !== 'offline') {
    refreshLive();
  } else if (!now.can_show && previous.can_show && mode !== 'offline') {
    refreshLive(); // answered 409: the code goes and the state box says why
  }
}

function schedulePoll() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => {
    if (navigator.onLine !== false) await loadCredential();
    schedulePoll();
  }, STATUS_POLL_MS);
}

/**
 * The issuer refused this phone's token: a permit revoked for good takes its
 * phones with it, and the page says so (state, reason, where to go) rather
 * than asking to enrol again; any other refusal means the phone was removed.
 */
async function lostAccess() {
  try {
    const res = await request(PATHS.credential);
    const body = res.ok ? await res.json() : null;
    if (body && body.state && body.state.code === 'revoked') {
      stopTimers();
      setJson(KEYS.pass, null);
      setJson(KEYS.devicePass, null);
      credential = body;
      setJson(KEYS.credential, body);
      renderCredential(body);
      setMode('live');
      showNothing(body.state[lang()]);
      return;
    }
  } catch (e) {
    // no answer: treat as removed only when the issuer said so
    return;
  }
  onUnenrolled();
}

function stopTimers() {
  clearTimeout(liveTimer);
  clearTimeout(offlineTimer);
  clearTimeout(pollTimer);
}

/** The refresh button: the permit's state and a new code now. */
export async function refreshNow() {
  await loadCredential();
  await refreshLive();
  announce(t('refreshed'));
}

/** This phone's registered device key, creating and registering one when it has none (null if it cannot). */
async function bindDevice() {
  return ensureRegisteredKey((body) => request(PATHS.deviceKey, {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body),
  }));
}

/** Start showing codes for the enrolled phone (after enrolment or on opening the page). */
export async function startDisplay() {
  credential = getJson(KEYS.credential);
  renderCredential(credential);
  mode = 'none';
  showNothing('');
  loadCredential();
  schedulePoll();
  bindDevice().then(async (key) => {
    deviceKey = key;
    await refreshPass(false);
    if (mode === 'offline') renderOffline();
  });
  return refreshLive();
}

/** Stop every timer and forget what was shown (the phone was unenrolled). */
export function stopDisplay() {
  stopTimers();
  credential = null;
  deviceKey = null;
  mode = 'none';
  showNothing('');
}

/** The network came back: fetch a live code at once. */
export function networkBack() {
  return refreshLive();
}
