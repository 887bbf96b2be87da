"""A business sees exactly what the holder chose in the code; without a choice, what it always saw.

Over HTTP (httpx through the verifier app): ``POST /v1/verify`` (its fast path)
and ``POST /v1/verify/batch`` (the route), a business key and an official key.
"""

from __future__ import annotations

import json

import pytest

from keys.statuslist import REVOKED
from keys.vocabulary import DISCLOSURE_CHOSEN, Disclosure
from verifier.disclosure import disclosed_fields, verdict_json
from verifier.verdict import Verdict

from .service_kit import BUSINESS_KEY, CLAIMS, OFFICIAL_KEY

NAME, ID_TAIL = int(Disclosure.NAME), int(Disclosure.ID_TAIL)
ALWAYS = {
    "district": {"code": 6, "zh": "海淀区", "en": "Haidian"},
    "permit_type": {"code": 1, "type": "RESIDENCE_PERMIT", "zh": "居住证", "en": "Residence permit"},
    "valid_until": "2027-06-30",
}


@pytest.mark.parametrize(
    "disclose, shown",
    [
        (DISCLOSURE_CHOSEN | NAME | ID_TAIL, {"name": "张伟", "id_tail": "123X"}),
        (DISCLOSURE_CHOSEN | NAME, {"name": "张伟"}),
        (DISCLOSURE_CHOSEN | ID_TAIL, {"id_tail": "123X"}),
        (DISCLOSURE_CHOSEN, {}),
    ],
)
def test_a_business_sees_exactly_the_chosen_fields(make_verifier, issuer, disclose, shown):
    v = make_verifier()
    chosen = CLAIMS._replace(disclose=disclose)
    single = v.verify(issuer.minted(chosen), key=BUSINESS_KEY)
    batch = v.batch([issuer.minted(chosen), issuer.offline(chosen)], key=BUSINESS_KEY)
    assert single.status_code == batch.status_code == 200
    for body in (single.json(), *batch.json()["results"]):
        assert body["valid"] is True and body["claims"] == ALWAYS
        assert body["disclosed"] == shown
        text = json.dumps(body, ensure_ascii=False)
        assert ("张伟" in text) == ("name" in shown) and ("123X" in text) == ("id_tail" in shown)
        assert "4242" not in text  # never the status-list index
    assert batch.json()["results"][1]["mode"] == "PASS"  # an offline pass carries the choice the same way


def test_without_a_choice_a_business_sees_what_it_always_saw(make_verifier, issuer):
    v = make_verifier()
    for code in (issuer.minted(), issuer.minted(version=1)):
        body = v.verify(code, key=BUSINESS_KEY).json()
        assert body["valid"] is True and body["claims"] == ALWAYS
        assert "disclosed" not in body
        assert "张伟" not in json.dumps(body, ensure_ascii=False)


def test_a_refused_code_discloses_nothing_whatever_the_choice(make_verifier, issuer):
    v = make_verifier()
    issuer.set_status(9, REVOKED)
    v.tick(force=True)
    revoked = CLAIMS._replace(ref=9, disclose=DISCLOSURE_CHOSEN | NAME | ID_TAIL)
    body = v.verify(issuer.minted(revoked), key=BUSINESS_KEY).json()
    assert body["reason"] == "REVOKED" and body["claims"] is None and "disclosed" not in body
    assert "张伟" not in json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize("disclose", [0, DISCLOSURE_CHOSEN, DISCLOSURE_CHOSEN | NAME | ID_TAIL])
def test_officials_are_unchanged_by_the_choice(make_verifier, issuer, disclose):
    v = make_verifier()
    body = v.verify(issuer.minted(CLAIMS._replace(disclose=disclose)), key=OFFICIAL_KEY).json()
    assert body["valid"] is True and "disclosed" not in body
    assert body["claims"]["name"] == "张伟" and body["claims"]["id_number_masked"] == "*" * 14 + "123X"


def test_disclosed_fields_names_what_each_role_was_shown() -> None:
    both = CLAIMS._replace(disclose=DISCLOSURE_CHOSEN | NAME | ID_TAIL)
    valid, refused = Verdict(True, "VALID", "MINTED", both, 0.0), Verdict(False, "REVOKED", "MINTED", both, 0.0)
    always = ("district", "permit_type", "valid_until")
    official = ("name", "id_number_masked", "id_tail", *always)
    assert disclosed_fields(valid, "business") == (*always, "name", "id_tail")
    assert disclosed_fields(valid._replace(claims=CLAIMS), "business") == always
    assert disclosed_fields(valid._replace(claims=CLAIMS._replace(disclose=DISCLOSURE_CHOSEN)), "business") == always
    assert disclosed_fields(refused, "business") == ()
    assert disclosed_fields(refused, "official") == disclosed_fields(valid, "official") == official
    assert disclosed_fields(Verdict(False, "MALFORMED", None, None, 0.0), "official") == ()
    for verdict in (valid, refused, valid._replace(claims=CLAIMS._replace(disclose=DISCLOSURE_CHOSEN | NAME))):
        for role in ("official", "business"):  # exactly the names of the body's claims and disclosed fields
            body = verdict_json(verdict, role, 0.0)
            assert disclosed_fields(verdict, role) == (*(body["claims"] or ()), *body.get("disclosed", ()))


def test_a_wide_index_is_recorded_as_a_v1_one_would_be(make_verifier, issuer):
    """The audit names a credential by SHA-256 of its index in three bytes, four from 2^24 on (keys.claims.ref_bytes)."""
    import hashlib
    import hmac

    from .service_kit import AUDIT_KEY

    v = make_verifier()
    wide = CLAIMS._replace(ref=(1 << 24) + 5)
    # beyond the test issuer's small list, so refused; its signature verified, so it is recorded
    assert v.verify(issuer.minted(wide)).json()["reason"] == "REVOKED"
    assert v.verify(issuer.minted(version=1)).json()["reason"] == "VALID"
    assert v.verify(issuer.minted()).json()["reason"] == "VALID"
    lines = v.audit_lines()

    def keyed(index_bytes: bytes) -> str:
        return hmac.new(AUDIT_KEY, hashlib.sha256(index_bytes).digest(), hashlib.sha256).hexdigest()

    assert lines[0]["cred_ref"] == keyed(bytes([1, 0, 0, 5]))
    assert lines[1]["cred_ref"] == lines[2]["cred_ref"] == keyed((4242).to_bytes(3, "big"))  # v1 and v2 alike
