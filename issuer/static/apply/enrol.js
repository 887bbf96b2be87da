/*
 * Adds the permit to this phone from the signed-in account: trades the one-time
 * enrolment code shown on the page for a device token (the holder API), keeps the
 * token where the holder page looks for it, and opens the holder page. Without
 * JavaScript the code stays on screen to be typed into the holder page.
 */
(function () {
  "use strict";
  var TOKEN_KEY = "rp.device_token"; // the holder page's storage key (issuer/static/holder.js)
  var el = document.getElementById("enrol-code");
  if (!el) return;
  fetch("/v1/holder/enrol", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code: el.getAttribute("data-code"), label: "手机 phone" })
  }).then(function (res) {
    return res.json().then(function (body) {
      if (!res.ok || !body.device_token) return;
      localStorage.setItem(TOKEN_KEY, body.device_token);
      window.location.assign("/holder/");
    });
  }).catch(function () { /* the code stays visible for manual entry */ });
})();
