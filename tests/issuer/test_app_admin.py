"""The clerks' HTTP API: authentication, every operation, error mapping, hostile input."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.issuer.app_helpers import (
    ADMIN,
    ADMIN_TOKEN,
    Clock,
    TestClient,
    enrol,
    issue,
)
from tests.issuer.idgen import make_id

CRED = "0123456789abcdef"
ADMIN_JSON = {**ADMIN, "Content-Type": "application/json"}
ADMIN_ROUTES = [
    ("POST", "/admin/import"),
    ("POST", "/admin/credentials"),
    ("GET", "/admin/credentials?id_number=1"),
    ("GET", f"/admin/credentials/{CRED}"),
    *[("POST", f"/admin/credentials/{CRED}/{op}")
      for op in ("endorse", "change", "suspend", "reinstate", "revoke", "convert", "enrolment")],
    ("GET", f"/admin/credentials/{CRED}/devices"),
    ("GET", f"/admin/credentials/{CRED}/audit"),
    ("GET", f"/admin/credentials/{CRED}/slip"),
    ("POST", "/admin/devices/1/revoke"),
]
BAD_AUTH = [
    {},
    {"Authorization": "Bearer wrong-token-0123456789"},
    {"Authorization": ADMIN_TOKEN},
    {"Authorization": f"Basic {ADMIN_TOKEN}"},
    {"Authorization": f"Bearer {ADMIN_TOKEN}x"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer \u00e9\u00e9".encode("utf-8")},
]


@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
def test_every_admin_route_needs_the_token(client: TestClient, method: str, path: str) -> None:
    for headers in BAD_AUTH:
        r = client.request(method, path, headers=headers, json={})
        assert r.status_code == 401, (path, headers, r.text)
        assert r.json()["error"] == "UNAUTHORIZED"
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_issue_and_show_mask_the_id_number(client: TestClient) -> None:
    cred = issue(client, seq=7)
    full = make_id(seq=7)
    assert cred["id_number_masked"] == full[:6] + "********" + full[-4:]
    assert cred["status"]["code"] == "active" and cred["version"] == 1
    assert cred["valid_until"] == "2027-11-23" and cred["district"]["code"] == 3
    r = client.get(f"/admin/credentials/{cred['cred_id']}", headers=ADMIN)
    assert r.status_code == 200 and full not in r.text
    r = client.get(f"/admin/credentials/{cred['cred_id'].upper()}", headers=ADMIN)
    assert r.status_code == 200
    r = client.get("/admin/credentials", params={"id_number": full.lower()}, headers=ADMIN)
    assert [c["cred_id"] for c in r.json()["credentials"]] == [cred["cred_id"]]
    assert full not in r.text
    assert client.get("/admin/credentials", params={"id_number": make_id(seq=8)}, headers=ADMIN).json()["credentials"] == []



def test_list_and_name_search(client: TestClient, clock: Clock) -> None:
    ids = []
    for seq, name in enumerate(["张三", "李四", "王五", "李四"], start=1):
        ids.append(issue(client, seq=seq, name=name)["cred_id"])
        clock.advance(1)
    r = client.get("/admin/credentials", headers=ADMIN)
    assert r.status_code == 200
    assert [c["cred_id"] for c in r.json()["credentials"]] == ids[::-1]
    page = client.get("/admin/credentials?limit=2&offset=1", headers=ADMIN).json()["credentials"]
    assert [c["cred_id"] for c in page] == ids[::-1][1:3]
    named = client.get("/admin/credentials", params={"name": "李四"}, headers=ADMIN).json()["credentials"]
    assert sorted(c["cred_id"] for c in named) == sorted([ids[1], ids[3]])
    both = client.get("/admin/credentials", params={"name": "张三", "id_number": make_id(seq=1)}, headers=ADMIN)
    assert [c["cred_id"] for c in both.json()["credentials"]] == [ids[0]]
    for bad in ("limit=0", "limit=501", "limit=-1", "offset=x", "limit=99999999999999"):
        assert client.get(f"/admin/credentials?{bad}", headers=ADMIN).status_code == 400, bad


def test_issue_refusals_are_bilingual(client: TestClient) -> None:
    issue(client, seq=1)
    r = client.post("/admin/credentials", headers=ADMIN, json={
        "permit_type": 1, "name": "张三", "id_number": make_id(seq=1), "address": "地址", "district": 3})
    assert r.status_code == 409
    err = r.json()
    assert err["error"] == "ALREADY_EXISTS" and err["message"]["zh"] and err["message"]["en"]
    for bad in [{"district": "浦东新区"}, {"permit_type": 9}, {"years": 0}, {"id_number": "110105199005171230"},
                {"valid_from": "2020-01-01"}, {"valid_from": "not a date"}, {"name": ""}, {"district": 99}]:
        body = {"permit_type": 1, "name": "李四", "id_number": make_id(seq=2), "address": "地址",
                "district": "海淀区", **bad}
        r = client.post("/admin/credentials", headers=ADMIN, json=body)
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["error"] == "INVALID_INPUT"


def test_not_found_and_bad_ids(client: TestClient) -> None:
    r = client.get(f"/admin/credentials/{CRED}", headers=ADMIN)
    assert r.status_code == 404 and r.json()["error"] == "NOT_FOUND"
    for bad in ["xyz", "0123456789abcdeg", "0" * 64, "0" * 65, "%00", "'; DROP TABLE credentials; --"]:
        r = client.post(f"/admin/credentials/{bad}/suspend", headers=ADMIN)
        assert r.status_code in (400, 404), (bad, r.text)
    r = client.post("/admin/devices/99999999999999999999999/revoke", headers=ADMIN)
    assert r.status_code == 404
    r = client.post("/admin/devices/0/revoke", headers=ADMIN)
    assert r.status_code == 404


def test_suspend_reinstate_revoke(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    r = client.post(f"/admin/credentials/{cid}/suspend", headers=ADMIN, json={"reason": "核查中"})
    assert r.status_code == 200 and r.json()["status"]["code"] == "suspended"
    r = client.post(f"/admin/credentials/{cid}/suspend", headers=ADMIN)
    assert r.status_code == 409 and r.json()["error"] == "INVALID_STATE"
    r = client.post(f"/admin/credentials/{cid}/reinstate", headers=ADMIN)
    assert r.json()["status"]["code"] == "active"
    r = client.post(f"/admin/credentials/{cid}/revoke", headers=ADMIN, json={})
    assert r.status_code == 400  # a reason is required
    r = client.post(f"/admin/credentials/{cid}/revoke", headers=ADMIN, json={"reason": "迁出本市"})
    assert r.status_code == 200 and r.json()["status"]["code"] == "revoked"
    assert r.json()["revoke_reason"] == "迁出本市"
    r = client.post(f"/admin/credentials/{cid}/reinstate", headers=ADMIN)
    assert r.status_code == 409


def test_endorse_window(client: TestClient, clock: Clock) -> None:
    cid = issue(client)["cred_id"]
    r = client.post(f"/admin/credentials/{cid}/endorse", headers=ADMIN)
    assert r.status_code == 409 and r.json()["error"] == "OUTSIDE_ENDORSEMENT_WINDOW"
    clock.advance(300 * 86400)  # 2027-09-19: within 90 days of 2027-11-23
    r = client.post(f"/admin/credentials/{cid}/endorse", headers=ADMIN)
    assert r.status_code == 200 and r.json()["valid_until"] == "2028-11-23"


def test_change_and_convert_make_new_versions(client: TestClient) -> None:
    cred = issue(client, permit_type=2)
    cid = cred["cred_id"]
    r = client.post(f"/admin/credentials/{cid}/change", headers=ADMIN, json={"address": "北京市海淀区中关村1号", "district": "海淀区"})
    assert r.status_code == 200
    changed = r.json()
    assert changed["version"] == 2 and changed["district"]["code"] == 6
    assert changed["status_index"] != cred["status_index"]
    r = client.post(f"/admin/credentials/{cid}/change", headers=ADMIN, json={})
    assert r.status_code == 400
    r = client.post(f"/admin/credentials/{cid}/convert", headers=ADMIN)
    assert r.status_code == 200
    assert r.json()["permit_type"]["code"] == 1 and r.json()["version"] == 3
    r = client.post(f"/admin/credentials/{cid}/convert", headers=ADMIN)
    assert r.status_code == 409


def test_enrolment_and_devices(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    r = client.post(f"/admin/credentials/{cid}/enrolment", headers=ADMIN)
    assert r.status_code == 201
    body = r.json()
    assert len(body["code"]) == 9 and body["expires_in"] == 900
    device = enrol(client, cid, "王的手机")
    assert client.get("/v1/holder/live", headers=device).status_code == 200
    devices = client.get(f"/admin/credentials/{cid}/devices", headers=ADMIN).json()["devices"]
    assert [d["label"] for d in devices] == ["王的手机"] and devices[0]["active"]
    assert "token" not in json.dumps(devices)
    r = client.post(f"/admin/devices/{devices[0]['device_id']}/revoke", headers=ADMIN)
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/v1/holder/live", headers=device).status_code == 401
    assert client.post(f"/admin/devices/{devices[0]['device_id']}/revoke", headers=ADMIN).status_code == 409


def test_the_deployment_token_is_recorded_as_admin_and_a_claimed_name_is_refused(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    client.post(f"/admin/credentials/{cid}/suspend", headers=ADMIN)
    entries = client.get(f"/admin/credentials/{cid}/audit", headers=ADMIN).json()["entries"]
    assert [e["operation"] for e in entries] == ["issue", "visit.open", "suspend"]
    assert {e["actor"] for e in entries} == {"admin"}
    r = client.post(f"/admin/credentials/{cid}/reinstate", headers={**ADMIN, "X-Actor": "clerk-042"})
    assert (r.status_code, r.json()["error"]) == (400, "INVALID_INPUT")
    assert "X-Actor" in r.json()["message"]["en"]


HOSTILE_BODIES = [
    b"",
    b"not json",
    b"[]",
    b"null",
    b'"string"',
    b"[" * 50_000,
    b"{" * 50_000,
    b'{"name": "\\ud800", "permit_type": 1}',
    b'{"permit_type": true, "name": "a", "id_number": "b", "address": "c", "district": 1}',
    b'{"permit_type": 1e308, "name": "a", "id_number": "b", "address": "c", "district": 1}',
    b'{"permit_type": 99999999999999999999999999, "name": "a", "id_number": "b", "address": "c", "district": 1}',
    b'{"permit_type": 1, "name": ["a"], "id_number": "b", "address": "c", "district": 1}',
    b'{"permit_type": 1, "name": "a\\u0000b", "id_number": "b", "address": "c", "district": 1}',
    b'{"permit_type": 1, "name": "a", "id_number": "b", "address": "c", "district": {"x": 1}}',
    b'{"permit_type": 1, "name": "a", "id_number": "b", "address": "c", "district": -1}',
    b'{"permit_type": 1, "name": "a", "id_number": "b", "address": "c", "district": 1, "years": 10000000000}',
    b"\xff\xfe\x00garbage",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_bodies_are_400(client: TestClient, body: bytes) -> None:
    r = client.post("/admin/credentials", content=body, headers={**ADMIN, "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"] in ("INVALID_JSON", "INVALID_INPUT")


def test_oversized_body_is_413(client: TestClient) -> None:
    r = client.post("/admin/credentials", content=b"{" + b" " * 200_000 + b"}", headers=ADMIN)
    assert r.status_code == 413 and r.json()["error"] == "PAYLOAD_TOO_LARGE"


def test_a_json_body_must_be_declared_as_json(client: TestClient) -> None:
    body = b'{"permit_type": 1, "name": "a", "id_number": "b", "address": "c", "district": 1}'
    for headers in (ADMIN, {**ADMIN, "Content-Type": "text/plain"}, {**ADMIN, "Content-Type": "application/jsonx"}):
        r = client.post("/admin/credentials", content=body, headers=headers)
        assert r.status_code == 415 and r.json()["error"] == "UNSUPPORTED_MEDIA_TYPE", headers
    r = client.post("/admin/credentials", content=body, headers={**ADMIN, "Content-Type": "Application/JSON; charset=utf-8"})
    assert r.status_code == 400 and r.json()["error"] == "INVALID_INPUT"  # declared as JSON: checked field by field


def test_hostile_fields_on_operations(client: TestClient) -> None:
    cid = issue(client)["cred_id"]
    for path, body in [
        ("suspend", {"reason": 5}),
        ("suspend", {"reason": "x" * 1000}),
        ("revoke", {"reason": "\ud800"}),
        ("revoke", {"reason": "\x07bell"}),
        ("change", {"address": None, "district": True}),
        ("change", {"district": 2**70}),
        ("change", {"address": ["list"]}),
    ]:
        r = client.post(f"/admin/credentials/{cid}/{path}", headers=ADMIN_JSON, content=json.dumps(body))
        assert r.status_code == 400, (path, body, r.text)
    assert client.get(f"/admin/credentials/{cid}", headers=ADMIN).json()["status"]["code"] == "active"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
issue_bodies = st.fixed_dictionaries(
    {},
    optional={k: json_values | st.text(max_size=30) for k in
              ("permit_type", "name", "id_number", "address", "district", "valid_from", "years")},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=issue_bodies, op=st.sampled_from(["", "/suspend", "/change", "/revoke", "/endorse"]))
def test_fuzzed_bodies_never_500(client: TestClient, body: dict, op: str) -> None:
    path = "/admin/credentials" + (f"/{CRED}{op}" if op else "")
    r = client.post(path, content=json.dumps(body), headers=ADMIN_JSON)
    assert r.status_code < 500, r.text
    assert "error" in r.json() or r.status_code == 201


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(segment=st.text(min_size=1, max_size=80).filter(lambda s: "/" not in s and "?" not in s and "#" not in s))
def test_fuzzed_path_ids_never_500(client: TestClient, segment: str) -> None:
    from urllib.parse import quote

    r = client.get("/admin/credentials/" + quote(segment.encode("utf-8", "surrogatepass"), safe=""), headers=ADMIN)
    assert r.status_code < 500, r.text


def test_valid_from_can_be_given(client: TestClient) -> None:
    cred = issue(client, valid_from="2026-12-01", years=2)
    assert cred["valid_from"] == "2026-12-01" and cred["valid_until"] == "2028-12-01"
    assert date.fromisoformat(cred["issued_on"]) == date(2026, 11, 23)


def test_import_csv(client: TestClient) -> None:
    from tests.fixtures.legacy_export import synthetic_export

    export = synthetic_export(60, seed=3, defect_rate=0.1)
    r = client.post("/admin/import?source=office-7.csv", content=export.to_bytes("gbk"),
                    headers={**ADMIN, "Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["source"] == "office-7.csv" and report["encoding"] == "gbk" and report["read"] == 60
    assert report["rejected"] == len(export.defects)
    assert "".join(f"{d['line']}\t{d['code']}\n" for d in report["defects"]) == export.defects_text()
    again = client.post("/admin/import", content=export.to_bytes(), headers=ADMIN).json()
    assert again["imported"] == 0 and again["unchanged"] == report["imported"]
    # The imported cards are findable by card number.
    card = next(row[0] for i, row in enumerate(export.rows[1:], start=2) if i not in export.defects)
    found = client.get("/admin/credentials", params={"card_number": card}, headers=ADMIN).json()["credentials"]
    assert len(found) == 1 and found[0]["card_number"] == card


@pytest.mark.parametrize("body", [b"", b"\xff\xfe\xfa\x00\x81", "not,the,right,header\n1,2,3,4\n".encode()])
def test_import_refuses_unreadable_files(client: TestClient, body: bytes) -> None:
    r = client.post("/admin/import", content=body, headers=ADMIN)
    assert r.status_code == 400 and r.json()["error"] == "EXPORT_FORMAT", r.text


def test_import_needs_the_token(client: TestClient) -> None:
    assert client.post("/admin/import", content=b"x").status_code == 401
