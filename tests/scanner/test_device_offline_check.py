"""The handheld's offline check of device-bound codes (WebCrypto, both key types) agrees
with the vectors of docs/format.md and with verifier.core: same reasons, no secret held."""

from __future__ import annotations

import json
from typing import Any

import pytest

from keys.device_key import DeviceAlg, DeviceSigner, key_field
from keys.keypair import SigningKey
from keys.keyset import KeySet
from keys.statuslist import REVOKED, SUSPENDED
from tests.vectors import device as vectors

from .codes import Issuer
from .test_offline_check import format_page  # noqa: F401  (the page to import the modules into)

pytestmark = pytest.mark.browser

DOC = json.loads(vectors.FILE.read_text(encoding="utf-8"))
NOW = DOC["now"]

RUN = """
async ({keyset, runs}) => {
  const fmt = {...await import('/scan/offline-check.js'), ...await import('/scan/keyset.js'), ...await import('/scan/status-list.js')};
  const ks = await fmt.parseKeySet(keyset);
  const out = [];
  for (const {status, texts, now} of runs) {
    const list = await fmt.verifyStatusList(status, ks, now);
    const seen = new Map();
    const replay = {claim: async (key, ttl, at) => {
      if (seen.has(key) && seen.get(key) > at) return false;
      seen.set(key, at + ttl);
      return true;
    }};
    let last = null;
    for (const text of texts) last = await fmt.verifyOffline(text, now, {keyset: ks, statusList: list, replay, options: fmt.DEFAULT_OPTIONS});
    out.push({reason: last.reason, mode: last.mode});
  }
  return out;
}
"""


def _status(issuer: Issuer, vector: dict[str, Any]) -> dict[str, Any]:
    issuer.statuses = {**{i: REVOKED for i in vector.get("revoked", [])},
                       **{i: SUSPENDED for i in vector.get("suspended", [])}}
    return issuer.status_document(issued_at=NOW)


def test_device_vectors_offline(format_page) -> None:  # noqa: F811
    issuer = Issuer(NOW, key=SigningKey(bytes.fromhex(DOC["issuer_seed_hex"])))
    runs = [
        {"status": _status(issuer, v), "now": NOW,
         "texts": [v["text"], v["text"]] if v.get("presented_before") else [v["text"]]}
        for v in DOC["vectors"]
    ]
    got = format_page.evaluate(RUN, {"keyset": DOC["keyset"], "runs": runs})
    assert [(v["name"], g["reason"]) for v, g in zip(DOC["vectors"], got)] == [
        (v["name"], v["expect"]) for v in DOC["vectors"]
    ]
    assert all(g["mode"] == "DEVICE" for v, g in zip(DOC["vectors"], got) if v["expect"] == "VALID")


def test_webcrypto_keys_are_the_fields_python_reads(format_page) -> None:  # noqa: F811
    """A key pair made by the browser: its field as Python computes it, its signature accepted by Python."""
    result = format_page.evaluate(
        """async () => {
          const dk = await import('/lib/device-key.js');
          const b = await import('/lib/bytes.js');
          const out = {};
          for (const [alg, params] of [['Ed25519', {name: 'Ed25519'}], ['P-256', {name: 'ECDSA', namedCurve: 'P-256'}]]) {
            const pair = await crypto.subtle.generateKey(params, false, ['sign', 'verify']);
            const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
            const field = dk.keyField(alg, raw);
            const message = new TextEncoder().encode('permit-device/1 test');
            const signature = await dk.signWithDeviceKey(alg, pair.privateKey, message);
            let exported = 'exported';
            try { await crypto.subtle.exportKey('pkcs8', pair.privateKey); } catch (e) { exported = e.name; }
            const decompressed = alg === 'P-256' ? b.toHex(dk.decompressP256(field)) : null;
            out[alg] = {raw: b.toHex(raw), field: b.toHex(field), signature: b.toHex(signature), exported, decompressed,
                        selfCheck: await dk.verifyDeviceSignature(field, signature, message)};
          }
          return out;
        }"""
    )
    from keys.device_key import verify_device_signature

    for alg in ("Ed25519", "P-256"):
        r = result[alg]
        raw, field = bytes.fromhex(r["raw"]), bytes.fromhex(r["field"])
        assert key_field(alg, raw) == field
        assert verify_device_signature(field, bytes.fromhex(r["signature"]), b"permit-device/1 test")
        assert r["selfCheck"] is True and r["exported"] == "InvalidAccessError"
    assert bytes.fromhex(result["P-256"]["decompressed"]) == bytes.fromhex(result["P-256"]["raw"])


def test_a_python_p256_signature_and_hostile_fields_in_the_browser(format_page) -> None:  # noqa: F811
    signer = DeviceSigner(DeviceAlg.P256, bytes(range(50, 82)))
    message = b"a step"
    result = format_page.evaluate(
        """async ({field, signature, message}) => {
          const dk = await import('/lib/device-key.js');
          const b = await import('/lib/bytes.js');
          const m = new TextEncoder().encode(message);
          const check = (f, s) => dk.verifyDeviceSignature(b.fromHex(f), b.fromHex(s), m);
          return [
            await check(field, signature),
            await check('04' + field.slice(2), signature),
            await check('02' + 'ff'.repeat(32), signature),
            await check(field.slice(0, 64), signature),
            await check(field, '00'.repeat(64)),
          ];
        }""",
        {"field": signer.field.hex(), "signature": signer.sign(message).hex(), "message": message.decode()},
    )
    assert result == [True, False, False, False, False]
