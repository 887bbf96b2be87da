// 谁查验了我的居住证 / Who checked my permit: every check of this permit by a
// verifier, newest first: when, which organisation and in which role, the kind
// of code, the verdict, and the names of the fields it was shown (never their
// values). The issuer sends the words in both languages; this module only
// draws them in the current one.

import {PATHS, request} from './holder-api.js';
import {lang, t} from './text.js';

const $ = (id) => document.getElementById(id);
let checks = null;
let retentionDays = 180;

function when(iso) {
  const d = new Date(iso);
  return d.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short'});
}

function words(pair) {
  return pair ? (pair[lang()] || pair.zh) : '';
}

function line(label, value) {
  const row = document.createElement('div');
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  row.append(dt, dd);
  return row;
}

function item(check) {
  const li = document.createElement('li');
  li.className = check.valid ? 'check valid' : 'check refused';
  const head = document.createElement('p');
  head.className = 'check-head';
  const time = document.createElement('time');
  time.dateTime = check.checked_at;
  time.textContent = when(check.checked_at);
  const org = document.createElement('strong');
  org.className = 'check-org';
  org.textContent = words(check.organisation);
  head.append(time, ' · ', org);
  const facts = document.createElement('dl');
  facts.className = 'check-facts';
  const fields = check.field_labels.map(words);
  facts.append(
    line(t('check_role'), words(check.role_label)),
    line(t('check_mode'), words(check.mode_label) + (check.offline ? ` (${t('check_offline')})` : '')),
    line(t('check_verdict'), words(check.message)),
    line(t('check_fields'), fields.length ? fields.join(lang() === 'zh' ? '、' : ', ') : t('check_no_fields')),
  );
  li.append(head, facts);
  return li;
}

/** Draw the list held (in the current language). */
export function renderChecks() {
  const list = $('checks-list');
  list.replaceChildren();
  $('checks-retention').textContent = t('checks_retention', retentionDays);
  if (checks === null) return;
  $('checks-empty').hidden = checks.length > 0;
  for (const check of checks) list.append(item(check));
}

/** Fetch the record from the issuer (kept as is when offline). */
export async function loadChecks() {
  try {
    const res = await request(PATHS.checks);
    if (!res.ok) return;
    const body = await res.json();
    checks = body.checks;
    retentionDays = body.retention_days;
    renderChecks();
  } catch (e) {
    // offline: keep the list shown
  }
}
