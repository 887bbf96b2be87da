// The key self-service page: an organisation's admin key (signed in here or
// at /business) lists the organisation's keys, creates one by name (its plain
// key shown once, then gone from the page) and revokes one (GET, POST
// /v1/keys, DELETE /v1/keys/{name}). The service refuses any other key with
// its reason, shown as it says it.

import {api} from '/scan/api.js';
import {byId} from '/scan/dom.js';
import {lang, loadLanguage, toggleLanguage} from '/scan/i18n.js';
import {checkSession, currentBusiness, forgetSession, signOut} from './session.js';
import {setUpSignIn, showSignedIn} from './signin-form.js';
import {applyLanguage, t} from './text.js';

let listing = null;
let refused; // the last refusal ({status, data}, or null: no network; undefined: none), shown until the next act

function announce(text) {
  byId('announce').textContent = text;
}

/** Show the service's own words for a refusal (`undefined`: none), in the page's language. */
function showRefusal(result) {
  refused = result;
  const message = result && result.data && result.data.message;
  const text = result === undefined ? ''
    : message && typeof message[lang()] === 'string' ? message[lang()] : result ? t('failed') : t('noNetwork');
  byId('keys-error').textContent = text;
}

function showScreen(message = '') {
  const business = currentBusiness();
  showSignedIn(business, message);
  if (business) load();
  else byId('business-key').focus();
}

/** 401 means the session is gone (expired, or its key revoked): back to signing in. */
function signedOut(result) {
  if (!result || result.status !== 401) return false;
  forgetSession();
  showScreen(t('signedOut'));
  return true;
}

async function load() {
  const result = await api('/v1/keys');
  if (signedOut(result)) return;
  const ok = result && result.status === 200;
  listing = ok ? result.data : null;
  showRefusal(ok ? undefined : result);
  byId('manage').hidden = !ok;
  byId('list').hidden = !ok;
  document.body.dataset.keys = ok ? 'listed' : 'refused';
  renderList();
}

function cell(row, label, text) {
  const td = document.createElement('td');
  td.textContent = text;
  td.dataset.label = t(label); // the column's name, shown beside the cell when rows stack (narrow screens, zoom)
  row.append(td);
  return td;
}

/** An ISO time from the service in Beijing time, as the reader writes dates. */
function when(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  });
}

function renderList() {
  const body = byId('keys');
  body.replaceChildren();
  if (!listing) return;
  const org = listing.organisation;
  byId('org-name').textContent = t('orgName', org.name_zh, org.name_en);
  for (const key of listing.keys) {
    const row = document.createElement('tr');
    row.dataset.name = key.name;
    row.dataset.revoked = String(Boolean(key.revoked_at));
    cell(row, 'keyName', key.name + (key.admin ? ` · ${t('adminKey')}` : '') + (key.name === listing.you ? t('thisKey') : ''));
    cell(row, 'created', t('madeBy', when(key.created_at), key.created_by));
    cell(row, 'state', key.revoked_at ? t('revokedBy', when(key.revoked_at), key.revoked_by) : t('inUse'));
    const actions = cell(row, 'actions', '');
    if (!key.revoked_at && key.name !== listing.you) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'danger';
      button.textContent = t('revoke');
      button.setAttribute('aria-label', t('revokeLabel', key.name));
      button.addEventListener('click', () => revoke(key.name));
      actions.append(button);
    }
    body.append(row);
  }
}

async function create(event) {
  event.preventDefault();
  const input = byId('new-name');
  const name = input.value.trim();
  if (!name) return;
  byId('create-button').disabled = true;
  try {
    const result = await api('/v1/keys', {method: 'POST', body: {name}});
    if (signedOut(result)) return;
    if (!result || result.status !== 201) {
      showRefusal(result);
      input.focus();
      return;
    }
    input.value = '';
    showRefusal(undefined);
    byId('new-key-name').textContent = result.data.name;
    byId('new-key-value').textContent = result.data.key;
    byId('new-key').hidden = false;
    byId('new-key').focus();
    announce(t('createdKey', result.data.name));
    await load();
  } finally {
    byId('create-button').disabled = false;
  }
}

function hideNewKey() {
  byId('new-key-value').textContent = '';
  byId('new-key-name').textContent = '';
  byId('new-key').hidden = true;
  byId('new-name').focus();
}

async function copyKey() {
  try {
    await navigator.clipboard.writeText(byId('new-key-value').textContent);
    announce(t('copied'));
  } catch (e) {
    // no clipboard here: the key is selectable on the page
  }
}

async function revoke(name) {
  if (!window.confirm(t('revokeConfirm', name))) return;
  const result = await api(`/v1/keys/${encodeURIComponent(name)}`, {method: 'DELETE'});
  if (signedOut(result)) return;
  if (!result || result.status !== 200) {
    showRefusal(result);
    return;
  }
  announce(t('revokedKey', name));
  await load();
  byId('new-name').focus();
}

function render() {
  applyLanguage('keysTitle');
  renderList();
  if (refused !== undefined) showRefusal(refused);
}

async function main() {
  loadLanguage();
  byId('lang-toggle').addEventListener('click', () => {
    toggleLanguage();
    render();
  });
  setUpSignIn((message) => showScreen(message));
  byId('sign-out').addEventListener('click', async () => {
    await signOut();
    hideNewKey();
    showScreen();
  });
  byId('create-form').addEventListener('submit', create);
  byId('copy-key').addEventListener('click', copyKey);
  byId('hide-key').addEventListener('click', hideNewKey);
  render();
  await checkSession();
  showScreen();
  document.body.dataset.loaded = 'true';
}

main();
