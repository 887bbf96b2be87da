// Service worker of the handheld: keeps the app shell, the QR decoder, and the
// last key set and status list, so the scanner opens and checks codes offline.
// Network first (an online handheld always runs the current app and data),
// the cache when the network fails. Responses served from the cache for the
// key set and status list carry "X-Scanner-Cache: hit" so the page does not
// mistake them for fresh data.

const CACHE = 'permit-scanner-v4';
const SHELL = [
  '/scan',
  '/scan/api.js',
  '/scan/app.js',
  '/scan/camera.js',
  '/scan/device-store.js',
  '/scan/dom.js',
  '/scan/feedback.js',
  '/scan/i18n.js',
  '/scan/keyset.js',
  '/scan/offline-check.js',
  '/scan/offline-data.js',
  '/scan/outbox.js',
  '/scan/reasons.js',
  '/scan/recent-scans.js',
  '/scan/scan-input.js',
  '/scan/service-clock.js',
  '/scan/session.js',
  '/scan/status-bar.js',
  '/scan/status-list.js',
  '/scan/verdict-memory.js',
  '/scan/verdict-view.js',
  '/scan/verification.js',
  '/scan/styles.css',
  '/scan/manifest.webmanifest',
  '/scan/icon.svg',
  '/scan/icon-maskable.svg',
  '/scan/messages.json',
  '/scan/config.json',
  '/lib/base45.js',
  '/lib/bytes.js',
  '/lib/device-key.js',
  '/lib/timesteps.js',
  '/lib/totp.js',
  '/lib/wire.js',
  '/vendor/jsQR.js',
];
const DATA = ['/v1/keyset', '/v1/status-list'];
const CACHED = new Set([...SHELL, ...DATA]);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => Promise.all([...SHELL, ...DATA].map((url) => cache.add(new Request(url, {cache: 'no-cache'})).catch(() => {}))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('permit-scanner-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function cacheKey(url) {
  return url.pathname === '/scan/' ? '/scan' : url.pathname;
}

async function fromCache(key, isData) {
  const cached = await caches.match(key, {ignoreSearch: true});
  if (!cached) return Response.error();
  if (!isData) return cached;
  const headers = new Headers(cached.headers);
  headers.set('X-Scanner-Cache', 'hit');
  return new Response(await cached.blob(), {status: cached.status, statusText: cached.statusText, headers});
}

async function networkFirst(request, key, isData) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(key, copy)).catch(() => {});
    }
    return response;
  } catch (e) {
    return fromCache(key, isData);
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const key = cacheKey(url);
  if (!CACHED.has(key)) return;
  event.respondWith(networkFirst(request, key, DATA.includes(key)));
});
