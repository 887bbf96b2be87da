"""The holder's choice of what a business sees, signed into a live code (``GET /v1/holder/live?disclose=``)."""

from __future__ import annotations

import pytest

from keys.base45 import b45decode
from keys.vocabulary import DISCLOSURE_CHOSEN, Disclosure
from keys.wire import PREFIX
from tests.issuer.app_helpers import Clock, TestClient, checker, enrol, issue


@pytest.fixture
def device(client: TestClient) -> dict[str, str]:
    return enrol(client, issue(client, name="欧阳娜娜")["cred_id"])


@pytest.mark.parametrize(
    "query, byte, echoed",
    [
        ("", 0, None),
        ("?disclose=", DISCLOSURE_CHOSEN, []),
        ("?disclose=name", DISCLOSURE_CHOSEN | Disclosure.NAME, ["name"]),
        ("?disclose=id_tail", DISCLOSURE_CHOSEN | Disclosure.ID_TAIL, ["id_tail"]),
        ("?disclose=id_tail,name", DISCLOSURE_CHOSEN | Disclosure.NAME | Disclosure.ID_TAIL, ["name", "id_tail"]),
    ],
)
def test_the_choice_is_signed_into_a_v2_code(
    client: TestClient, clock: Clock, device: dict[str, str], query: str, byte: int, echoed: list[str] | None
) -> None:
    r = client.get("/v1/holder/live" + query, headers=device)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["disclose"] == echoed
    raw = b45decode(body["code"][len(PREFIX):])
    assert raw[0] == 2  # the issuer mints wire v2
    verdict = checker(client, clock()).verify(body["code"], clock())
    assert verdict.valid and verdict.claims is not None and verdict.claims.disclose == byte


@pytest.mark.parametrize(
    "query",
    ["disclose=address", "disclose=name,name", "disclose=name,", "disclose=,name", "disclose=NAME",
     "disclose=name%20", "disclose=name&disclose=id_tail", "disclose=" + "name," * 200 + "name",
     "disclose=%E5%A7%93%E5%90%8D", "disclose=id_number"],
)
def test_anything_else_is_invalid_disclosure(client: TestClient, device: dict[str, str], query: str) -> None:
    r = client.get("/v1/holder/live?" + query, headers=device)
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "INVALID_DISCLOSURE"
    assert "name" in body["message"]["en"] and "姓名" in body["message"]["zh"]


def test_an_unenrolled_phone_is_refused_before_its_choice_is_read(client: TestClient) -> None:
    r = client.get("/v1/holder/live?disclose=address", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"] == "UNAUTHORIZED"
