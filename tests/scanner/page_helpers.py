"""Driving the scanner page and the business page in Chromium and reading their verdicts."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

#: the verdict screen's background per tone (styles.css); the tones are keys/reasons.py's
TONE_RGB = {
    "valid": (27, 128, 56),
    "check_id": (21, 87, 176),
    "unverified": (245, 166, 0),
    "refused": (198, 40, 40),
}
WAIT_MS = 15_000

#: Records vibration and beeps, so a test can see the feedback without hardware.
FEEDBACK_RECORDER = """
(() => {
  window.__vibrations = [];
  window.__tones = [];
  Object.defineProperty(Navigator.prototype, 'vibrate', {
    configurable: true,
    value: function (pattern) { window.__vibrations.push(pattern); return true; },
  });
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.__tones.push(this.frequency.value);
    return start.apply(this, args);
  };
})();
"""


def open_scanner(context, base: str, *, hold_s: float = 30) -> Any:
    page = context.new_page()
    page.add_init_script(FEEDBACK_RECORDER)
    page.goto(f"{base}/scan?hold={hold_s}")
    page.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    return page


def sign_in(page, key: str) -> None:
    page.wait_for_selector("#signin:not([hidden])", timeout=WAIT_MS)
    page.fill("#access-key", key)
    page.click("#signin-button")
    page.wait_for_selector("body[data-state='ready']", timeout=WAIT_MS)


def wait_data_cached(page) -> None:
    """Until the key set and a verified status list are held for offline use."""
    page.wait_for_function(
        "() => !['—', '无', 'none'].includes(document.getElementById('status-age').textContent)"
        " && !['—', '无', 'none'].includes(document.getElementById('keyset-age').textContent)",
        timeout=WAIT_MS,
    )


def scans_shown(page) -> int:
    return page.locator("#recent li").count()


def wedge_scan(page, text: str) -> dict[str, Any]:
    """Type a code as a keyboard-wedge scanner does (fast, then Enter); the verdict it gives."""
    before = scans_shown(page)
    page.keyboard.type(text, delay=0)
    page.keyboard.press("Enter")
    return next_verdict(page, before)


def next_verdict(page, before: int) -> dict[str, Any]:
    """Wait for the verdict of scan number ``before + 1`` and read its screen."""
    page.wait_for_function(
        "(n) => document.querySelectorAll('#recent li').length > n && !document.getElementById('verdict').hidden",
        arg=before,
        timeout=WAIT_MS,
    )
    return read_verdict(page)


def read_verdict(page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const box = document.getElementById('verdict');
          const text = (id) => document.getElementById(id).textContent;
          const shown = (id) => !document.getElementById(id).hidden;
          const claims = {};
          for (const dd of box.querySelectorAll('dd')) claims[dd.dataset.field] = dd.textContent;
          return {
            reason: box.dataset.reason, tone: box.dataset.tone, offline: box.dataset.offline === 'true',
            code: text('verdict-code'), zh: text('verdict-zh'), en: text('verdict-en'),
            title: text('verdict-title'), background: getComputedStyle(box).backgroundColor,
            offline_badge: shown('verdict-offline') ? text('verdict-offline') : null,
            repeat: shown('verdict-repeat') ? text('verdict-repeat') : null,
            id_check: shown('verdict-idcheck') ? text('verdict-idcheck') : null,
            action_zh: text('verdict-action-zh'), action_en: text('verdict-action-en'),
            refresh: shown('verdict-refresh') ? text('verdict-refresh') : null,
            latency_ms: Number(box.dataset.latencyMs), claims,
          };
        }"""
    )


def dominant_colour(png: bytes) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=image.width * image.height)
    assert colours
    return max(colours)[1]


def assert_tone(page, verdict: dict[str, Any], tone: str) -> None:
    """The verdict screen's tone by its attribute, computed CSS and the pixels on screen."""
    r, g, b = TONE_RGB[tone]
    assert verdict["tone"] == tone
    assert verdict["background"] == f"rgb({r}, {g}, {b})"
    seen = dominant_colour(page.screenshot())
    assert all(abs(x - y) <= 6 for x, y in zip(seen, (r, g, b))), (seen, tone)


# --- the business page (/business) ----------------------------------------------


def open_business(context, base: str):
    page = context.new_page()
    page.goto(f"{base}/business")
    page.wait_for_selector("body[data-loaded='true']", timeout=WAIT_MS)
    return page


def business_sign_in(page, key: str) -> None:
    page.wait_for_selector("#signin:not([hidden])", timeout=WAIT_MS)
    page.fill("#business-key", key)
    page.click("#signin-button")
    page.wait_for_selector("body[data-state='ready']", timeout=WAIT_MS)


def type_code(page, text: str) -> dict:
    """Type (or paste) a code into the field and press Enter; the verdict shown for it."""
    page.evaluate("() => { const v = document.getElementById('verdict'); v.hidden = true; v.dataset.reason = ''; }")
    page.fill("#code-input", text)
    page.press("#code-input", "Enter")
    page.wait_for_selector("#verdict:not([hidden])", timeout=WAIT_MS)
    return read_business_verdict(page)


def read_business_verdict(page) -> dict:
    return page.evaluate(
        """() => {
          const box = document.getElementById('verdict');
          const fields = (id) => Object.fromEntries([...document.querySelectorAll(`#${id} dd`)].map((dd) => [dd.dataset.field, dd.textContent]));
          return {
            reason: box.dataset.reason, tone: box.dataset.tone, consent: box.dataset.consent,
            title: document.getElementById('verdict-title').textContent,
            note: document.getElementById('verdict-consent').textContent,
            disclosed: fields('verdict-disclosed'), claims: fields('verdict-claims'),
            focused: document.activeElement === box,
          };
        }"""
    )
