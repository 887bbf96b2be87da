/*
 * Holder page: shows the live residence-permit QR code and keeps it fresh.
 *
 * Online, it fetches a new signed code from /v1/holder/live about a second
 * before the current one expires and draws it with the qrcode-generator library
 * (error level M, alphanumeric mode). When the network is gone it shows the
 * offline pass fetched earlier, with a TOTP liveness code computed here with
 * WebCrypto (RFC 6238, HMAC-SHA1, 6 digits) and appended as the wire format's
 * trailer: "RP:" + base45(pass | step_low u16 | code u24).
 *
 * The device token, the offline pass and the last credential details are kept
 * in localStorage so the page works after a reload without network.
 */
(function () {
  "use strict";

  var API = {
    enrol: "/v1/holder/enrol",
    live: "/v1/holder/live",
    pass: "/v1/holder/pass",
    credential: "/v1/holder/credential"
  };
  var STORE = { token: "rp.device_token", pass: "rp.pass", cred: "rp.credential", lang: "rp.lang" };
  var B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  var FETCH_TIMEOUT_MS = 5000;
  var RETRY_MS = 5000;
  var NOT_ACTIVE_RETRY_MS = 30000;

  // ---- encodings --------------------------------------------------------

  /** Base45 (RFC 9285): two bytes become three characters, a trailing byte two. */
  function b45encode(bytes) {
    var out = "";
    var i;
    for (i = 0; i + 1 < bytes.length; i += 2) {
      var n = bytes[i] * 256 + bytes[i + 1];
      var c = n % 45;
      n = (n - c) / 45;
      var d = n % 45;
      var e = (n - d) / 45;
      out += B45.charAt(c) + B45.charAt(d) + B45.charAt(e);
    }
    if (bytes.length % 2) {
      var last = bytes[bytes.length - 1];
      out += B45.charAt(last % 45) + B45.charAt(Math.floor(last / 45));
    }
    return out;
  }

  function b64uDecode(text) {
    var b64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  /** RFC 6238 / 4226 code for one counter value, HMAC-SHA1 through WebCrypto. */
  function totp(secret, counter, digits) {
    var msg = new Uint8Array(8);
    var c = counter;
    for (var i = 7; i >= 0; i--) {
      msg[i] = c % 256;
      c = Math.floor(c / 256);
    }
    return crypto.subtle
      .importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"])
      .then(function (key) { return crypto.subtle.sign("HMAC", key, msg); })
      .then(function (sig) {
        var h = new Uint8Array(sig);
        var off = h[h.length - 1] & 0x0f;
        var bin = ((h[off] & 0x7f) * 16777216) + (h[off + 1] << 16) + (h[off + 2] << 8) + h[off + 3];
        return bin % Math.pow(10, digits || 6);
      });
  }

  /** The offline text: signed pass plus step_low (u16) and the TOTP code (u24), big-endian. */
  function passText(passBytes, step, code) {
    var all = new Uint8Array(passBytes.length + 5);
    all.set(passBytes, 0);
    var low = step % 65536;
    var n = passBytes.length;
    all[n] = (low >> 8) & 255;
    all[n + 1] = low & 255;
    all[n + 2] = (code >> 16) & 255;
    all[n + 3] = (code >> 8) & 255;
    all[n + 4] = code & 255;
    return "RP:" + b45encode(all);
  }

  window.RPHolder = { b45encode: b45encode, b64uDecode: b64uDecode, totp: totp, passText: passText };

  // ---- text -------------------------------------------------------------

  var TEXT = {
    zh: {
      title: "北京市电子居住证",
      toggle: "English",
      enrol_title: "绑定本机",
      enrol_help: "请输入窗口工作人员提供的激活码（15 分钟内有效，只能使用一次）。",
      enrol_code: "激活码",
      enrol_label: "设备名称",
      enrol_label_default: "我的手机",
      enrol_submit: "绑定",
      enrol_busy: "正在绑定…",
      enrol_empty: "请输入激活码",
      enrol_network: "网络不可用，请联网后再绑定",
      offline_title: "离线模式 / Offline mode",
      offline_help: "网络不可用，正在显示离线凭证。",
      f_name: "姓名",
      f_id: "公民身份号码",
      f_district: "所属区",
      f_valid: "有效期至",
      f_status: "状态",
      brightness: function (p) { return "出示时请调高屏幕亮度。二维码每 " + p + " 秒自动更新，截图无效。"; },
      unenrol: "解除本机绑定",
      unenrol_confirm: "确定解除本机绑定？解除后需要新的激活码才能再次绑定。",
      qr_live: "实时核验二维码，自动更新",
      qr_offline: "离线核验二维码，自动更新",
      refresh_in: function (s) { return s + " 秒后更新"; },
      offline_on: "网络已断开，已切换到离线模式",
      online_on: "网络已恢复，正在显示实时二维码",
      no_pass: "没有可用的离线凭证，请联网后刷新",
      not_active: "证件当前不能出示二维码",
      revoked_device: "本机绑定已失效，请重新绑定",
      enrolled: "绑定成功"
    },
    en: {
      title: "Beijing Residence Permit",
      toggle: "中文",
      enrol_title: "Enrol this phone",
      enrol_help: "Enter the enrolment code from the counter (valid for 15 minutes, works once).",
      enrol_code: "Enrolment code",
      enrol_label: "Device name",
      enrol_label_default: "My phone",
      enrol_submit: "Enrol",
      enrol_busy: "Enrolling…",
      enrol_empty: "Enter the enrolment code",
      enrol_network: "No network: connect and try again",
      offline_title: "离线模式 / Offline mode",
      offline_help: "No network: showing the offline pass.",
      f_name: "Name",
      f_id: "ID number",
      f_district: "District",
      f_valid: "Valid until",
      f_status: "Status",
      brightness: function (p) {
        return "Raise the screen brightness when showing the code. It changes every " + p + " seconds; screenshots do not work.";
      },
      unenrol: "Remove this phone",
      unenrol_confirm: "Remove this phone? A new enrolment code is needed to enrol again.",
      qr_live: "Live verification QR code, refreshed automatically",
      qr_offline: "Offline verification QR code, refreshed automatically",
      refresh_in: function (s) { return "Refreshes in " + s + " s"; },
      offline_on: "Network lost: switched to offline mode",
      online_on: "Network back: showing the live code",
      no_pass: "No offline pass available: connect to the network",
      not_active: "This permit cannot be shown right now",
      revoked_device: "This phone is no longer enrolled: enrol it again",
      enrolled: "Phone enrolled"
    }
  };

  var state = {
    lang: "zh",
    token: null,
    mode: "none", // "live" | "offline" | "none"
    liveTimer: null,
    offlineTimer: null,
    expiresAt: 0,
    cred: null,
    passFetching: false,
    lastMessage: null
  };

  function $(id) { return document.getElementById(id); }
  function t(key) { return TEXT[state.lang][key]; }

  function storageGet(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try {
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    } catch (e) { /* private mode: keep working without persistence */ }
  }
  function loadJSON(key) {
    var raw = storageGet(key);
    if (!raw) return null;
    try { return JSON.parse(raw); } catch (e) { return null; }
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    var nodes = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < nodes.length; i++) {
      var value = t(nodes[i].getAttribute("data-i18n"));
      if (typeof value === "string") nodes[i].textContent = value;
    }
    var toggle = $("lang");
    toggle.textContent = t("toggle");
    toggle.setAttribute("lang", state.lang === "zh" ? "en" : "zh-CN");
    $("enrol-label").placeholder = t("enrol_label_default");
    $("qr").setAttribute("aria-label", state.mode === "offline" ? t("qr_offline") : t("qr_live"));
    $("hint").textContent = t("brightness")((state.cred && state.cred.period) || 15);
    renderCredential();
    tick();
  }

  function announce(text) {
    state.lastMessage = text;
    $("status").textContent = text || "";
  }

  function messageOf(body, fallback) {
    if (body && body.error && body.message) return body.message[state.lang] || fallback;
    return fallback;
  }

  // ---- network ----------------------------------------------------------

  function request(url, options) {
    var opts = options || {};
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS) : null;
    var headers = opts.headers || {};
    if (state.token && !opts.noAuth) headers.Authorization = "Bearer " + state.token;
    return fetch(url, {
      method: opts.method || "GET",
      headers: headers,
      body: opts.body,
      cache: "no-store",
      credentials: "omit",
      signal: controller ? controller.signal : undefined
    }).finally(function () { if (timer) clearTimeout(timer); });
  }

  function readJSON(res) {
    return res.json().catch(function () { return null; });
  }

  // ---- drawing ----------------------------------------------------------

  function renderQR(text, mode) {
    var el = $("qr");
    var qr = qrcode(0, "M");
    qr.addData(text, "Alphanumeric");
    qr.make();
    el.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true });
    el.classList.remove("empty");
    el.setAttribute("data-code", text);
    el.setAttribute("data-mode", mode);
    el.setAttribute("aria-label", mode === "pass" ? t("qr_offline") : t("qr_live"));
    $("qr-message").hidden = true;
  }

  function clearQR(message) {
    var el = $("qr");
    el.innerHTML = "";
    el.classList.add("empty");
    el.removeAttribute("data-code");
    el.setAttribute("data-mode", "none");
    var msg = $("qr-message");
    msg.textContent = message || "";
    msg.hidden = !message;
    state.expiresAt = 0;
  }

  function renderCredential() {
    var c = state.cred;
    if (!c) return;
    var lang = state.lang;
    $("holder-name").textContent = c.name || "";
    $("holder-id").textContent = c.id_number_masked || "";
    $("holder-district").textContent = c.district ? c.district[lang] : "";
    $("holder-valid").textContent = c.valid_until || "";
    $("holder-status").textContent = c.status ? c.status[lang] : "";
    $("permit-type").textContent = c.permit_type ? c.permit_type[lang] : "";
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  /** Beijing wall-clock time (UTC+8, no daylight saving) without relying on time zone data. */
  function beijingTime(ms) {
    var d = new Date(ms + 8 * 3600 * 1000);
    return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  function tick() {
    var now = Date.now();
    var clock = beijingTime(now);
    $("clock").textContent = clock;
    $("clock").setAttribute("aria-label", clock);
    var name = state.cred && state.cred.name ? state.cred.name + " · " : "";
    $("band-text").textContent = name + clock + (state.mode === "offline" ? " · 离线 OFFLINE" : " · 实时 LIVE");
    if (state.expiresAt) {
      var left = Math.max(0, Math.ceil((state.expiresAt - now) / 1000));
      $("countdown").textContent = t("refresh_in")(left);
    } else {
      $("countdown").textContent = "";
    }
  }

  // ---- live mode --------------------------------------------------------

  function setMode(mode) {
    if (state.mode === mode) return;
    var was = state.mode;
    state.mode = mode;
    var offline = mode === "offline";
    $("offline-banner").hidden = !offline;
    $("card").classList.toggle("offline", offline);
    if (offline) announce(t("offline_on"));
    else if (was === "offline" && mode === "live") announce(t("online_on"));
  }

  function scheduleLive(ms) {
    clearTimeout(state.liveTimer);
    state.liveTimer = setTimeout(refreshLive, ms);
  }

  function refreshLive() {
    clearTimeout(state.liveTimer);
    if (!state.token) return Promise.resolve();
    if (navigator.onLine === false) {
      goOffline();
      scheduleLive(RETRY_MS);
      return Promise.resolve();
    }
    return request(API.live).then(function (res) {
      if (res.status === 401) return unenrolled();
      if (res.status === 409) {
        return readJSON(res).then(function (body) {
          storageSet(STORE.pass, null);
          clearTimeout(state.offlineTimer);
          setMode("live");
          clearQR(messageOf(body, t("not_active")));
          loadCredential();
          scheduleLive(NOT_ACTIVE_RETRY_MS);
        });
      }
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json().then(function (body) {
        showLive(body);
        scheduleLive(Math.max(500, (body.expires_in - 1) * 1000));
        refreshPass(false);
      });
    }).catch(function () {
      goOffline();
      scheduleLive(RETRY_MS);
    });
  }

  function showLive(body) {
    clearTimeout(state.offlineTimer);
    setMode("live");
    renderQR(body.code, "live");
    state.expiresAt = Date.now() + body.expires_in * 1000;
    tick();
  }

  // ---- offline mode -----------------------------------------------------

  function goOffline() {
    if (state.mode === "offline") return;
    setMode("offline");
    renderOffline();
  }

  function renderOffline() {
    clearTimeout(state.offlineTimer);
    if (state.mode !== "offline") return Promise.resolve();
    var p = loadJSON(STORE.pass);
    var nowS = Date.now() / 1000;
    if (!p || !p.pass || !p.secret || nowS > p.not_after) {
      clearQR(t("no_pass"));
      return Promise.resolve();
    }
    var period = p.period;
    var step = Math.floor(nowS / period);
    return totp(b64uDecode(p.secret), step, p.digits).then(function (code) {
      if (state.mode !== "offline") return;
      renderQR(passText(b64uDecode(p.pass), step, code), "pass");
      state.expiresAt = (step + 1) * period * 1000;
      tick();
      state.offlineTimer = setTimeout(renderOffline, Math.max(50, state.expiresAt - Date.now() + 50));
    }).catch(function () {
      clearQR(t("no_pass"));
    });
  }

  function refreshPass(force) {
    var p = loadJSON(STORE.pass);
    var nowS = Date.now() / 1000;
    if (!force && p && nowS < p.not_before + (p.not_after - p.not_before) / 2) return Promise.resolve();
    if (state.passFetching) return Promise.resolve();
    state.passFetching = true;
    return request(API.pass).then(function (res) {
      if (res.status === 401) return unenrolled();
      if (res.status === 409) { storageSet(STORE.pass, null); return; }
      if (!res.ok) return;
      return res.json().then(function (body) { storageSet(STORE.pass, JSON.stringify(body)); });
    }).catch(function () { /* keep the pass we have */ })
      .finally(function () { state.passFetching = false; });
  }

  function loadCredential() {
    return request(API.credential).then(function (res) {
      if (res.status === 401) return unenrolled();
      if (!res.ok) return;
      return res.json().then(function (body) {
        state.cred = body;
        storageSet(STORE.cred, JSON.stringify(body));
        $("hint").textContent = t("brightness")(body.period || 15);
        renderCredential();
        tick();
      });
    }).catch(function () { /* offline: keep the cached details */ });
  }

  // ---- enrolment --------------------------------------------------------

  function showPanel(name) {
    $("enrol").hidden = name !== "enrol";
    $("show").hidden = name !== "show";
  }

  function unenrolled() {
    clearTimeout(state.liveTimer);
    clearTimeout(state.offlineTimer);
    state.token = null;
    state.cred = null;
    storageSet(STORE.token, null);
    storageSet(STORE.pass, null);
    storageSet(STORE.cred, null);
    state.mode = "none";
    clearQR("");
    showPanel("enrol");
    $("enrol-error").textContent = t("revoked_device");
  }

  function onEnrol(event) {
    event.preventDefault();
    var code = $("enrol-code").value.trim();
    var label = $("enrol-label").value.trim() || t("enrol_label_default");
    var error = $("enrol-error");
    if (!code) { error.textContent = t("enrol_empty"); return; }
    var button = $("enrol-submit");
    button.disabled = true;
    error.textContent = t("enrol_busy");
    request(API.enrol, {
      method: "POST",
      noAuth: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: code, label: label })
    }).then(function (res) {
      return readJSON(res).then(function (body) {
        if (!res.ok || !body || !body.device_token) {
          error.textContent = messageOf(body, "HTTP " + res.status);
          return;
        }
        error.textContent = "";
        $("enrol-code").value = "";
        state.token = body.device_token;
        storageSet(STORE.token, state.token);
        start();
        announce(t("enrolled"));
      });
    }).catch(function () {
      error.textContent = t("enrol_network");
    }).finally(function () { button.disabled = false; });
  }

  function onUnenrol() {
    if (!window.confirm(t("unenrol_confirm"))) return;
    unenrolled();
    $("enrol-error").textContent = "";
  }

  // ---- start ------------------------------------------------------------

  function start() {
    showPanel("show");
    state.cred = loadJSON(STORE.cred);
    renderCredential();
    state.mode = "none";
    clearQR("");
    loadCredential();
    refreshPass(false).then(function () {
      if (state.mode === "offline") renderOffline();
    });
    refreshLive();
  }

  function init() {
    var saved = storageGet(STORE.lang);
    state.lang = saved === "en" ? "en" : "zh";
    applyLanguage();
    $("lang").addEventListener("click", function () {
      state.lang = state.lang === "zh" ? "en" : "zh";
      storageSet(STORE.lang, state.lang);
      applyLanguage();
    });
    $("enrol-form").addEventListener("submit", onEnrol);
    $("unenrol").addEventListener("click", onUnenrol);
    window.addEventListener("offline", function () { if (state.token) goOffline(); });
    window.addEventListener("online", function () { if (state.token) refreshLive(); });
    setInterval(tick, 250);
    state.token = storageGet(STORE.token);
    if (state.token) start(); else showPanel("enrol");
    if ("serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register("/holder/sw.js", { scope: "/holder/" }).catch(function () {});
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
