"""Builds negative-v1.json: one vector or more for every reason code, the ±1 step edges, the check order.

Another implementation checks itself by running each vector as described in
the file's ``how`` field. Signatures are deterministic and every nonce and pass
id is fixed, so ``python -m tests.vectors.build_negative`` rewrites the same
file; the test suite pins it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from keys.timekeeping import step_at
from keys.base45 import b45decode, b45encode
from keys.reasons import REASONS
from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.totp import code_at, pass_secret
from keys.wire import HEADER, MINTED_FIELDS, PREFIX, Claims, Mode, encode_claims, encode_minted, encode_paper
from keys.wire import encode_pass, pass_text

from .build import CLAIMS, NOW, PERIOD, ROTATION_SECRET, SEED

HERE = Path(__file__).parent
OTHER_ISSUER_SEED = bytes([0xAA]) * 32
RETIRED_SEED = bytes([0x52]) * 32
NONCE = bytes.fromhex("c0ffee")
PASS_ID = bytes.fromhex("0011223344556677")
PASS_PERIOD = 30
MAX_STATUS_AGE_S = 300
REVOKED_REF, SUSPENDED_REF, SUPERSEDED_REF = 70_002, 70_003, 70_004
BEIJING_TODAY = date(2026, 11, 23)  # NOW is 10:13:20 in Beijing

HOW = """Each vector: start from an empty replay store and a status list fetched at now - status_age_s
(default 0) in which the refs of "statuses" have that status and every other ref is 0. The key set is
"keyset" (the issuer's key, and a retired key whose validity ended). Present every text of "seen_before"
first, at "now"; then present "text" at "now" with skew_steps 1, max_status_age_s 300, a paper tolerance
of 300 s, and the rotation secret held unless "rotation_secret" is false. When "replay_epoch" is given,
the replay store may have lost every claim made before that moment (its epoch): a code whose acceptance
window ((step - skew) * period) began before it is refused. The verdict's reason must be "expect"."""


def keyset() -> KeySet:
    key, retired = SigningKey(SEED), SigningKey(RETIRED_SEED)
    return KeySet(
        [
            KeyInfo(key.kid, key.public_key, NOW - 86400, NOW + 400 * 86400),
            KeyInfo(retired.kid, retired.public_key, NOW - 400 * 86400, NOW - 3600),
        ],
        NOW,
    )


def minted(step: int, claims: Claims = CLAIMS, *, key: SigningKey | None = None, version: int = 1,
           period: int = PERIOD) -> str:
    key = key or SigningKey(SEED)
    if version == 1:
        return encode_minted(key, claims, step=step, period=period, nonce=NONCE, version=1)
    body = HEADER.pack(version, Mode.MINTED, key.kid) + MINTED_FIELDS.pack(period, step, NONCE)
    body += encode_claims(claims, Mode.MINTED)
    return PREFIX + b45encode(body + key.sign(body))


def offline(at: int, *, code: int | None = None, not_before: int = NOW - 3600, hours: int = 24,
            claims: Claims = CLAIMS) -> str:
    signed = encode_pass(SigningKey(SEED), claims, pass_id=PASS_ID, period=PASS_PERIOD, not_before=not_before,
                         hours=hours, version=1)
    step = at // PASS_PERIOD
    right = code_at(pass_secret(ROTATION_SECRET, PASS_ID), step)
    return pass_text(signed, step, right if code is None else code)


def paper(*, issued_at: int = NOW - 86400, not_after: int = NOW + 100 * 86400, claims: Claims = CLAIMS) -> str:
    return encode_paper(SigningKey(SEED), claims, issued_at=issued_at, not_after=not_after, version=1)


def flip(text: str, byte: int) -> str:
    raw = bytearray(b45decode(text[len(PREFIX):]))
    raw[byte] ^= 0x01
    return PREFIX + b45encode(bytes(raw))


def vectors() -> list[dict[str, Any]]:
    step = step_at(NOW, PERIOD)
    start = step * PERIOD  # the current step began at this second
    wrong_totp = (code_at(pass_secret(ROTATION_SECRET, PASS_ID), NOW // PASS_PERIOD) + 1) % 1_000_000
    revoked = CLAIMS._replace(ref=REVOKED_REF)
    suspended = CLAIMS._replace(ref=SUSPENDED_REF)
    out: list[dict[str, Any]] = []

    def add(name: str, why: str, text: str, expect: str, **extra: Any) -> None:
        out.append({"name": name, "why": why, "text": text, "now": extra.pop("now", NOW), "expect": expect, **extra})

    live = minted(step)
    # -- one (or more) per reason code --------------------------------------------------
    add("valid minted", "a live code of the current step", live, "VALID")
    add("valid pass", "an offline pass with the TOTP code of the current step", offline(NOW), "VALID")
    add("valid paper", "a paper slip inside its validity", paper(), "VALID")
    add("not a code", "no prefix", "hello", "MALFORMED")
    add("prefix only", "nothing after the prefix", "RP:", "MALFORMED")
    add("lowercase", "the prefix and base45 are case-sensitive", live.lower(), "MALFORMED")
    add("non-canonical base45", "a group above 65535", "RP:GGW", "MALFORMED")
    add("truncated", "cut below the shortest MINTED payload", live[:30], "MALFORMED")
    add("four bytes cut", "still a possible length (names vary), so the signature no longer matches",
        live[:-6], "BAD_SIGNATURE")
    add("oversize", "bytes appended after the signature", PREFIX + b45encode(b45decode(live[3:]) + b"\0" * 40),
        "MALFORMED")
    add("ideographic space", "U+3000 is not trimmed", live + "\u3000", "MALFORMED")
    add("no-break space", "U+00A0 is not trimmed", "\u00a0" + live, "MALFORMED")
    add("next line", "U+0085 is not trimmed", live + "\u0085", "MALFORMED")
    add("wedge CR LF", "space, tab, CR and LF around a code are trimmed", " \t" + live + "\r\n", "VALID")
    add("period zero", "a MINTED code with period 0", minted_period_zero(step), "MALFORMED")
    add("version 3", "a version this format does not know", minted(step, version=3), "UNSUPPORTED_VERSION")
    add("version 0 downgrade", "an older, unknown version byte", minted(step, version=0), "UNSUPPORTED_VERSION")
    add("another issuer", "signed by a key not in the key set", minted(step, key=SigningKey(OTHER_ISSUER_SEED)),
        "UNKNOWN_KEY")
    add("retired key", "signed by a key whose validity ended an hour ago", minted(step, key=SigningKey(RETIRED_SEED)),
        "KEY_NOT_VALID_AT_TIME")
    add("signature bit flipped", "the last signature byte altered", flip(live, len(b45decode(live[3:])) - 1),
        "BAD_SIGNATURE")
    add("name altered", "one claim byte altered, signature unchanged", flip(live, 25), "BAD_SIGNATURE")
    add("ref altered", "the status-list index altered (another person's status)", flip(live, 16), "BAD_SIGNATURE")
    add("stale", "two steps old: a screenshot", minted(step - 2), "STALE")
    add("not yet valid", "two steps ahead: a clock far ahead", minted(step + 2), "NOT_YET_VALID")
    add("bad totp", "the pass with a wrong six-digit code", offline(NOW, code=wrong_totp), "BAD_TOTP")
    add("liveness unverifiable", "a pass, without the rotation secret", offline(NOW), "LIVENESS_UNVERIFIABLE",
        rotation_secret=False)
    add("credential expired", "valid until yesterday (Beijing)",
        minted(step, CLAIMS._replace(valid_until=BEIJING_TODAY - timedelta(days=1))), "CREDENTIAL_EXPIRED")
    add("suspended", "the status list says suspended", minted(step, suspended), "SUSPENDED",
        statuses={str(SUSPENDED_REF): "SUSPENDED"})
    add("revoked", "the status list says revoked",
        minted(step, revoked), "REVOKED", statuses={str(REVOKED_REF): "REVOKED"})
    add("superseded", "the status list says superseded: the old index after a change of address, or a voided slip",
        minted(step, CLAIMS._replace(ref=SUPERSEDED_REF)), "SUPERSEDED", statuses={str(SUPERSEDED_REF): "SUPERSEDED"})
    add("replayed", "the same code shown a second time", live, "REPLAYED", seen_before=[live])
    add("pass replayed", "the same pass code twice in one step", offline(NOW), "REPLAYED", seen_before=[offline(NOW)])
    add("lost claims", "the replay store lost its claims after this code's window began",
        live, "SERVICE_UNAVAILABLE", replay_epoch=NOW - 5)
    add("status stale", "the status list is older than the maximum age", live, "STATUS_STALE",
        status_age_s=MAX_STATUS_AGE_S + 1)
    # -- the ±1 step edges -------------------------------------------------------------
    add("previous step", "one step late is inside the skew", minted(step - 1), "VALID")
    add("next step", "one step early is inside the skew", minted(step + 1), "VALID")
    add("last second of the window", "step s is accepted until (s + 2) * period, exclusive",
        minted(step - 1), "VALID", now=start + PERIOD - 1)
    add("window closed", "at (s + 2) * period the code of step s is STALE", minted(step - 1), "STALE",
        now=start + PERIOD)
    add("first second ahead", "a code of step s + 1 is accepted from s * period", minted(step + 1), "VALID", now=start)
    add("one second too early", "a code of step s + 2 is refused until (s + 1) * period", minted(step + 1),
        "NOT_YET_VALID", now=start - 1)
    add("pass previous step", "the TOTP code of the previous step", offline(NOW - PASS_PERIOD), "VALID")
    add("pass two steps old", "the TOTP code of two steps ago", offline(NOW - 2 * PASS_PERIOD), "STALE")
    add("pass ended", "a pass is valid not_before + hours * 3600 inclusive",
        offline(NOW, not_before=NOW - 24 * 3600 - 1), "STALE")
    add("pass last second", "the last second of a pass", offline(NOW, not_before=NOW - 24 * 3600), "VALID")
    add("pass not yet", "not_before more than one step ahead", offline(NOW, not_before=NOW + PASS_PERIOD + 1),
        "NOT_YET_VALID")
    add("paper ended", "not_after passed by one second", paper(not_after=NOW - 1), "CREDENTIAL_EXPIRED")
    add("paper last second", "now == not_after is still valid", paper(not_after=NOW), "VALID")
    add("paper from the future", "issued more than 300 s ahead", paper(issued_at=NOW + 301), "NOT_YET_VALID")
    add("paper slightly ahead", "issued 300 s ahead is tolerated", paper(issued_at=NOW + 300), "VALID")
    add("expires today", "valid_until is today in Beijing: still valid",
        minted(step, CLAIMS._replace(valid_until=BEIJING_TODAY)), "VALID")
    add("epoch edge", "a window that began exactly at the epoch is safe", minted(step), "VALID",
        replay_epoch=(step - 1) * PERIOD)
    # -- check order: cheapest first, the write last -------------------------------------
    add("unknown key before stale", "the key is looked up before the time", minted(step - 5,
        key=SigningKey(OTHER_ISSUER_SEED)), "UNKNOWN_KEY")
    add("stale before signature", "an old code with a broken signature is STALE (no signature work)",
        flip(minted(step - 5), len(b45decode(live[3:])) - 1), "STALE")
    add("key time before signature", "a retired key's code with a broken signature",
        flip(minted(step, key=SigningKey(RETIRED_SEED)), len(b45decode(live[3:])) - 1), "KEY_NOT_VALID_AT_TIME")
    add("expired before revoked", "an expired and revoked credential is CREDENTIAL_EXPIRED",
        minted(step, revoked._replace(valid_until=BEIJING_TODAY - timedelta(days=1))), "CREDENTIAL_EXPIRED",
        statuses={str(REVOKED_REF): "REVOKED"})
    add("bad totp before revoked", "a revoked pass with a wrong code is BAD_TOTP",
        offline(NOW, code=wrong_totp, claims=revoked), "BAD_TOTP", statuses={str(REVOKED_REF): "REVOKED"})
    add("status age before status", "a revoked code with a stale list is STATUS_STALE",
        minted(step, revoked), "STATUS_STALE", statuses={str(REVOKED_REF): "REVOKED"},
        status_age_s=MAX_STATUS_AGE_S + 1)
    add("revoked before liveness", "a revoked pass without the rotation secret is REVOKED",
        offline(NOW, claims=revoked), "REVOKED", statuses={str(REVOKED_REF): "REVOKED"}, rotation_secret=False)
    add("revoked before replayed", "a revoked code shown twice is REVOKED both times", minted(step, revoked),
        "REVOKED", statuses={str(REVOKED_REF): "REVOKED"}, seen_before=[minted(step, revoked)])
    add("paper is never a replay", "a static slip shown twice", paper(), "VALID", seen_before=[paper()])
    return out


def minted_period_zero(step: int) -> str:
    key = SigningKey(SEED)
    body = HEADER.pack(1, Mode.MINTED, key.kid) + MINTED_FIELDS.pack(0, step, NONCE) + encode_claims(CLAIMS, Mode.MINTED)
    return PREFIX + b45encode(body + key.sign(body))


#: reasons this file has no vector for: a fault of the verifier itself (no code can cause
#: it), and the device-bound mode's own refusal (its vectors are in device-v1.json)
NOT_FROM_A_CODE = frozenset({"INTERNAL_ERROR", "BAD_DEVICE_SIGNATURE"})


def build() -> dict[str, Any]:
    return {
        "about": "Wire format v1 negative and boundary vectors; see docs/format.md and the field 'how'",
        "how": HOW,
        "seed_hex": SEED.hex(),
        "rotation_secret_hex": ROTATION_SECRET.hex(),
        "now": NOW,
        "period": PERIOD,
        "max_status_age_s": MAX_STATUS_AGE_S,
        "keyset": keyset().to_json(),
        "reasons": sorted(r for r in REASONS if r not in NOT_FROM_A_CODE),
        "vectors": vectors(),
    }


if __name__ == "__main__":
    (HERE / "negative-v1.json").write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
