"""Minting: claims from a registry credential, live codes, offline passes, paper codes."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest

from issuer.lifecycle import Lifecycle
from issuer.minting import Minter, NotMintable, claims_for
from keys.timekeeping import end_of_day
from issuer.model import Credential
from keys.timekeeping import BEIJING
from keys.vocabulary import PermitType
from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.totp import code_at, pass_secret
from keys.wire import pass_text
from tests.issuer.clock import CLERK, NOW
from tests.issuer.idgen import make_id
from verifier.core import Options, verify
from verifier.replay import MemoryReplayStore
from verifier.status import MemoryStatusSource

T = NOW.timestamp() + 3  # three seconds into a step
SECRET = os.urandom(32)


@pytest.fixture(scope="module")
def signer() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def minter(signer: SigningKey) -> Minter:
    return Minter(signer, SECRET)


def keyset(signer: SigningKey) -> KeySet:
    return KeySet([KeyInfo(signer.kid, signer.public_key, 0, 2**32 - 1)])


def check(signer: SigningKey, text: str, now: float, *, secret: bytes | None = SECRET):
    return verify(text, now, keyset(signer), MemoryStatusSource(), MemoryReplayStore(),
                  Options(rotation_secret=secret))


def issue(lc: Lifecycle, *, name: str = "张三", seq: int = 1, years: int = 1,
          ptype: PermitType = PermitType.RESIDENCE_PERMIT) -> Credential:
    return lc.issue(ptype, name, make_id(seq=seq), "北京市朝阳区建国路88号", "朝阳区",
                    NOW.date(), years, actor=CLERK, now=NOW)


def test_claims_for(lifecycle: Lifecycle) -> None:
    cred = issue(lifecycle, ptype=PermitType.REGISTRATION_CARD)
    claims = claims_for(cred)
    assert claims.ref == cred.status_index
    assert claims.permit_type == 2 and claims.district == 3
    assert claims.valid_until == cred.valid_until
    assert claims.id_tail == make_id(seq=1)[-4:] and claims.name == "张三"


def test_live_round_trip(lifecycle: Lifecycle, minter: Minter, signer: SigningKey) -> None:
    cred = issue(lifecycle)
    live = minter.mint_live(cred, T)
    assert live.step == int(T // 15) and live.period == 15 and live.expires_in == pytest.approx(12)
    verdict = check(signer, live.code, T)
    assert verdict.valid and verdict.mode == "MINTED" and verdict.claims == claims_for(cred)
    assert minter.mint_live(cred, T).code != live.code


def test_live_lead_mints_the_next_step(lifecycle: Lifecycle, minter: Minter, signer: SigningKey) -> None:
    cred = issue(lifecycle)
    boundary = (int(T // 15) + 1) * 15
    live = minter.mint_live(cred, boundary - 1.5)
    assert live.step == boundary // 15 and live.expires_in == pytest.approx(16.5)
    assert check(signer, live.code, boundary - 1.5).valid
    assert check(signer, live.code, boundary + 16).valid  # still inside the skew window
    assert check(signer, live.code, boundary + 31).reason == "STALE"


def test_long_names_are_cut_to_fit(lifecycle: Lifecycle, minter: Minter, signer: SigningKey) -> None:
    cred = issue(lifecycle, name="阿卜杜热合曼·买买提艾力")
    verdict = check(signer, minter.mint_live(cred, T).code, T)
    assert verdict.valid and verdict.claims is not None
    assert cred.holder_name.startswith(verdict.claims.name) and len(verdict.claims.name) >= 4


def test_only_active_credentials_get_codes(lifecycle: Lifecycle, minter: Minter) -> None:
    suspended = issue(lifecycle, seq=1)
    suspended = lifecycle.suspend(suspended.cred_id, actor=CLERK, now=NOW)
    revoked = lifecycle.revoke(issue(lifecycle, seq=2).cred_id, "test", actor=CLERK, now=NOW)
    for cred, status in ((suspended, "suspended"), (revoked, "revoked")):
        for mint in (minter.mint_live, minter.mint_pass, minter.mint_paper):
            with pytest.raises(NotMintable) as info:
                mint(cred, T)
            assert info.value.status == status and info.value.code == "CREDENTIAL_NOT_ACTIVE"
    active = issue(lifecycle, seq=3)
    after_expiry = datetime(2027, 11, 24, 0, 0, 1, tzinfo=BEIJING).timestamp()
    with pytest.raises(NotMintable) as info:
        minter.mint_live(active, after_expiry)
    assert info.value.status == "expired"
    minter.mint_live(active, datetime(2027, 11, 23, 23, 59, tzinfo=BEIJING).timestamp())  # last day works


def test_pass(lifecycle: Lifecycle, minter: Minter, signer: SigningKey) -> None:
    cred = issue(lifecycle)
    offline = minter.mint_pass(cred, T)
    assert offline.not_before == int(T) and offline.not_after == int(T) + 24 * 3600
    assert offline.secret == pass_secret(SECRET, offline.pass_id) and offline.digits == 6
    assert "secret" not in repr(offline) or SECRET.hex() not in repr(offline)
    now = T + 7200
    step = int(now // 15)
    text = pass_text(offline.pass_bytes, step, code_at(offline.secret, step))
    assert check(signer, text, now).reason == "VALID"
    assert check(signer, text, now, secret=None).reason == "LIVENESS_UNVERIFIABLE"
    assert minter.mint_pass(cred, T).pass_id != offline.pass_id
    with pytest.raises(ValueError):
        Minter(signer, SECRET, pass_hours=73)


def test_paper(lifecycle: Lifecycle, minter: Minter, signer: SigningKey) -> None:
    short = issue(lifecycle, seq=1)  # valid until 2027-11-23
    paper = minter.mint_paper(short, T)
    assert paper.not_after == min(end_of_day(date(2027, 11, 23)), int(T) + 365 * 86400)
    verdict = check(signer, paper.code, T + 100 * 86400)
    assert verdict.valid and verdict.mode == "PAPER" and verdict.requires_id_check
    long = issue(lifecycle, seq=2, years=5)
    paper = minter.mint_paper(long, T)
    assert paper.not_after == int(T) + 365 * 86400
    assert check(signer, paper.code, paper.not_after + 1).reason == "CREDENTIAL_EXPIRED"


def test_end_of_day_is_beijing() -> None:
    assert end_of_day(date(2027, 1, 1)) == datetime(2027, 1, 2, tzinfo=BEIJING).timestamp() - 1
