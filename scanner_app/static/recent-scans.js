// The last scans on this handheld, newest first: when, what verdict, whose
// (name masked). Kept on the device for the official's own reference.

import {byId} from './dom.js';
import {lang, t} from './i18n.js';
import {reasonMessage} from './reasons.js';

const MAX = 30;
const STORE_KEY = 'recent';
let entries = [];
let store = null;

function maskName(name) {
  const chars = [...(name || '')];
  return chars.length ? chars[0] + '*'.repeat(Math.max(1, chars.length - 1)) : '';
}

export async function loadRecentScans(deviceStore) {
  store = deviceStore;
  entries = (await store.get(STORE_KEY, [])) || [];
}

/** Remember one verdict shown at `now` (Unix seconds) with its tone. */
export async function addRecentScan(verdict, tone, now) {
  const name = verdict.claims && typeof verdict.claims.name === 'string' ? maskName(verdict.claims.name) : '';
  entries.unshift({at: now, reason: verdict.reason, tone, name, offline: Boolean(verdict.offline)});
  entries.length = Math.min(entries.length, MAX);
  renderRecentScans();
  await store.set(STORE_KEY, entries).catch(() => {});
}

export function renderRecentScans() {
  byId('recent').replaceChildren(...entries.map((entry) => {
    const li = document.createElement('li');
    li.dataset.tone = entry.tone;
    li.dataset.reason = entry.reason;
    const time = document.createElement('time');
    time.textContent = new Date(entry.at * 1000).toLocaleTimeString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {hour12: false});
    const what = document.createElement('span');
    what.textContent = `${reasonMessage(entry.reason)[lang()]}${entry.offline ? ` (${t('offlineMark')})` : ''}`;
    const who = document.createElement('span');
    who.textContent = entry.name;
    li.append(time, what, who);
    return li;
  }));
}
