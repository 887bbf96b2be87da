// The last scans on this handheld, newest first: when, what verdict, whose
// (name masked). Each opens a detail view; all are forgotten at sign-out, so
// the next official on this device sees none of them.

import {byId} from './dom.js';
import {lang, t, timeOfDay} from './i18n.js';
import {modeName, reasonInfo} from './reasons.js';
import {fillList} from './verdict-view.js';

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
  const saved = await store.get(STORE_KEY, []);
  entries = Array.isArray(saved) ? saved : [];
}

/** Remember one verdict shown at `now` (Unix seconds) with its tone. */
export async function addRecentScan(verdict, tone, now) {
  const name = verdict.claims && typeof verdict.claims.name === 'string' ? maskName(verdict.claims.name) : '';
  entries.unshift({at: now, reason: verdict.reason, tone, name, mode: verdict.mode || null, offline: Boolean(verdict.offline)});
  entries.length = Math.min(entries.length, MAX);
  renderRecentScans();
  await store.set(STORE_KEY, entries).catch(() => {});
}

/** Forget every scan (sign-out). */
export async function clearRecentScans() {
  entries = [];
  renderRecentScans();
  if (store) await store.remove(STORE_KEY);
}

function summary(entry) {
  return `${reasonInfo(entry.reason)[lang()]}${entry.offline ? ` (${t('offlineMark')})` : ''}`;
}

function openDetail(entry) {
  const info = reasonInfo(entry.reason);
  const rows = [
    ['time', timeOfDay(entry.at)],
    ['result', summary(entry)],
    ['action', info.action ? info.action[lang()] : ''],
    ['name', entry.name],
    ['mode', modeName(entry.mode)],
    ['code', entry.reason],
  ];
  fillList(byId('scan-detail-fields'), rows.filter(([, value]) => value));
  const dialog = byId('scan-detail');
  dialog.dataset.reason = entry.reason;
  dialog.dataset.tone = entry.tone;
  dialog.showModal();
}

export function renderRecentScans() {
  byId('recent').replaceChildren(...entries.map((entry) => {
    const li = document.createElement('li');
    li.dataset.tone = entry.tone;
    li.dataset.reason = entry.reason;
    const button = document.createElement('button');
    button.type = 'button';
    const time = document.createElement('time');
    time.textContent = timeOfDay(entry.at);
    const what = document.createElement('span');
    what.textContent = summary(entry);
    const who = document.createElement('span');
    who.textContent = entry.name;
    button.append(time, what, who);
    button.addEventListener('click', () => openDetail(entry));
    li.append(button);
    return li;
  }));
}
