// Records of offline scans waiting to be uploaded to the service
// (POST /v1/scans), kept on the device until the service has them.

import {api} from './api.js';

const BATCH = 100;
const STORE_KEY = 'outbox';
let records = [];
let store = null;
let uploading = false;

export async function loadOutbox(deviceStore) {
  store = deviceStore;
  records = (await store.get(STORE_KEY, [])) || [];
}

export function pendingRecords() {
  return records.length;
}

export async function addRecord(record) {
  records.push(record);
  await store.set(STORE_KEY, records).catch(() => {});
}

/** Upload what is waiting, a batch at a time; stops at the first batch the service does not take. */
export async function flushOutbox() {
  if (uploading || !records.length || !navigator.onLine) return;
  uploading = true;
  try {
    while (records.length) {
      const batch = records.slice(0, BATCH);
      const result = await api('/v1/scans', {method: 'POST', body: {records: batch}, timeout: 10000});
      if (!result) break;
      if (result.status === 401 || result.status === 403 || result.status === 429 || result.status >= 500) break;
      // Accepted, or refused as malformed (it never will be accepted): either way done.
      records.splice(0, batch.length);
      await store.set(STORE_KEY, records).catch(() => {});
    }
  } finally {
    uploading = false;
  }
}
