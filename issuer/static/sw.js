/*
 * Service worker of the holder page: keeps the page shell (HTML, script, style,
 * QR library) so the page opens without network and can show the offline pass.
 * Network first, cache as the fallback, so a deployed update is picked up at
 * once. The API (/v1/...) is never cached: live codes must come fresh or not at all.
 */
"use strict";

var CACHE = "holder-shell-v6";
var SHELL = [
  "/holder/",
  "/holder/static/holder.css",
  "/holder/static/holder.js",
  "/holder/static/card-view.js",
  "/holder/static/checks.js",
  "/holder/static/code-display.js",
  "/holder/static/consent.js",
  "/holder/static/device-binding.js",
  "/holder/static/enrolment.js",
  "/holder/static/holder-api.js",
  "/holder/static/offline-pass.js",
  "/holder/static/phones.js",
  "/holder/static/qr-view.js",
  "/holder/static/storage.js",
  "/holder/static/text.js",
  "/holder/static/wake-lock.js",
  "/holder/manifest.webmanifest",
  "/holder/static/icon-192.png",
  "/lib/base45.js",
  "/lib/bytes.js",
  "/lib/device-key.js",
  "/lib/timesteps.js",
  "/lib/totp.js",
  "/lib/wire.js",
  "/vendor/qrcode.js"
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || SHELL.indexOf(url.pathname) < 0) {
    return;
  }
  event.respondWith(
    fetch(request)
      .then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      })
      .catch(function () {
        return caches.match(url.pathname).then(function (hit) {
          return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
        });
      })
  );
});
