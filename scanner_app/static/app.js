// The handheld scanner: sign-in, camera and keyboard-wedge input, online
// verdicts from the verifier service, offline verdicts from the cached key set
// and status list, recent scans, clock check and the offline record upload.

import * as fmt from './permit-format.js';
import {DeviceStore, ReplayMemory} from './device-store.js';
import {CameraScanner} from './camera.js';
import {Feedback} from './feedback.js';

const VERIFY_TIMEOUT_MS = 3000;
const RECENT_MAX = 30;
const UPLOAD_BATCH = 100;
const UPLOAD_RETRY_MS = 5000;
const CLOCK_CHECK_MS = 60000;
const ATTENTION_REASONS = new Set(['LIVENESS_UNVERIFIABLE', 'SERVICE_UNAVAILABLE', 'STATUS_STALE']);

const TEXT = {
  zh: {
    title: '居住证核验', signOut: '退出', signinTitle: '执法人员登录', accessKey: '访问密钥', signIn: '登录',
    cameraStart: '开启摄像头', cameraStop: '关闭摄像头', wedgeLabel: '扫码枪输入', keysetAge: '密钥集',
    statusAge: '状态列表', pendingUploads: '待上传记录', recentTitle: '最近核验', tapToContinue: '轻触继续扫码',
    ok: '✓ 有效', warn: '! 请注意', fail: '✗ 不通过', online: '在线', offline: '离线：使用本机缓存核验',
    never: '无', ago: (s) => (s < 60 ? '刚刚' : s < 3600 ? `${Math.floor(s / 60)} 分钟前` : s < 86400 ? `${Math.floor(s / 3600)} 小时前` : `${Math.floor(s / 86400)} 天前`),
    clockOff: (s) => `本机时间与服务器相差 ${s} 秒，请校准设备时间`,
    badKey: '访问密钥无效', tooMany: '尝试次数过多，请稍后再试', noNetwork: '无法连接核验服务',
    expired: '登录已过期，请重新登录', signinFailed: '登录失败', signedInAs: (n) => n,
    cameraOn: '摄像头扫描中', cameraOff: '摄像头已关闭', cameraError: '无法使用摄像头',
    name: '姓名', id: '身份证号', district: '所属区', type: '证件类型', validUntil: '有效期至', latency: (ms) => `${ms} 毫秒`,
    modes: {MINTED: '实时码', PASS: '离线码', PAPER: '纸质凭证'}, offlineMark: '离线',
  },
  en: {
    title: 'Permit check', signOut: 'Sign out', signinTitle: 'Official sign-in', accessKey: 'Access key', signIn: 'Sign in',
    cameraStart: 'Start camera', cameraStop: 'Stop camera', wedgeLabel: 'Scanner input', keysetAge: 'Key set',
    statusAge: 'Status list', pendingUploads: 'Records to upload', recentTitle: 'Recent scans', tapToContinue: 'Tap to scan again',
    ok: '✓ Valid', warn: '! Attention', fail: '✗ Refused', online: 'Online', offline: 'Offline: checking with cached data',
    never: 'none', ago: (s) => (s < 60 ? 'just now' : s < 3600 ? `${Math.floor(s / 60)} min ago` : s < 86400 ? `${Math.floor(s / 3600)} h ago` : `${Math.floor(s / 86400)} days ago`),
    clockOff: (s) => `This device's clock is ${s} s off the server's; set the time`,
    badKey: 'Invalid access key', tooMany: 'Too many attempts; try later', noNetwork: 'Cannot reach the verification service',
    expired: 'Session expired; sign in again', signinFailed: 'Sign-in failed', signedInAs: (n) => n,
    cameraOn: 'Camera scanning', cameraOff: 'Camera off', cameraError: 'Camera not available',
    name: 'Name', id: 'ID', district: 'District', type: 'Type', validUntil: 'Valid until', latency: (ms) => `${ms} ms`,
    modes: {MINTED: 'live code', PASS: 'offline pass', PAPER: 'paper slip'}, offlineMark: 'offline',
  },
};

const $ = (id) => document.getElementById(id);
const nowSeconds = () => Date.now() / 1000;

const state = {
  lang: 'zh',
  store: null,
  replay: null,
  messages: {reasons: {}, districts: {}, permit_types: {}},
  config: {...fmt.DEFAULT_OPTIONS, clock_warn_s: 15, verdict_hold_s: 4, refresh_s: 300},
  session: null,
  keyset: null,
  keysetFetchedAt: null,
  statusList: null,
  clockOffset: null,
  online: navigator.onLine,
  recent: [],
  outbox: [],
  device: null,
  verdictTimer: null,
  queue: Promise.resolve(),
  uploading: false,
};

const feedback = new Feedback();
let camera = null;

function t(key, ...args) {
  const value = TEXT[state.lang][key];
  return typeof value === 'function' ? value(...args) : value;
}

// --- language --------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  $('lang-toggle').textContent = state.lang === 'zh' ? 'English' : '中文';
  $('lang-toggle').lang = state.lang === 'zh' ? 'en' : 'zh-CN';
  if (camera) $('camera-toggle').textContent = camera.active ? t('cameraStop') : t('cameraStart');
  renderStatus();
  renderRecent();
}

// --- HTTP ------------------------------------------------------------------

async function api(path, {method = 'GET', body, timeout = VERIFY_TIMEOUT_MS} = {}) {
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
    // A copy the service worker kept is not a sign the service is reachable.
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

function setOnline(online) {
  const value = online && navigator.onLine;
  if (value !== state.online) {
    state.online = value;
    renderStatus();
    if (value) flushOutbox();
  }
}

// --- session ---------------------------------------------------------------

function expiresAtSeconds(value) {
  if (typeof value === 'number') return value;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? 0 : parsed / 1000;
}

async function checkSession() {
  const result = navigator.onLine ? await api('/v1/session') : null;
  if (result && result.status === 200 && result.data && typeof result.data.name === 'string') {
    const {name, role, expires_at: expiresAt} = result.data;
    state.session = {name, role, expires_at: expiresAt};
    localStorage.setItem('official', JSON.stringify(state.session));
  } else if (result && (result.status === 401 || result.status === 403)) {
    state.session = null;
    localStorage.removeItem('official');
  } else {
    // Unreachable: an official who signed in on this device may keep checking
    // offline until the session would have expired.
    let remembered = null;
    try {
      remembered = JSON.parse(localStorage.getItem('official') || 'null');
    } catch (e) {
      remembered = null;
    }
    const valid = remembered && expiresAtSeconds(remembered.expires_at) > nowSeconds();
    state.session = valid ? remembered : null;
  }
  showScreen();
}

function showScreen(message = '') {
  const signedIn = Boolean(state.session);
  document.body.dataset.state = signedIn ? 'ready' : 'signin';
  $('signin').hidden = signedIn;
  $('ready').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
  $('official').textContent = signedIn ? t('signedInAs', state.session.name) : '';
  $('signin-error').textContent = message;
  if (signedIn) {
    $('wedge').focus();
    startCamera();
  } else {
    hideVerdict();
    if (camera) camera.stop();
    renderCameraState();
    $('access-key').focus();
  }
}

async function signIn(event) {
  event.preventDefault();
  feedback.unlock();
  const input = $('access-key');
  const key = input.value.trim();
  input.value = '';
  if (!key) return;
  $('signin-button').disabled = true;
  try {
    const result = await api('/v1/session', {method: 'POST', body: {api_key: key}});
    if (!result) {
      $('signin-error').textContent = t('noNetwork');
    } else if (result.status >= 200 && result.status < 300) {
      await checkSession();
      if (state.session) {
        refreshData();
        flushOutbox();
      }
    } else if (result.status === 429) {
      $('signin-error').textContent = t('tooMany');
    } else if (result.status === 401 || result.status === 403) {
      $('signin-error').textContent = t('badKey');
    } else {
      $('signin-error').textContent = t('signinFailed');
    }
  } finally {
    $('signin-button').disabled = false;
  }
}

async function signOut() {
  await api('/v1/session', {method: 'DELETE'});
  state.session = null;
  localStorage.removeItem('official');
  showScreen();
}

// --- key set, status list, clock -------------------------------------------

async function loadCachedData() {
  const now = nowSeconds();
  const savedKeys = await state.store.get('keyset');
  if (savedKeys) {
    try {
      state.keyset = await fmt.parseKeySet(savedKeys.doc);
      state.keysetFetchedAt = savedKeys.fetched_at;
    } catch (e) {
      state.keyset = null;
    }
  }
  const savedStatus = await state.store.get('status-list');
  if (savedStatus && state.keyset) {
    try {
      state.statusList = await fmt.verifyStatusList(savedStatus.doc, state.keyset, now);
    } catch (e) {
      state.statusList = null;
    }
  }
}

async function refreshData() {
  const keys = await api('/v1/keyset', {timeout: 10000});
  if (keys && keys.status === 200 && keys.data) {
    try {
      const keyset = await fmt.parseKeySet(keys.data);
      state.keyset = keyset;
      if (!keys.cached) {
        state.keysetFetchedAt = nowSeconds();
        await state.store.set('keyset', {doc: keys.data, fetched_at: state.keysetFetchedAt});
      }
    } catch (e) {
      // keep the last good key set
    }
  }
  const status = await api('/v1/status-list', {timeout: 15000});
  if (status && status.status === 200 && status.data && state.keyset) {
    try {
      const list = await fmt.verifyStatusList(status.data, state.keyset, nowSeconds());
      if (!state.statusList || list.issuedAt >= state.statusList.issuedAt) {
        state.statusList = list;
        await state.store.set('status-list', {doc: status.data, fetched_at: nowSeconds()});
      }
    } catch (e) {
      // keep the last good status list
    }
  }
  await checkClock();
  renderStatus();
}

async function checkClock() {
  const before = Date.now();
  const result = await api('/v1/time', {timeout: 5000});
  const after = Date.now();
  if (!result || result.status !== 200 || !result.data || typeof result.data.now !== 'number' || result.cached) return;
  state.clockOffset = result.data.now - (before + after) / 2000;
  renderStatus();
}

// --- rendering -------------------------------------------------------------

function age(seconds) {
  return seconds === null || seconds === undefined ? t('never') : t('ago', Math.max(0, Math.floor(seconds)));
}

function renderStatus() {
  const now = nowSeconds();
  $('keyset-age').textContent = state.keyset ? age(state.keysetFetchedAt === null ? null : now - state.keysetFetchedAt) : t('never');
  $('status-age').textContent = state.statusList ? age(now - state.statusList.issuedAt) : t('never');
  $('pending-uploads').textContent = String(state.outbox.length);
  const net = $('network-state');
  net.dataset.online = String(state.online);
  net.textContent = state.online ? t('online') : t('offline');
  const warning = $('clock-warning');
  const off = state.clockOffset;
  if (off !== null) warning.dataset.offsetS = String(Math.round(off));
  warning.hidden = !(off !== null && Math.abs(off) > state.config.clock_warn_s);
  if (!warning.hidden) warning.textContent = t('clockOff', Math.round(off));
}

function renderCameraState() {
  const active = Boolean(camera && camera.active);
  $('camera-state').textContent = active ? t('cameraOn') : camera && camera.error ? t('cameraError') : t('cameraOff');
  $('camera-toggle').textContent = active ? t('cameraStop') : t('cameraStart');
  document.body.dataset.camera = active ? 'on' : 'off';
}

function maskName(name) {
  const chars = [...(name || '')];
  return chars.length ? chars[0] + '*'.repeat(Math.max(1, chars.length - 1)) : '';
}

function toneOf(verdict) {
  if (verdict.reason === 'VALID') return verdict.requires_id_check || verdict.offline ? 'warn' : 'ok';
  return ATTENTION_REASONS.has(verdict.reason) ? 'warn' : 'fail';
}

function reasonMessage(reason) {
  return state.messages.reasons[reason] || state.messages.reasons.MALFORMED || {zh: reason, en: reason};
}

// The service names districts and permit types as {code, zh, en}; offline
// verdicts carry only the code, named from /scan/messages.json.
function named(table, value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    if (typeof value[state.lang] === 'string') return value[state.lang];
    value = value.code;
  }
  const entry = table[String(value)];
  return entry ? entry[state.lang] : String(value ?? '');
}

function renderClaims(claims) {
  const list = $('verdict-claims');
  list.replaceChildren();
  if (!claims || typeof claims !== 'object') return;
  const rows = [
    ['name', claims.name],
    ['id', claims.id_number_masked ?? claims.id_masked],
    ['district', claims.district === undefined ? undefined : named(state.messages.districts, claims.district)],
    ['type', claims.permit_type === undefined ? undefined : named(state.messages.permit_types, claims.permit_type)],
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

function showVerdict(verdict, decodedAt) {
  const tone = toneOf(verdict);
  const box = $('verdict');
  const message = reasonMessage(verdict.reason);
  box.dataset.tone = tone;
  box.dataset.reason = verdict.reason;
  box.dataset.offline = String(Boolean(verdict.offline));
  $('verdict-title').textContent = t(tone);
  $('verdict-zh').textContent = message.zh;
  $('verdict-en').textContent = message.en;
  $('verdict-code').textContent = verdict.reason;
  $('verdict-mode').textContent = verdict.mode ? TEXT[state.lang].modes[verdict.mode] || verdict.mode : '';
  $('verdict-offline').hidden = !verdict.offline;
  $('verdict-idcheck').hidden = !(verdict.requires_id_check && verdict.reason === 'VALID');
  renderClaims(verdict.claims);
  const latency = Math.round(performance.now() - decodedAt);
  box.dataset.latencyMs = String(latency);
  $('verdict-latency').textContent = t('latency', latency);
  box.hidden = false;
  feedback.signal(tone);
  clearTimeout(state.verdictTimer);
  state.verdictTimer = setTimeout(hideVerdict, holdSeconds() * 1000);
}

function hideVerdict() {
  clearTimeout(state.verdictTimer);
  $('verdict').hidden = true;
  if (state.session) $('wedge').focus();
}

function holdSeconds() {
  const asked = Number(new URLSearchParams(location.search).get('hold'));
  const hold = Number.isFinite(asked) && asked > 0 ? asked : state.config.verdict_hold_s;
  return Math.min(60, Math.max(0.5, hold));
}

function renderRecent() {
  const list = $('recent');
  list.replaceChildren(...state.recent.map((entry) => {
    const li = document.createElement('li');
    li.dataset.tone = entry.tone;
    li.dataset.reason = entry.reason;
    const time = document.createElement('time');
    time.textContent = new Date(entry.at * 1000).toLocaleTimeString(state.lang === 'zh' ? 'zh-CN' : 'en-GB', {hour12: false});
    const what = document.createElement('span');
    what.textContent = `${reasonMessage(entry.reason)[state.lang]}${entry.offline ? ` (${t('offlineMark')})` : ''}`;
    const who = document.createElement('span');
    who.textContent = entry.name;
    li.append(time, what, who);
    return li;
  }));
}

// --- verification ----------------------------------------------------------

async function verifyOnline(text) {
  if (!navigator.onLine) return null;
  const result = await api('/v1/verify', {method: 'POST', body: {code: text}});
  if (!result) return null;
  const body = result.data && typeof result.data === 'object' ? result.data : {};
  if (result.status === 200 && typeof body.reason === 'string') return {...body, offline: false};
  if (result.status === 401 || result.status === 403) return 'signed-out';
  const reason = typeof body.reason === 'string' && state.messages.reasons[body.reason] ? body.reason : 'SERVICE_UNAVAILABLE';
  return {valid: false, reason, mode: body.mode || null, claims: null, offline: false};
}

async function verify(text, decodedAt) {
  if (!state.session) return;
  const now = nowSeconds();
  if (expiresAtSeconds(state.session.expires_at) <= now) {
    // Offline the service cannot say so: the remembered session ends on time here.
    state.session = null;
    localStorage.removeItem('official');
    showScreen(t('expired'));
    return;
  }
  let verdict = await verifyOnline(text);
  if (verdict === 'signed-out') {
    state.session = null;
    localStorage.removeItem('official');
    showScreen(t('expired'));
    return;
  }
  if (verdict === null) {
    verdict = await fmt.verifyOffline(text, now, {
      keyset: state.keyset, statusList: state.statusList, replay: state.replay, options: state.config,
    });
  } else if (verdict.valid) {
    // The service accepted this live code: remember it here too, so it is a
    // replay if shown again to this device while it is offline.
    const seen = fmt.unverifiedReplayKey(text, now, state.config);
    if (seen) await state.replay.claim(seen.key, seen.ttl, now).catch(() => {});
  }
  showVerdict(verdict, decodedAt);
  await remember(verdict, now);
}

async function remember(verdict, now) {
  const tone = toneOf(verdict);
  const name = verdict.claims && typeof verdict.claims.name === 'string' ? maskName(verdict.claims.name) : '';
  state.recent.unshift({at: now, reason: verdict.reason, tone, name, offline: Boolean(verdict.offline)});
  state.recent.length = Math.min(state.recent.length, RECENT_MAX);
  renderRecent();
  await state.store.set('recent', state.recent).catch(() => {});
  if (verdict.offline) {
    const record = {
      scanned_at: new Date(now * 1000).toISOString(),
      reason: verdict.reason,
      mode: verdict.mode,
      offline: true,
      device: state.device,
      cred_ref_hash: verdict.ref_hex ? await fmt.credentialRefHash(verdict.ref_hex) : null,
    };
    state.outbox.push(record);
    await state.store.set('outbox', state.outbox).catch(() => {});
    renderStatus();
  }
}

function submit(text, decodedAt) {
  const code = String(text || '').trim();
  if (!code) return;
  state.queue = state.queue.then(() => verify(code, decodedAt)).catch(() => {});
}

// --- offline records -------------------------------------------------------

async function flushOutbox() {
  if (state.uploading || !state.outbox.length || !state.session || !navigator.onLine) return;
  state.uploading = true;
  try {
    while (state.outbox.length) {
      const batch = state.outbox.slice(0, UPLOAD_BATCH);
      const result = await api('/v1/scans', {method: 'POST', body: {records: batch}, timeout: 10000});
      if (!result) break;
      if (result.status === 401 || result.status === 403 || result.status === 429 || result.status >= 500) break;
      // Accepted, or refused as malformed (it never will be accepted): either way done.
      state.outbox.splice(0, batch.length);
      await state.store.set('outbox', state.outbox).catch(() => {});
    }
  } finally {
    state.uploading = false;
    renderStatus();
  }
}

// --- input -----------------------------------------------------------------

function startCamera() {
  if (!camera) camera = new CameraScanner($('camera'), (text, at) => submit(text, at));
  camera.error = null;
  camera.start().catch((e) => {
    camera.error = e;
  }).finally(renderCameraState);
}

function toggleCamera() {
  feedback.unlock();
  if (camera && camera.active) {
    camera.stop();
    renderCameraState();
  } else {
    startCamera();
  }
  $('wedge').focus();
}

function keepWedgeFocus() {
  // The wedge types into whatever has focus; bring focus back unless the
  // official moved to another control on purpose.
  setTimeout(() => {
    const active = document.activeElement;
    const typing = active && ['INPUT', 'TEXTAREA', 'SELECT'].includes(active.tagName) && active !== $('wedge');
    if (state.session && !typing) $('wedge').focus();
  }, 0);
}

function wedgeSubmit(event) {
  event.preventDefault();
  const input = $('wedge');
  const text = input.value;
  input.value = '';
  submit(text, performance.now());
}

function dismissVerdict() {
  feedback.unlock();
  hideVerdict();
  if (camera) camera.rearm();
}

// --- start -----------------------------------------------------------------

function deviceId() {
  let id = localStorage.getItem('device');
  if (!id) {
    id = fmt.toHex(crypto.getRandomValues(new Uint8Array(8)));
    localStorage.setItem('device', id);
  }
  return id;
}

async function loadJson(path, fallback) {
  try {
    const response = await fetch(path, {credentials: 'same-origin'});
    return response.ok ? await response.json() : fallback;
  } catch (e) {
    return fallback;
  }
}

async function main() {
  state.lang = localStorage.getItem('lang') === 'en' ? 'en' : 'zh';
  state.device = deviceId();
  state.store = await DeviceStore.open();
  state.replay = new ReplayMemory(state.store);
  const [messages, config] = await Promise.all([
    loadJson('/scan/messages.json', state.messages),
    loadJson('/scan/config.json', {}),
    state.replay.load(nowSeconds()),
  ]);
  state.messages = messages;
  state.config = {...state.config, ...config};
  state.recent = (await state.store.get('recent', [])) || [];
  state.outbox = (await state.store.get('outbox', [])) || [];
  await loadCachedData();

  $('lang-toggle').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('lang', state.lang);
    applyLanguage();
  });
  $('signin-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('wedge-form').addEventListener('submit', wedgeSubmit);
  $('wedge').addEventListener('blur', keepWedgeFocus);
  $('verdict').addEventListener('click', dismissVerdict);
  $('camera-toggle').addEventListener('click', toggleCamera);
  document.addEventListener('pointerdown', () => feedback.unlock(), {once: true});
  window.addEventListener('online', () => {
    setOnline(true);
    refreshData();
    flushOutbox();
  });
  window.addEventListener('offline', () => setOnline(false));

  applyLanguage();
  await checkSession();
  if (navigator.onLine) refreshData();
  setInterval(() => { if (navigator.onLine) refreshData(); }, state.config.refresh_s * 1000);
  setInterval(() => { if (navigator.onLine) checkClock(); }, CLOCK_CHECK_MS);
  setInterval(() => { flushOutbox(); renderStatus(); }, UPLOAD_RETRY_MS);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/scan/sw.js', {scope: '/scan'}).catch(() => {});
  }
  document.body.dataset.loaded = 'true';
}

main();
