"""The app served by uvicorn for real, with its background refresh running."""

from __future__ import annotations

import time

import httpx

from keys.statuslist import REVOKED
from verifier.app import create_app

from .service_kit import CLAIMS, OFFICIAL_KEY, make_config


def test_served_by_uvicorn_with_background_refresh(live_server, tmp_path, issuer, clock):
    config = make_config(tmp_path, sync_interval_s=30)
    fake_issuer = httpx.AsyncClient(transport=httpx.ASGITransport(app=issuer.app))
    base = live_server(create_app(config, clock=clock, http_client=fake_issuer))
    with httpx.Client(base_url=base, timeout=5) as client:
        signed_in = client.post("/v1/session", json={"api_key": OFFICIAL_KEY})
        assert signed_in.status_code == 200
        assert "verifier_session" in client.cookies

        def check(claims=CLAIMS):
            response = client.post("/v1/verify", json={"code": issuer.minted(claims=claims)}, headers={"X-Requested-With": "scanner"})
            assert response.status_code == 200
            return response.json()["reason"]

        assert check() == "VALID"
        mine = CLAIMS._replace(ref=999)
        issuer.set_status(999, REVOKED)
        assert check(mine) == "VALID"  # not yet due
        clock.advance(30)  # the background loop notices the clock, not the wall time
        deadline = time.monotonic() + 10
        while check(mine) != "REVOKED":
            assert time.monotonic() < deadline, "the background refresh did not run"
            time.sleep(0.05)
        assert client.get("/healthz").status_code == 200
        assert client.delete("/v1/session", headers={"X-Requested-With": "scanner"}).status_code == 200
        assert client.get("/v1/session").status_code == 401
