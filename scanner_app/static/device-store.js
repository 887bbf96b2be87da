// What the handheld keeps between visits: the last key set and status list, the
// codes it has seen (replay memory), recent scans, and offline scan records
// waiting to be uploaded. One IndexedDB object store used as a key-value map;
// if IndexedDB is unavailable (private mode on some browsers) it falls back to
// memory, so the page still works for this visit.

const DB_NAME = 'permit-scanner';
const STORE = 'kv';

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class DeviceStore {
  constructor(db) {
    this.db = db;
    this.memory = new Map();
  }

  static async open() {
    try {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      return new DeviceStore(await request(req));
    } catch (e) {
      return new DeviceStore(null);
    }
  }

  async get(key, fallback = null) {
    if (!this.db) return this.memory.has(key) ? this.memory.get(key) : fallback;
    try {
      const value = await request(this.db.transaction(STORE).objectStore(STORE).get(key));
      return value === undefined ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  async set(key, value) {
    if (!this.db) {
      this.memory.set(key, value);
      return;
    }
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(value, key);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  async remove(key) {
    if (!this.db) {
      this.memory.delete(key);
      return;
    }
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(key);
    await new Promise((resolve) => { tx.oncomplete = resolve; tx.onerror = resolve; tx.onabort = resolve; });
  }
}

/**
 * Codes seen on this device, each remembered while it could still be accepted
 * (the same rule as the service's replay store): claim() is true the first time.
 */
export class ReplayMemory {
  constructor(store, maxEntries = 20000) {
    this.store = store;
    this.maxEntries = maxEntries;
    this.expiry = new Map();
  }

  async load(now) {
    const saved = await this.store.get('replay', {});
    for (const [key, until] of Object.entries(saved || {})) {
      if (typeof until === 'number' && until > now) this.expiry.set(key, until);
    }
  }

  evict(now) {
    for (const [key, until] of this.expiry) {
      if (until <= now) this.expiry.delete(key);
    }
  }

  async claim(key, ttl, now) {
    const until = this.expiry.get(key);
    if (until !== undefined && until > now) return false;
    if (this.expiry.size >= this.maxEntries) {
      this.evict(now);
      // Full of codes that could still be replayed: refuse rather than forget one.
      if (this.expiry.size >= this.maxEntries) throw new Error('replay memory full');
    }
    this.expiry.delete(key);
    this.expiry.set(key, now + ttl);
    await this.store.set('replay', Object.fromEntries(this.expiry));
    return true;
  }
}
