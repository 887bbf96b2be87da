// The handheld's state line: network, age of the key set and status list,
// records waiting for upload, and a warning when its clock is off.

import {isOnline} from './api.js';
import {byId} from './dom.js';
import {t} from './i18n.js';
import {offlineData} from './offline-data.js';
import {pendingRecords} from './outbox.js';
import {clockOffset} from './service-clock.js';

function age(seconds) {
  return seconds === null || seconds === undefined ? t('never') : t('ago', Math.max(0, Math.floor(seconds)));
}

/** Render at `now` (the service's time); warn when this device's clock is more than `warnS` seconds off. */
export function renderStatusBar(now, warnS) {
  const {keyset, keysetFetchedAt, statusList} = offlineData();
  byId('keyset-age').textContent = keyset ? age(keysetFetchedAt === null ? null : now - keysetFetchedAt) : t('never');
  byId('status-age').textContent = statusList ? age(now - statusList.issuedAt) : t('never');
  byId('pending-uploads').textContent = String(pendingRecords());
  const net = byId('network-state');
  net.dataset.online = String(isOnline());
  net.textContent = isOnline() ? t('online') : t('offline');
  const warning = byId('clock-warning');
  const off = clockOffset();
  if (off !== null) warning.dataset.offsetS = String(Math.round(off));
  warning.hidden = !(off !== null && Math.abs(off) > warnS);
  if (!warning.hidden) warning.textContent = t('clockOff', Math.round(off));
}
