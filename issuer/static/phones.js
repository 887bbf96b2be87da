// The holder's phones: the list (label, enrolled, last used), removing one on
// the server at once, and 挂失 (lost phone): removing every phone but this one.

import {PATHS, messageOf, readJson, request} from './holder-api.js';
import {lang, t} from './text.js';

const $ = (id) => document.getElementById(id);
let phones = [];

function when(iso) {
  if (!iso) return t('never');
  const d = new Date(iso);
  return d.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short'});
}

function say(text) {
  $('phones-status').textContent = text || '';
}

/** Draw the list held (in the current language). */
export function renderPhones() {
  const list = $('phones-list');
  list.replaceChildren();
  for (const p of phones) {
    const item = document.createElement('li');
    item.dataset.deviceId = String(p.device_id);
    const name = document.createElement('strong');
    name.textContent = p.label + (p.this_phone ? ` (${t('this_phone')})` : '');
    const facts = document.createElement('span');
    facts.textContent = `${t('enrolled_at')} ${when(p.enrolled_at)} · ${t('last_used')} ${when(p.last_used_at)}`;
    item.append(name, facts);
    if (!p.this_phone) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'remove-phone';
      button.textContent = t('remove_phone');
      button.setAttribute('aria-label', `${t('remove_phone')}: ${p.label}`);
      button.addEventListener('click', () => removeOther(p));
      item.append(button);
    }
    list.append(item);
  }
  $('lost').hidden = !phones.some((p) => !p.this_phone);
}

/** Fetch the list from the issuer (kept as is when offline). */
export async function loadPhones() {
  try {
    const res = await request(PATHS.devices);
    if (!res.ok) return;
    phones = (await res.json()).devices;
    renderPhones();
  } catch (e) {
    // offline: keep the list shown
  }
}

async function post(path) {
  const res = await request(path, {method: 'POST'});
  const body = await readJson(res);
  if (!res.ok) throw new Error(messageOf(body, lang(), `HTTP ${res.status}`));
  return body;
}

async function removeOther(phone) {
  if (!window.confirm(t('remove_confirm', phone.label))) return;
  try {
    await post(PATHS.removeDevice(phone.device_id));
    say(t('removed', phone.label));
  } catch (e) {
    say(e.message || t('enrol_network'));
  }
  await loadPhones();
}

async function reportLost() {
  if (!window.confirm(t('lost_confirm'))) return;
  try {
    const body = await post(PATHS.lost);
    say(t('lost_done', body.removed.length));
  } catch (e) {
    say(e.message || t('enrol_network'));
  }
  await loadPhones();
}

/**
 * Remove this phone on the server; true when the issuer no longer accepts its
 * token (removed now, or already), false when it could not be asked.
 */
export async function removeThisPhone() {
  try {
    const res = await request(PATHS.devices);
    if (res.status === 401) return true;
    if (!res.ok) return false;
    const me = (await res.json()).devices.find((p) => p.this_phone);
    if (!me) return true;
    const removed = await request(PATHS.removeDevice(me.device_id), {method: 'POST'});
    return removed.ok || removed.status === 401;
  } catch (e) {
    return false;
  }
}

export function setUpPhones() {
  $('lost').addEventListener('click', reportLost);
}
