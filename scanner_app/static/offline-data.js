// The key set and status list the handheld checks codes with when the service
// cannot be reached: fetched from the service, verified, kept on the device,
// and never replaced by something older or unverifiable.

import {api} from './api.js';
import {parseKeySet} from './keyset.js';
import {verifyStatusList} from './status-list.js';

let keyset = null;
let keysetFetchedAt = null;
let statusList = null;

/** {keyset, keysetFetchedAt, statusList}: what an offline check would use now. */
export function offlineData() {
  return {keyset, keysetFetchedAt, statusList};
}

/** Load what an earlier visit kept, verified again; `clock()` is the time in Unix seconds. */
export async function loadOfflineData(store, clock) {
  const savedKeys = await store.get('keyset');
  if (savedKeys) {
    try {
      keyset = await parseKeySet(savedKeys.doc);
      keysetFetchedAt = savedKeys.fetched_at;
    } catch (e) {
      keyset = null;
    }
  }
  const savedStatus = await store.get('status-list');
  if (savedStatus && keyset) {
    try {
      statusList = await verifyStatusList(savedStatus.doc, keyset, clock());
    } catch (e) {
      statusList = null;
    }
  }
}

/**
 * Fetch both documents from the service; keeps the last good ones on any
 * failure. True when both came fresh from the service and verified.
 */
export async function refreshOfflineData(store, clock) {
  let fresh = 0;
  const keys = await api('/v1/keyset', {timeout: 10000});
  if (keys && keys.status === 200 && keys.data) {
    try {
      keyset = await parseKeySet(keys.data);
      if (!keys.cached) {
        keysetFetchedAt = clock();
        await store.set('keyset', {doc: keys.data, fetched_at: keysetFetchedAt});
        fresh += 1;
      }
    } catch (e) {
      // keep the last good key set
    }
  }
  const status = await api('/v1/status-list', {timeout: 15000});
  if (status && status.status === 200 && status.data && keyset) {
    try {
      const list = await verifyStatusList(status.data, keyset, clock());
      if (!statusList || list.issuedAt >= statusList.issuedAt) {
        statusList = list;
        await store.set('status-list', {doc: status.data, fetched_at: clock()});
      }
      if (!status.cached) fresh += 1;
    } catch (e) {
      // keep the last good status list
    }
  }
  return fresh === 2;
}
