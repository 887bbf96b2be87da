// The handheld scanner: wires the modules together. Sign-in (session.js),
// inputs (scan-input.js), one verdict per code (verification.js) shown full
// screen (verdict-view.js) and remembered (recent-scans.js, outbox.js), with
// the key set, status list and clock kept current (offline-data.js,
// service-clock.js) for offline checks.

import {loadJson, onOnlineChange, setOnline} from './api.js';
import {DeviceStore, ReplayMemory} from './device-store.js';
import {byId} from './dom.js';
import {Feedback} from './feedback.js';
import {applyLanguage, lang, loadLanguage, onLanguageChange, t, toggleLanguage} from './i18n.js';
import {DEFAULT_OPTIONS, credentialRefHash} from './offline-check.js';
import {loadOfflineData, refreshOfflineData} from './offline-data.js';
import {addRecord, flushOutbox, loadOutbox} from './outbox.js';
import {loadMessages, toneOf} from './reasons.js';
import {addRecentScan, clearRecentScans, loadRecentScans, renderRecentScans} from './recent-scans.js';
import {
  focusWedge, rearmCamera, renderCameraState, setUpInputs, startCamera, stopCamera, toggleCamera,
} from './scan-input.js';
import {loadClock, measureClock, serviceNow} from './service-clock.js';
import {checkSession, currentOfficial, forgetSession, sessionEnded, signIn, signOut} from './session.js';
import {renderStatusBar} from './status-bar.js';
import {SIGNED_OUT, verifyCode} from './verification.js';
import {holdFor, hideVerdict, onVerdictHidden, showVerdict} from './verdict-view.js';
import {forgetVerdicts, recallVerdict, rememberVerdict} from './verdict-memory.js';
import {toHex} from '/lib/bytes.js';
import {trimScanned} from '/lib/wire.js';

const UPLOAD_RETRY_MS = 5000;
const CLOCK_CHECK_MS = 60000;

const feedback = new Feedback();
let config = {...DEFAULT_OPTIONS, clock_warn_s: 15, verdict_hold_s: 4, refresh_s: 300};
let store = null;
let replay = null;
let device = null;
let queue = Promise.resolve();

function renderStatus() {
  renderStatusBar(serviceNow(), config.clock_warn_s);
}

function holdSeconds() {
  const asked = Number(new URLSearchParams(location.search).get('hold'));
  const hold = Number.isFinite(asked) && asked > 0 ? asked : config.verdict_hold_s;
  return Math.min(60, Math.max(0.5, hold));
}

// --- screens ---------------------------------------------------------------

function showScreen(message = '') {
  const official = currentOfficial();
  const signedIn = Boolean(official);
  document.body.dataset.state = signedIn ? 'ready' : 'signin';
  byId('signin').hidden = signedIn;
  byId('ready').hidden = !signedIn;
  byId('sign-out').hidden = !signedIn;
  byId('official').textContent = signedIn ? official.display_name || official.name : '';
  byId('signin-error').textContent = message;
  if (signedIn) {
    focusWedge();
    startCamera();
  } else {
    hideVerdict();
    stopCamera();
    byId('officer-name').focus();
  }
}

async function onSignIn(event) {
  event.preventDefault();
  feedback.unlock();
  const fields = ['officer-name', 'officer-password', 'officer-otp', 'access-key'].map((id) => byId(id));
  const [officer, password, otp, key] = fields.map((input) => input.value.trim());
  fields.slice(1).forEach((input) => { input.value = ''; });
  const credentials = officer ? {officer, password, otp} : key ? {api_key: key} : null;
  if (!credentials) return;
  byId('signin-button').disabled = true;
  try {
    const problem = await signIn(credentials, serviceNow());
    if (problem) {
      byId('signin-error').textContent = typeof problem === 'string' ? t(problem) : problem[lang()];
      return;
    }
    showScreen();
    refreshData();
    uploadRecords();
  } finally {
    byId('signin-button').disabled = false;
  }
}

async function onSignOut() {
  await signOut();
  forgetVerdicts();
  await clearRecentScans();
  showScreen();
}

function sessionExpired() {
  forgetSession();
  showScreen(t('expired'));
}

// --- data ------------------------------------------------------------------

/** Fetch the key set, status list and clock; true when the service answered. */
async function refreshData() {
  const fetched = await refreshOfflineData(store, serviceNow);
  await measureClock();
  renderStatus();
  return fetched;
}

async function uploadRecords() {
  if (!currentOfficial()) return;
  await flushOutbox();
  renderStatus();
}

// --- one scan --------------------------------------------------------------

async function scan(text, decodedAt) {
  if (!currentOfficial()) return;
  const now = serviceNow();
  if (sessionEnded(now)) {
    // Offline the service cannot say so: the remembered session ends on time here.
    sessionExpired();
    return;
  }
  const recalled = recallVerdict(text, now);
  if (recalled) {
    showVerdict(recalled.verdict, {decodedAt, holdS: holdSeconds(), feedback, checkedAt: recalled.at});
    return;
  }
  const verdict = await verifyCode(text, now, {replay, options: config});
  if (verdict === SIGNED_OUT) {
    sessionExpired();
    return;
  }
  rememberVerdict(text, verdict, now, config);
  showVerdict(verdict, {decodedAt, holdS: holdSeconds(), feedback});
  await addRecentScan(verdict, toneOf(verdict), now);
  if (verdict.offline) {
    await addRecord({
      scanned_at: new Date(now * 1000).toISOString(),
      reason: verdict.reason,
      mode: verdict.mode,
      offline: true,
      device,
      cred_ref_hash: verdict.ref_hex ? await credentialRefHash(verdict.ref_hex) : null,
    });
    renderStatus();
  }
}

function submit(text, decodedAt) {
  const code = trimScanned(String(text || ''));
  if (!code) return;
  queue = queue.then(() => scan(code, decodedAt)).catch(() => {});
}

function dismissVerdict(event) {
  if (event.target.closest('button')) return;
  feedback.unlock();
  hideVerdict();
  rearmCamera();
}

/** The verdict's remedy for UNKNOWN_KEY and STATUS_STALE: fetch the key set and status list now. */
async function refreshFromVerdict(event) {
  event.stopPropagation();
  const button = byId('verdict-refresh');
  const state = byId('verdict-refresh-state');
  button.disabled = true;
  state.textContent = t('refreshing');
  holdFor(60);
  const done = await refreshData();
  state.textContent = done ? t('refreshed') : t('refreshFailed');
  button.disabled = false;
  holdFor(holdSeconds());
}

// --- start -----------------------------------------------------------------

function deviceId() {
  let id = localStorage.getItem('device');
  if (!id) {
    id = toHex(crypto.getRandomValues(new Uint8Array(8)));
    localStorage.setItem('device', id);
  }
  return id;
}

function render() {
  applyLanguage();
  renderCameraState();
  renderStatus();
  renderRecentScans();
}

async function main() {
  loadLanguage();
  device = deviceId();
  store = await DeviceStore.open();
  replay = new ReplayMemory(store);
  await loadClock(store);
  const [messages, served] = await Promise.all([
    loadJson('/scan/messages.json', null),
    loadJson('/scan/config.json', {}),
    replay.load(serviceNow()),
  ]);
  loadMessages(messages);
  config = {...config, ...served};
  await Promise.all([loadRecentScans(store), loadOutbox(store)]);
  await loadOfflineData(store, serviceNow);

  byId('lang-toggle').addEventListener('click', toggleLanguage);
  onLanguageChange(render);
  byId('signin-form').addEventListener('submit', onSignIn);
  byId('sign-out').addEventListener('click', onSignOut);
  byId('verdict').addEventListener('click', dismissVerdict);
  byId('verdict-refresh').addEventListener('click', refreshFromVerdict);
  byId('scan-detail').addEventListener('close', () => { if (currentOfficial()) focusWedge(); });
  byId('camera-toggle').addEventListener('click', () => {
    feedback.unlock();
    toggleCamera();
  });
  setUpInputs(submit, () => Boolean(currentOfficial()));
  onVerdictHidden(() => { if (currentOfficial()) focusWedge(); });
  document.addEventListener('pointerdown', () => feedback.unlock(), {once: true});
  onOnlineChange((online) => {
    renderStatus();
    if (online) uploadRecords();
  });
  window.addEventListener('online', () => {
    setOnline(true);
    refreshData();
    uploadRecords();
  });
  window.addEventListener('offline', () => setOnline(false));

  render();
  await checkSession(serviceNow());
  showScreen();
  if (navigator.onLine) refreshData();
  setInterval(() => { if (navigator.onLine) refreshData(); }, config.refresh_s * 1000);
  setInterval(() => { if (navigator.onLine) measureClock().then(renderStatus); }, CLOCK_CHECK_MS);
  setInterval(() => { uploadRecords(); renderStatus(); }, UPLOAD_RETRY_MS);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/scan/sw.js', {scope: '/scan'}).catch(() => {});
  }
  document.body.dataset.loaded = 'true';
}

main();
