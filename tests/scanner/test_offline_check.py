"""offline-check.js (the handheld's offline checks) agrees with verifier.core.

Every case is verified by the Python core and by the JavaScript module running
in headless Chromium (WebCrypto Ed25519, DecompressionStream); the reasons,
and the claims of accepted codes, must be the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from datetime import date, datetime, timezone
from typing import Any

import pytest
from starlette.applications import Starlette

import scanner_app
from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.statuslist import REVOKED, SUSPENDED, StatusList
from keys.edge.static import shared_routes as vendor_routes
from verifier.core import Options, verify
from verifier.replay import MemoryReplayStore
from verifier.status import MemoryStatusSource

from .codes import PERIOD, STATUS_SIZE, Issuer, claims, raw_claims, raw_claims_v2, tamper

pytestmark = pytest.mark.browser

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "format-v1.json"
VECTORS_V2 = VECTORS.with_name("format-v2.json")

# Beijing midnight plus five seconds: 2026-01-02 00:00:05 in Beijing.
T = datetime(2026, 1, 1, 16, 0, 5, tzinfo=timezone.utc).timestamp()
TODAY_BEIJING = date(2026, 1, 2)
LATER = date(2027, 1, 1)


def _cases(issuer: Issuer, retired: SigningKey) -> list[tuple[str, str, float]]:
    """(label, text, now) in presentation order: the replay store is shared."""
    c = claims(valid_until=LATER, ref=7)
    step = int(T // PERIOD)
    fresh = issuer.minted(c, step=step)
    paper = issuer.paper(claims(valid_until=LATER), issued_at=T - 86400)
    issuer.statuses.update({100: REVOKED, 101: SUSPENDED})
    return [
        ("fresh", fresh, T),
        ("replayed", fresh, T + 1),
        ("previous step", issuer.minted(c, step=step - 1), T),
        ("two steps old", issuer.minted(c, step=step - 2), T),
        ("a minute old", issuer.minted(c, step=step - 5), T),
        ("next step", issuer.minted(c, step=step + 1), T),
        ("two steps ahead", issuer.minted(c, step=step + 2), T),
        ("bad signature", tamper(issuer.minted(c, step=step), 1), T),
        ("claims tampered", tamper(issuer.minted(c, step=step), 70), T),
        ("unknown key", Issuer(T, key=SigningKey.generate()).minted(c, step=step), T),
        ("key expired", Issuer(T, key=retired).minted(c, step=step), T),
        ("expired yesterday", issuer.minted(claims(valid_until=date(2026, 1, 1)), step=step), T),
        ("expires today", issuer.minted(claims(valid_until=TODAY_BEIJING), step=step), T),
        ("revoked", issuer.minted(claims(valid_until=LATER, ref=100), step=step), T),
        ("suspended", issuer.minted(claims(valid_until=LATER, ref=101), step=step), T),
        ("index beyond list", issuer.minted(claims(valid_until=LATER, ref=STATUS_SIZE + 5), step=step), T),
        ("paper", paper, T),
        ("paper twice is no replay", paper, T + 1),
        ("paper ended", issuer.paper(claims(valid_until=LATER), issued_at=T - 40 * 86400), T),
        ("paper from the future", issuer.paper(claims(valid_until=LATER), issued_at=T + 600), T),
        ("pass", issuer.pass_code(claims(valid_until=LATER), not_before=T - 3600, at=T), T),
        ("pass over", issuer.pass_code(claims(valid_until=LATER), not_before=T - 73 * 3600, hours=72, at=T), T),
        ("long name cut to fit", issuer.minted(claims(valid_until=LATER, name="欧阳娜娜·阿卜杜拉买买提"), step=step), T),
        ("latin name", issuer.minted(claims(valid_until=LATER, name="Anna O'Brien", id_tail="0000"), step=step), T),
        ("bad utf-8 name", issuer.raw_minted(raw_claims(c, b"\xe5\xbc"), step=step), T),
        ("name cut mid-character", issuer.raw_minted(raw_claims(c, "张伟".encode()[:-1]), step=step), T),
        ("name too long", issuer.raw_minted(raw_claims(c, b"A" * 15), step=step), T),
        ("id tail out of range", issuer.raw_minted(raw_claims(c, b"A", id_tail=11000), step=step), T),
        ("period zero", issuer.raw_minted(raw_claims(c, b"A"), step=step, period=0), T),
        ("version 3", issuer.raw_minted(raw_claims(c, b"A"), step=step, version=3), T),
        ("v1 code", issuer.minted(c, step=step, version=1), T),
        ("v1 paper", issuer.paper(claims(valid_until=LATER, ref=9), issued_at=T - 86400, version=1), T),
        ("v2 with consent", issuer.minted(c._replace(disclose=0x83), step=step), T),
        ("v2 validity only", issuer.minted(c._replace(disclose=0x80), step=step), T),
        ("v2 wide ref beyond list", issuer.minted(claims(valid_until=LATER, ref=(1 << 24) + 3), step=step), T),
        ("v2 disclose reserved bit", issuer.raw_minted(raw_claims_v2(c, b"A", disclose=0x84), step=step, version=2), T),
        ("v2 disclose unmarked", issuer.raw_minted(raw_claims_v2(c, b"A", disclose=0x01), step=step, version=2), T),
        ("v2 name too long", issuer.raw_minted(raw_claims_v2(c, b"A" * 13), step=step, version=2), T),
        ("v2 longest name", issuer.raw_minted(raw_claims_v2(c, b"A" * 12), step=step, version=2), T),
        ("not a code", "hello", T),
        ("prefix only", "RP:", T),
        ("lowercase", fresh.lower(), T),
        ("wedge tab, CR and LF trimmed", " \t" + issuer.minted(c, step=step) + "\r\n", T),
        ("ideographic space kept", issuer.minted(c, step=step) + "\u3000", T),
        ("no-break space kept", "\u00a0" + issuer.minted(c, step=step), T),
        ("next line kept", issuer.minted(c, step=step) + "\u0085", T),
        ("non-canonical base45", "RP:GGW", T),
        ("short", "RP:00", T),
        ("surrounding spaces", "  " + issuer.minted(c, step=step) + "\r\n", T),
    ]


def _core_verdicts(keyset: KeySet, status_list: StatusList, cases: list[tuple[str, str, float]], options: Options = Options()) -> list[dict[str, Any]]:
    status = MemoryStatusSource()
    status.load(status_list, T)
    replay = MemoryReplayStore()
    out = []
    for _, text, now in cases:
        v = verify(text, now, keyset, status, replay, options)
        claims_json = None
        if v.claims is not None:
            claims_json = {
                "name": v.claims.name,
                "id_tail": v.claims.id_tail,
                "valid_until": v.claims.valid_until.isoformat(),
                "district": v.claims.district,
                "permit_type": v.claims.permit_type,
            }
        out.append({"reason": v.reason, "mode": v.mode, "requires_id_check": v.requires_id_check, "claims": claims_json})
    return out


RUN_CASES = """
async ({keyset, status, statusNow, cases}) => {
  const fmt = {...await import('/scan/offline-check.js'), ...await import('/scan/keyset.js'), ...await import('/scan/status-list.js')};
  const ks = await fmt.parseKeySet(keyset);
  const list = await fmt.verifyStatusList(status, ks, statusNow);
  const seen = new Map();
  const replay = {claim: async (key, ttl, now) => {
    if (seen.has(key) && seen.get(key) > now) return false;
    seen.set(key, now + ttl);
    return true;
  }};
  const out = [];
  for (const [label, text, now] of cases) {
    const v = await fmt.verifyOffline(text, now, {keyset: ks, statusList: list, replay, options: fmt.DEFAULT_OPTIONS});
    out.push({
      reason: v.reason, mode: v.mode, requires_id_check: v.requires_id_check, offline: v.offline,
      claims: v.claims && {name: v.claims.name, id_tail: v.claims.id_tail, valid_until: v.claims.valid_until,
                           district: v.claims.district.code, permit_type: v.claims.permit_type.code},
    });
  }
  return out;
}
"""


@pytest.fixture
def format_page(live_server, browser):
    """A page on the scanner's origin, to import its modules into."""
    base = live_server(Starlette(routes=[*scanner_app.routes(), *vendor_routes()]))
    page = browser.new_page()
    page.goto(f"{base}/scan/config.json")
    yield page
    page.close()


def _run(page, keyset: KeySet, status_doc: dict[str, Any], cases: list[tuple[str, str, float]]) -> list[dict[str, Any]]:
    return page.evaluate(
        RUN_CASES,
        {"keyset": keyset.to_json(), "status": status_doc, "statusNow": T, "cases": [list(c) for c in cases]},
    )


def _assert_same(labels: list[str], got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert [(label, g["reason"]) for label, g in zip(labels, got)] == [(label, e["reason"]) for label, e in zip(labels, expected)]
    for label, g, e in zip(labels, got, expected):
        assert g["offline"] is True
        assert (g["mode"], g["requires_id_check"], g["claims"]) == (e["mode"], e["requires_id_check"], e["claims"]), label


def test_offline_checks_agree_with_core(format_page):
    issuer = Issuer(T)
    retired = SigningKey.generate()
    cases = _cases(issuer, retired)
    # The retired key is in the key set, but its validity ended a day before T.
    keyset = issuer.keyset(KeyInfo(retired.kid, retired.public_key, int(T) - 10 * 86400, int(T) - 86400, "retired"))
    status_list = issuer.status_list(issued_at=T)
    expected = _core_verdicts(keyset, status_list, cases)
    got = _run(format_page, keyset, status_list.sign(issuer.key), cases)
    labels = [label for label, _, _ in cases]
    _assert_same(labels, got, expected)

    reason = dict(zip(labels, (g["reason"] for g in got)))
    assert reason["fresh"] == "VALID" and reason["replayed"] == "REPLAYED"
    assert reason["previous step"] == reason["next step"] == "VALID"
    assert reason["a minute old"] == reason["two steps old"] == "STALE"
    assert reason["two steps ahead"] == "NOT_YET_VALID"
    assert reason["bad signature"] == reason["claims tampered"] == "BAD_SIGNATURE"
    assert reason["key expired"] == "KEY_NOT_VALID_AT_TIME" and reason["unknown key"] == "UNKNOWN_KEY"
    assert reason["expired yesterday"] == "CREDENTIAL_EXPIRED" and reason["expires today"] == "VALID"
    assert reason["revoked"] == reason["index beyond list"] == "REVOKED" and reason["suspended"] == "SUSPENDED"
    assert reason["paper"] == reason["paper twice is no replay"] == "VALID"
    assert reason["paper ended"] == "CREDENTIAL_EXPIRED" and reason["paper from the future"] == "NOT_YET_VALID"
    assert reason["pass"] == "LIVENESS_UNVERIFIABLE" and reason["pass over"] == "STALE"
    for label in ("bad utf-8 name", "name cut mid-character", "name too long", "id tail out of range", "period zero"):
        assert reason[label] == "MALFORMED", label
    assert reason["version 3"] == "UNSUPPORTED_VERSION"
    assert reason["v1 code"] == reason["v1 paper"] == reason["v2 with consent"] == reason["v2 validity only"] == "VALID"
    assert reason["v2 longest name"] == "VALID" and reason["v2 wide ref beyond list"] == "REVOKED"
    for label in ("v2 disclose reserved bit", "v2 disclose unmarked", "v2 name too long"):
        assert reason[label] == "MALFORMED", label
    assert reason["surrounding spaces"] == "VALID"


def test_pinned_vectors(format_page):
    """The vectors of docs/format.md, checked by the handheld as the format says."""
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))
    now = vectors["now"]
    texts = {v["mode"]: v["text"] for v in vectors["vectors"]}
    cases = [
        ("MINTED", texts["MINTED"], now),
        ("MINTED again", texts["MINTED"], now),
        ("MINTED a minute later", texts["MINTED"], now + 60),
        ("PASS", texts["PASS"], now),
        ("PAPER", texts["PAPER"], now),
    ]
    keyset = KeySet.loads(vectors["keyset"])
    issuer = Issuer(now, key=SigningKey(bytes.fromhex(vectors["seed_hex"])))
    got = format_page.evaluate(
        RUN_CASES,
        {"keyset": vectors["keyset"], "status": issuer.status_document(issued_at=now), "statusNow": now,
         "cases": [list(c) for c in cases]},
    )
    assert [g["reason"] for g in got] == ["VALID", "REPLAYED", "STALE", "LIVENESS_UNVERIFIABLE", "VALID"]
    assert got[4]["requires_id_check"] is True
    expected_claims = vectors["claims"]
    for g in (got[0], got[3], got[4]):
        assert g["claims"] == {k: expected_claims[k] for k in ("name", "id_tail", "valid_until", "district", "permit_type")}
    assert _core_verdicts(keyset, issuer.status_list(issued_at=now), cases)[:3] == [
        {k: g[k] for k in ("reason", "mode", "requires_id_check", "claims")} for g in got[:3]
    ]


def test_pinned_v2_vectors(format_page):
    """tests/vectors/format-v2.json checked by the handheld: every reason as the file says (an offline
    pass, whose one-time code the handheld cannot check, is LIVENESS_UNVERIFIABLE), on permit-status/2
    lists of 2^25 entries."""
    doc = json.loads(VECTORS_V2.read_text(encoding="utf-8"))
    now, key = doc["now"], SigningKey(bytes.fromhex(doc["seed_hex"]))
    names = {"REVOKED": REVOKED, "SUSPENDED": SUSPENDED}
    groups: dict[str, list[dict[str, Any]]] = {}
    for vector in doc["vectors"]:
        groups.setdefault(json.dumps(vector.get("statuses", {}), sort_keys=True), []).append(vector)
    checked = 0
    for statuses, vectors in groups.items():
        entries = [(int(ref), names[name]) for ref, name in json.loads(statuses).items()]
        status_doc = StatusList.build(entries, size=doc["list_size"], issued_at=now, ttl=300).sign(key)
        assert status_doc["format"] == "permit-status/2"
        cases, wanted = [], []
        for vector in vectors:
            cases += [["seen before", earlier, now] for earlier in vector.get("seen_before", [])]
            cases.append([vector["name"], vector["text"], vector.get("now", now)])
            expect = "LIVENESS_UNVERIFIABLE" if vector.get("mode") == "PASS" else vector["expect"]
            wanted.append((len(cases) - 1, vector["name"], expect))
        got = format_page.evaluate(RUN_CASES, {"keyset": doc["keyset"], "status": status_doc, "statusNow": now,
                                               "cases": cases})
        assert [(name, got[i]["reason"]) for i, name, _ in wanted] == [(name, e) for _, name, e in wanted]
        checked += len(wanted)
    assert checked == len(doc["vectors"])


def test_the_handheld_names_a_wide_index_as_the_service_does(format_page):
    """The scan record's credential bytes (wire.js refBytes) are keys.claims.ref_bytes: v1 and v2 alike."""
    from keys.claims import ref_bytes

    refs = [0, 7, 0xFFFFFF, 1 << 24, 20_000_001, 2**32 - 1]
    got = format_page.evaluate(
        "async (refs) => { const w = await import('/lib/wire.js'); const b = await import('/lib/bytes.js');"
        " return refs.map((r) => b.toHex(w.refBytes(r))); }", refs)
    assert got == [ref_bytes(r).hex() for r in refs]


def test_status_list_too_old_offline_is_status_stale(format_page):
    issuer = Issuer(T)
    code = issuer.minted(claims(valid_until=LATER))
    result = format_page.evaluate(
        """async ({keyset, status, code, now}) => {
            const fmt = {...await import('/scan/offline-check.js'), ...await import('/scan/keyset.js'), ...await import('/scan/status-list.js')};
            const ks = await fmt.parseKeySet(keyset);
            const list = await fmt.verifyStatusList(status, ks, now);
            const replay = {claim: async () => true};
            const opts = {...fmt.DEFAULT_OPTIONS, offline_max_status_age_s: 3600};
            const old = await fmt.verifyOffline(code, now, {keyset: ks, statusList: list, replay, options: opts});
            const none = await fmt.verifyOffline(code, now, {keyset: ks, statusList: null, replay, options: opts});
            return [old.reason, old.status_age_s, none.reason];
        }""",
        {"keyset": issuer.keyset().to_json(), "status": issuer.status_document(issued_at=T - 7200), "code": code, "now": T},
    )
    assert result == ["STATUS_STALE", 7200, "STATUS_STALE"]


def _rejects(page, keyset: dict, status: dict, now: float) -> str:
    return page.evaluate(
        """async ({keyset, status, now}) => {
            const fmt = {...await import('/scan/offline-check.js'), ...await import('/scan/keyset.js'), ...await import('/scan/status-list.js')};
            try {
              const ks = await fmt.parseKeySet(keyset);
              await fmt.verifyStatusList(status, ks, now);
              return 'accepted';
            } catch (e) {
              return e instanceof fmt.DocumentError ? 'DocumentError: ' + e.message : 'other: ' + e;
            }
        }""",
        {"keyset": keyset, "status": status, "now": now},
    )


def test_hostile_key_sets_and_status_lists_are_refused(format_page):
    import base64
    import zlib

    issuer = Issuer(T)
    keyset = issuer.keyset().to_json()
    good = issuer.status_document(issued_at=T)
    assert _rejects(format_page, keyset, good, T) == "accepted"

    bad_sig = dict(good, signature=good["signature"][:-4] + ("AAAA" if not good["signature"].endswith("AAAA") else "BBBB"))
    assert "signature" in _rejects(format_page, keyset, bad_sig, T)

    wrong_size = dict(good, size=STATUS_SIZE * 2)  # signed input changes: refused before inflating
    assert "signature" in _rejects(format_page, keyset, wrong_size, T)

    swapped = json.loads(json.dumps(keyset))
    swapped["keys"][0]["public_key"] = base64.urlsafe_b64encode(SigningKey.generate().public_key).rstrip(b"=").decode()
    assert "does not match" in _rejects(format_page, swapped, good, T)

    assert "unknown or expired" in _rejects(format_page, keyset, good, T + 2 * 366 * 86400)

    # Correctly signed, but it inflates to more than its declared size: stopped at the bound.
    from keys.statuslist import _signing_input

    bomb = zlib.compress(bytes(STATUS_SIZE), 9)  # four times the declared size
    kid = issuer.key.kid.hex()
    doc = {"format": "permit-status/1", "kid": kid, "issued_at": int(T), "ttl": 300, "size": STATUS_SIZE, "bits": 2,
           "list": base64.urlsafe_b64encode(bomb).rstrip(b"=").decode(),
           "signature": base64.urlsafe_b64encode(issuer.key.sign(_signing_input("permit-status/1", kid, int(T), 300, STATUS_SIZE, bomb))).rstrip(b"=").decode()}
    assert "wrong length" in _rejects(format_page, keyset, doc, T)

    garbage = dict(doc, list=base64.urlsafe_b64encode(b"not zlib").rstrip(b"=").decode())
    garbage["signature"] = base64.urlsafe_b64encode(
        issuer.key.sign(_signing_input("permit-status/1", kid, int(T), 300, STATUS_SIZE, b"not zlib"))).rstrip(b"=").decode()
    assert "decompress" in _rejects(format_page, keyset, garbage, T)

    assert "not a permit-status/1" in _rejects(format_page, keyset, {"format": "x"}, T)
    assert "not a permit-keys/1" in _rejects(format_page, {"keys": []}, good, T)


def test_status_entries_read_msb_first(format_page):
    issuer = Issuer(T)
    issuer.statuses.update({0: REVOKED, 1: SUSPENDED, 2: REVOKED, 5: SUSPENDED, STATUS_SIZE - 1: REVOKED})
    reference = issuer.status_list(issued_at=T)
    indices = [0, 1, 2, 3, 4, 5, 6, STATUS_SIZE - 2, STATUS_SIZE - 1, STATUS_SIZE, -1]
    got = format_page.evaluate(
        """async ({keyset, status, now, indices}) => {
            const fmt = {...await import('/scan/offline-check.js'), ...await import('/scan/keyset.js'), ...await import('/scan/status-list.js')};
            const list = await fmt.verifyStatusList(status, await fmt.parseKeySet(keyset), now);
            return indices.map((i) => fmt.statusAt(list, i));
        }""",
        {"keyset": issuer.keyset().to_json(), "status": reference.sign(issuer.key), "now": T, "indices": indices},
    )
    assert got == [reference.status(i) for i in indices]
