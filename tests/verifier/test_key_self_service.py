"""An organisation's admin key manages the organisation's keys over HTTP (/v1/keys):
create (shown once), list, revoke; a revoked key is refused at once by every
instance sharing the key file; every act names the key that did it."""

from __future__ import annotations

import json

from verifier.auth import add_key, load_keys
from verifier.organisations import add_organisation

from .service_kit import BUSINESS_KEY, OFFICIAL_KEY

SCANNER = {"X-Requested-With": "scanner"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def organisation_admin(v, org: str = "lianjia-hd", name: str = "lj-admin") -> str:
    """Register a business organisation and give it an admin key; the plain key."""
    orgs = v.config.organisations_path
    add_organisation(orgs, org, "链家地产海淀店", "Lianjia Haidian", "business")
    return add_key(v.config.api_keys_file, name, "business", org, admin=True)


def test_create_list_use_and_revoke(make_verifier, issuer, clock):
    v = make_verifier()
    other = make_verifier()  # a second instance (worker) reading the same key file
    admin = organisation_admin(v)

    made = v.client.post("/v1/keys", json={"name": "front-desk"}, headers=bearer(admin))
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    body = made.json()
    assert body["name"] == "lianjia-hd.front-desk" and body["key"].startswith("vk_")
    assert (body["organisation"], body["role"], body["admin"]) == ("lianjia-hd", "business", False)
    assert body["created_by"] == "lj-admin" and body["created_at"].endswith("Z") and body["revoked_at"] is None
    plain = body["key"]
    assert plain not in v.config.api_keys_file.read_text()  # only its hash is kept

    assert v.verify(issuer.minted(), key=plain).json()["valid"] is True
    assert other.verify(issuer.minted(), key=plain).json()["valid"] is True

    listed = v.client.get("/v1/keys", headers=bearer(admin)).json()
    assert listed["organisation"] == {"id": "lianjia-hd", "name_zh": "链家地产海淀店", "name_en": "Lianjia Haidian",
                                      "role": "business"}
    assert listed["you"] == "lj-admin"
    assert [k["name"] for k in listed["keys"]] == ["lj-admin", "lianjia-hd.front-desk"]
    assert "landlord-1" not in json.dumps(listed) and "sha256" not in json.dumps(listed)
    assert all("key" not in k for k in listed["keys"])

    revoked = v.client.delete("/v1/keys/lianjia-hd.front-desk", headers=bearer(admin))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_by"] == "lj-admin" and revoked.json()["revoked_at"].endswith("Z")
    # Refused at once, by this instance and the other one, without moving the clock.
    assert v.verify(issuer.minted(), key=plain).status_code == 401
    assert other.verify(issuer.minted(), key=plain).status_code == 401
    assert other.batch([issuer.minted()], key=plain).status_code == 401
    # The record stays: the name is not reused, and the list shows who ended it.
    again = v.client.post("/v1/keys", json={"name": "front-desk"}, headers=bearer(admin))
    assert again.status_code == 409 and again.json()["error"] == "KEY_NAME_TAKEN"
    entry = next(k for k in load_keys(v.config.api_keys_file) if k.name == "lianjia-hd.front-desk")
    assert entry.revoked_by == "lj-admin"
    twice = v.client.delete("/v1/keys/lianjia-hd.front-desk", headers=bearer(admin))
    assert twice.status_code == 200 and twice.json()["revoked_at"] == revoked.json()["revoked_at"]


def test_only_an_admin_key_manages_and_only_its_own_organisation(make_verifier):
    v = make_verifier()
    admin = organisation_admin(v)
    other_admin = organisation_admin(v, "5i5j", "wiwj-admin")
    member = v.client.post("/v1/keys", json={"name": "counter"}, headers=bearer(admin)).json()["key"]

    for key in (BUSINESS_KEY, OFFICIAL_KEY, member):
        for response in (v.client.get("/v1/keys", headers=bearer(key)),
                         v.client.post("/v1/keys", json={"name": "x"}, headers=bearer(key)),
                         v.client.delete("/v1/keys/lj-admin", headers=bearer(key))):
            assert response.status_code == 403 and response.json()["error"] == "KEYS_ADMIN_ONLY"
    assert v.client.get("/v1/keys").status_code == 401

    # Another organisation's keys are not there for this admin, not even to learn they exist.
    foreign = v.client.delete("/v1/keys/lianjia-hd.counter", headers=bearer(other_admin))
    assert foreign.status_code == 404 and foreign.json()["error"] == "KEY_NOT_FOUND"
    assert v.client.delete("/v1/keys/landlord-1", headers=bearer(admin)).status_code == 404
    assert [k["name"] for k in v.client.get("/v1/keys", headers=bearer(other_admin)).json()["keys"]] == ["wiwj-admin"]
    mine = v.client.delete("/v1/keys/lj-admin", headers=bearer(admin))
    assert mine.status_code == 409 and mine.json()["error"] == "KEY_IS_YOURS"


def test_hostile_input_gets_clear_errors(make_verifier):
    v = make_verifier()
    admin = organisation_admin(v)
    for body in ({}, {"name": 5}, {"name": ""}, {"name": "../x"}, {"name": "a" * 33}, {"name": "a:b"}, [], "x"):
        response = v.client.post("/v1/keys", json=body, headers=bearer(admin))
        assert response.status_code == 400 and response.json()["error"] in ("INVALID_INPUT", "INVALID_JSON"), body
    assert v.client.post("/v1/keys", content=b"{" * 5000, headers={**bearer(admin), "Content-Type": "application/json"}).status_code == 413
    assert v.client.delete("/v1/keys/%00", headers=bearer(admin)).status_code == 404
    assert len(load_keys(v.config.api_keys_file)) == 3  # nothing was written


def test_a_key_file_that_cannot_be_changed_is_a_clear_503(make_verifier):
    v = make_verifier()
    admin = organisation_admin(v)
    lock = v.config.api_keys_file.parent / f".{v.config.api_keys_file.name}.lock"
    lock.unlink()
    lock.mkdir()  # the lock cannot be taken (as the file could not be written on a read-only mount)
    made = v.client.post("/v1/keys", json={"name": "desk"}, headers=bearer(admin))
    assert made.status_code == 503 and made.json()["error"] == "SERVICE_UNAVAILABLE" and "Retry-After" in made.headers
    assert v.verify("x", key=admin).status_code == 200  # checking goes on


def test_the_business_page_session_of_an_admin_key(make_verifier, issuer):
    v = make_verifier()
    admin = organisation_admin(v)
    session = v.client.post("/v1/session", json={"api_key": admin, "role": "business"})
    assert session.status_code == 200 and session.json()["role"] == "business"
    assert session.json()["display_name"] == "链家地产海淀店 / Lianjia Haidian · lj-admin"  # whose key, by name
    assert v.client.post("/v1/keys", json={"name": "desk"}).status_code == 403  # a cookie needs the CSRF header
    made = v.client.post("/v1/keys", json={"name": "desk"}, headers=SCANNER)
    assert made.status_code == 201
    desk = made.json()["key"]
    # The desk key signs in to the business page; once revoked, its session ends at once.
    desk_client = v.client.__class__(v.app)  # another browser, on the app already running
    assert desk_client.post("/v1/session", json={"api_key": desk, "role": "business"}).status_code == 200
    assert desk_client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER).status_code == 200
    assert v.client.delete("/v1/keys/lianjia-hd.desk", headers=SCANNER).status_code == 200
    assert desk_client.get("/v1/session").status_code == 401
    assert desk_client.post("/v1/verify", json={"code": issuer.minted()}, headers=SCANNER).status_code == 401


def test_the_command_line_makes_admin_keys_lists_and_revokes(make_verifier, issuer, capsys):
    from verifier.__main__ import main

    v = make_verifier()
    files = ["--file", str(v.config.api_keys_file)]
    add_organisation(v.config.organisations_path, "lianjia-hd", "链家地产海淀店", "Lianjia Haidian", "business")
    assert main(["add-key", "--name", "lj-admin", "--admin", *files]) == 2  # an admin key needs its organisation
    assert main(["add-key", "--name", "lj-admin", "--organisation", "lianjia-hd", "--admin", "--by", "zhao", *files]) == 0
    admin = capsys.readouterr().out.strip()
    made = v.client.post("/v1/keys", json={"name": "desk"}, headers=bearer(admin)).json()
    assert v.verify(issuer.minted(), key=made["key"]).status_code == 200

    assert main(["keys", "--organisation", "lianjia-hd", *files]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(r[0], r[3], r[4].split(" by ")[1], r[5]) for r in rows] == [
        ("lj-admin", "admin", "operator:zhao", "in use"), ("lianjia-hd.desk", "-", "lj-admin", "in use")]

    assert main(["revoke-key", "--name", "lianjia-hd.desk", "--by", "zhao", *files]) == 0
    assert v.verify(issuer.minted(), key=made["key"]).status_code == 401
    assert main(["revoke-key", "--name", "nobody", *files]) == 2
    assert main(["keys", *files]) == 0
    assert "revoked" in [line for line in capsys.readouterr().out.splitlines() if line.startswith("lianjia-hd.desk")][0]
    listed = v.client.get("/v1/keys", headers=bearer(admin)).json()["keys"]
    assert listed[1]["revoked_by"] == "operator:zhao"


def test_a_revoked_key_is_refused_at_once_by_every_worker(tmp_path, redis_server):
    """``serve --workers 2`` as deployed: each worker reads the key file itself; a key revoked
    through one is refused on the next request by both, over fresh connections spread over them."""
    import httpx

    from tests.fixtures.redis_server import HOST, free_port

    from .test_server_workers import _serve, _stop, _wait_up

    port = free_port()
    url = f"http://{HOST}:{port}"
    proc = _serve(tmp_path, "--port", str(port), "--workers", "2", "--log-level", "warning",
                  env={"REDIS_URL": redis_server.url})
    try:
        _wait_up(url, proc, tmp_path / "serve.log")
        keys_file = tmp_path / "var" / "verifier" / "api-keys.json"
        add_organisation(keys_file.parent / "organisations.json", "lianjia-hd", "链家地产海淀店", "Lianjia Haidian", "business")
        admin = add_key(keys_file, "lj-admin", "business", "lianjia-hd", admin=True)

        def statuses(key: str) -> set[int]:
            seen = set()
            for _ in range(16):  # a fresh connection each time: the workers take turns accepting
                with httpx.Client(base_url=url, timeout=10) as client:
                    seen.add(client.post("/v1/verify", json={"code": "x"}, headers=bearer(key)).status_code)
            return seen

        with httpx.Client(base_url=url, timeout=10) as client:
            made = client.post("/v1/keys", json={"name": "desk"}, headers=bearer(admin))
            assert made.status_code == 201, made.text
            plain = made.json()["key"]
            assert 401 not in statuses(plain)  # a verdict (the issuer is unreachable here), not a refusal
            assert client.delete("/v1/keys/lianjia-hd.desk", headers=bearer(admin)).status_code == 200
        assert statuses(plain) == {401}
    finally:
        _stop(proc)
