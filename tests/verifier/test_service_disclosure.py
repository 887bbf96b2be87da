"""The pre-rendered verdict bodies say exactly what the dict form says."""

from __future__ import annotations

import json
from datetime import date

import pytest

from keys.reasons import REASONS
from keys.wire import Claims
from verifier.disclosure import status_age_text, verdict_json, verdict_text
from verifier.verdict import Verdict

CLAIMS = Claims(ref=4242, permit_type=1, district=5, valid_until=date(2027, 6, 30), id_tail="123X", name="张伟")
ODD = Claims(ref=1, permit_type=9, district=99, valid_until=date(2030, 1, 1), id_tail='"\\\n', name='Ann "A" \\ O\'Neil\u2028')


@pytest.mark.parametrize("role", ["official", "business"])
@pytest.mark.parametrize("age", [None, 0, 0.0, 1.23456, -3.0, 86400.5])
def test_verdict_text_is_the_json_of_verdict_json(role, age):
    verdicts = [Verdict(r == "VALID", r, None, None, 1795400000.25) for r in REASONS]
    verdicts += [
        Verdict(True, "VALID", "MINTED", CLAIMS, 1795400000.0),
        Verdict(False, "REVOKED", "PASS", CLAIMS, 1795400001.5),
        Verdict(True, "VALID", "PAPER", ODD, 1795400002.0, requires_id_check=True),
        Verdict(False, "REPLAYED", "MINTED", ODD, 1795400002.0),
        Verdict(False, "NOT_A_REASON", None, None, 0.0),
        Verdict(True, "VALID", "MINTED", CLAIMS._replace(disclose=0x83), 1795400003.0),
        Verdict(True, "VALID", "MINTED", ODD._replace(disclose=0x81), 1795400003.0),
        Verdict(True, "VALID", "DEVICE", CLAIMS._replace(disclose=0x80), 1795400003.0),
        Verdict(False, "REPLAYED", "MINTED", CLAIMS._replace(disclose=0x83), 1795400003.0),
    ]
    for verdict in verdicts:
        expected = json.dumps(verdict_json(verdict, role, age), ensure_ascii=False, separators=(",", ":"))
        assert verdict_text(verdict, role, status_age_text(age)) == expected
        json.loads(expected)

