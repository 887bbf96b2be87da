import json
from datetime import date
from pathlib import Path

import pytest

from keys.base45 import b45decode, b45encode
from keys.reasons import REASONS_BY_CODE
from keys.keypair import SigningKey
from keys.keyset import KeyInfo, KeySet
from keys.keystore import DEFAULT_MAX_VALIDITY_S, KeyStore
from keys.statuslist import REVOKED, SUPERSEDED, SUSPENDED
from keys.timekeeping import step_at
from keys.wire import PREFIX, Claims, encode_minted
from verifier.core import Options, verify, verify_batch
from verifier.replay import MemoryReplayStore, StoreUnavailable
from verifier.status import MemoryStatusSource
from verifier.verdict import Verdict

from .world import CLAIMS, NOW, PERIOD, ROTATION_SECRET, World

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "format-v1.json").read_text(encoding="utf-8"))


def run_verdict(world: World, text: str, at: float = NOW, options: Options | None = None) -> Verdict:
    return verify(text, at, world.keyset, world.status, world.replay, options or world.options)


def run(world: World, text: str, at: float = NOW, options: Options | None = None) -> str:
    return run_verdict(world, text, at, options).reason


def test_live_code_is_valid_once_then_replayed() -> None:
    world = World()
    code = world.minted()
    verdict = verify(code, NOW, world.keyset, world.status, world.replay, world.options)
    assert verdict.valid and verdict.reason == "VALID" and verdict.mode == "MINTED"
    assert verdict.claims == CLAIMS and not verdict.requires_id_check
    assert verdict.checked_at == NOW
    assert run(world, code, NOW + 1) == "REPLAYED"


def test_a_fresh_code_of_the_same_credential_and_step_is_not_a_replay() -> None:
    world = World()
    assert run(world, world.minted()) == "VALID"
    assert run(world, world.minted()) == "VALID"


@pytest.mark.parametrize("offset_steps, reason", [(-1, "VALID"), (1, "VALID"), (-2, "STALE"), (-5, "STALE"), (2, "NOT_YET_VALID")])
def test_time_window_is_plus_minus_one_step(offset_steps: int, reason: str) -> None:
    world = World()
    code = world.minted(at=NOW + offset_steps * PERIOD)
    assert run(world, code) == reason


def test_a_screenshot_a_minute_later_is_stale() -> None:
    world = World()
    code = world.minted()
    assert run(world, code, NOW + 60) == "STALE"


def test_paper_slip_is_valid_repeatedly_and_asks_for_an_id_check() -> None:
    world = World()
    slip = world.paper()
    for _ in range(2):
        verdict = verify(slip, NOW, world.keyset, world.status, world.replay, world.options)
        assert verdict.valid and verdict.mode == "PAPER" and verdict.requires_id_check
    assert run(world, world.paper(not_after=NOW - 1)) == "CREDENTIAL_EXPIRED"


def test_offline_pass_needs_the_right_totp_and_the_rotation_secret() -> None:
    world = World()
    shown = world.offline(pass_id=b"P" * 8)
    assert run(world, shown) == "VALID"
    assert run(world, shown) == "REPLAYED"
    assert run(world, world.offline(pass_id=b"P" * 8)) == "REPLAYED"  # the same pass again within its step
    assert run(world, world.offline(pass_id=b"Q" * 8, code=123456)) == "BAD_TOTP"
    no_secret = Options(rotation_secret=None)
    assert run(World(), world.offline(pass_id=b"R" * 8), options=no_secret) == "LIVENESS_UNVERIFIABLE"
    assert run(world, world.offline(at=NOW + 24 * 3600), NOW + 24 * 3600) == "STALE"  # the pass has expired


def test_credential_expiry_uses_the_beijing_calendar_day() -> None:
    world = World()
    claims = CLAIMS._replace(valid_until=date(2026, 11, 23))
    end_of_day_beijing = 1_795_449_600  # 2026-11-24T00:00+08:00
    assert run(world, world.minted(at=end_of_day_beijing - 10, claims=claims), end_of_day_beijing - 10) == "VALID"
    assert run(world, world.minted(at=end_of_day_beijing + 10, claims=claims), end_of_day_beijing + 10) == "CREDENTIAL_EXPIRED"


@pytest.mark.parametrize("status, reason", [(REVOKED, "REVOKED"), (SUSPENDED, "SUSPENDED"), (SUPERSEDED, "SUPERSEDED")])
def test_status_list_refusals_keep_the_claims(status: int, reason: str) -> None:
    world = World()
    world.status.set(CLAIMS.ref, status, NOW)
    verdict = verify(world.minted(), NOW, world.keyset, world.status, world.replay, world.options)
    assert verdict.reason == reason and not verdict.valid and verdict.claims == CLAIMS


def test_stale_status_data_is_refused() -> None:
    world = World(status=MemoryStatusSource(updated_at=NOW - 600))
    options = Options(max_status_age_s=300)
    assert run(world, world.minted(), options=options) == "STATUS_STALE"
    assert run(World(status=MemoryStatusSource(updated_at=None)), world.minted(), options=options) == "STATUS_STALE"
    assert run(World(status=MemoryStatusSource(updated_at=NOW - 10)), world.minted(), options=options) == "VALID"


def test_forgery_unknown_key_and_bad_signature() -> None:
    world = World()
    forger = World(key=SigningKey(bytes([9]) * 32))
    assert run(world, forger.minted()) == "UNKNOWN_KEY"
    raw = bytearray(b45decode(world.minted()[len(PREFIX) :]))
    raw[-20] ^= 1
    assert run(world, PREFIX + b45encode(bytes(raw))) == "BAD_SIGNATURE"
    raw = bytearray(b45decode(world.minted()[len(PREFIX) :]))
    raw[16] ^= 0x40  # inside the claims: the kind byte
    assert run(world, PREFIX + b45encode(bytes(raw))) == "BAD_SIGNATURE"


@pytest.mark.parametrize(
    "text",
    ["", "hello", "RP:", "RP:!!!!", "HC1:6BFOXN", "rp:" + "A" * 10, "RP:" + b45encode(b"\x01\x01\x00\x00"), "RP:" + b45encode(b"\x01\x09" + bytes(100))],
)
def test_malformed(text: str) -> None:
    assert run(World(), text) == "MALFORMED"


def test_unsupported_version() -> None:
    world = World()
    raw = bytearray(b45decode(world.minted()[len(PREFIX) :]))
    raw[0] = 3
    assert run(world, PREFIX + b45encode(bytes(raw))) == "UNSUPPORTED_VERSION"


def test_a_v2_code_relabelled_v1_fails_its_signature() -> None:
    world = World()
    raw = bytearray(b45decode(world.minted()[len(PREFIX) :]))
    assert raw[0] == 2
    raw[0] = 1
    assert run(world, PREFIX + b45encode(bytes(raw))) == "BAD_SIGNATURE"


def test_scanner_noise_around_the_code_is_tolerated() -> None:
    world = World()
    assert run(world, "  " + world.minted() + "\r\n") == "VALID"


def test_key_rotation_old_key_verifies_until_its_not_after(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, b"pw")
    store.generate(int(NOW) - 86400)
    old_signer = store.signer()
    store.rotate(int(NOW))
    keyset = store.public_keyset(int(NOW))
    assert store.signer().kid != old_signer.kid
    old_info = keyset.get(old_signer.kid)
    assert old_info is not None and old_info.not_after == int(NOW) + DEFAULT_MAX_VALIDITY_S
    long_lived = CLAIMS._replace(valid_until=date(2030, 1, 1))
    world = World(key=old_signer)
    slip = world.paper(claims=long_lived, not_after=NOW + 2 * DEFAULT_MAX_VALIDITY_S)

    def at(t: float) -> str:
        return verify(slip, t, keyset, MemoryStatusSource(), MemoryReplayStore(), Options()).reason

    assert at(NOW + DEFAULT_MAX_VALIDITY_S) == "VALID"
    assert at(NOW + DEFAULT_MAX_VALIDITY_S + 1) == "KEY_NOT_VALID_AT_TIME"
    new_code = encode_minted(store.signer(), CLAIMS, step=step_at(NOW, PERIOD), period=PERIOD, nonce=b"abc")
    assert verify(new_code, NOW, keyset, MemoryStatusSource(), MemoryReplayStore(), Options()).valid


def test_revoked_key_verifies_nothing() -> None:
    world = World()
    revoked = KeySet([KeyInfo(world.key.kid, world.key.public_key, 0, 2**32 - 1, "revoked")])
    assert verify(world.minted(), NOW, revoked, world.status, world.replay, world.options).reason == "KEY_NOT_VALID_AT_TIME"


class _DownStore(MemoryReplayStore):
    def claim(self, key: bytes, ttl: float, now: float) -> bool:
        raise StoreUnavailable("down")

    def claim_many(self, items, now):  # type: ignore[no-untyped-def]
        raise StoreUnavailable("down")


def test_an_unreachable_replay_store_fails_closed() -> None:
    world = World(replay=_DownStore())
    assert run(world, world.minted()) == "SERVICE_UNAVAILABLE"
    verdicts = verify_batch([world.minted(), "junk"], NOW, world.keyset, world.status, world.replay, world.options)
    assert [v.reason for v in verdicts] == ["SERVICE_UNAVAILABLE", "MALFORMED"]


def test_a_full_memory_replay_store_fails_closed_instead_of_forgetting() -> None:
    world = World(replay=MemoryReplayStore(max_entries=2))
    assert run(world, world.minted()) == "VALID"
    assert run(world, world.minted()) == "VALID"
    assert run(world, world.minted()) == "SERVICE_UNAVAILABLE"
    assert run(world, world.minted(at=NOW + 120), NOW + 120) == "VALID"  # expired entries make room


def test_batch_matches_one_by_one_including_replays_within_the_batch() -> None:
    world = World()
    world.status.set(99, REVOKED, NOW)
    code = world.minted()
    texts = [code, code, world.paper(), "garbage", world.minted(claims=CLAIMS._replace(ref=99)), world.offline()]
    verdicts = verify_batch(texts, NOW, world.keyset, world.status, world.replay, world.options)
    assert [v.reason for v in verdicts] == ["VALID", "REPLAYED", "VALID", "MALFORMED", "REVOKED", "VALID"]
    assert verify_batch([], NOW, world.keyset, world.status, world.replay, world.options) == []


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["mode"])
def test_published_vectors_verify(vector: dict) -> None:
    keyset = KeySet.loads(VECTORS["keyset"])
    secret = bytes.fromhex(VECTORS["rotation_secret_hex"])
    now = VECTORS["now"]
    verdict = verify(vector["text"], now, keyset, MemoryStatusSource(), MemoryReplayStore(), Options(rotation_secret=secret))
    assert verdict.reason == vector["expect"]
    assert verdict.claims is not None and verdict.claims.name == VECTORS["claims"]["name"]
    if "expect_without_rotation_secret" in vector:
        bare = verify(vector["text"], now, keyset, MemoryStatusSource(), MemoryReplayStore(), Options())
        assert bare.reason == vector["expect_without_rotation_secret"]


def test_every_reason_has_a_chinese_and_english_message() -> None:
    for row in REASONS_BY_CODE.values():
        assert row.message.zh and row.message.en and row.message.zh != row.message.en


class _BrokenStatus(MemoryStatusSource):
    """A status source with a bug: what the pipeline must answer is INTERNAL_ERROR, not a guess."""

    def status(self, index: int) -> int:
        raise KeyError(index)

    def status_many(self, indices):  # type: ignore[no-untyped-def]
        raise KeyError(indices[0])


def test_an_internal_error_is_logged_and_answered_as_such_never_valid(caplog: pytest.LogCaptureFixture) -> None:
    world = World(status=_BrokenStatus())
    code = world.minted()
    with caplog.at_level("ERROR", logger="verifier.core"):
        verdict = run_verdict(world, code)
    assert (verdict.valid, verdict.reason, verdict.claims) == (False, "INTERNAL_ERROR", CLAIMS)
    assert "internal error" in caplog.text and code not in caplog.text
    verdicts = verify_batch([world.minted(), "junk", world.paper()], NOW, world.keyset, world.status, world.replay, world.options)
    assert [v.reason for v in verdicts] == ["INTERNAL_ERROR", "MALFORMED", "INTERNAL_ERROR"]


def test_a_bug_before_the_signature_is_an_internal_error_for_that_code_only() -> None:
    world = World()

    class BrokenKeySet(KeySet):
        def get(self, kid: bytes):  # type: ignore[no-untyped-def]
            raise RuntimeError("bug")

    broken = BrokenKeySet([])
    assert verify(world.minted(), NOW, broken, world.status, world.replay, world.options).reason == "INTERNAL_ERROR"
    verdicts = verify_batch([world.minted(), "junk"], NOW, broken, world.status, world.replay, world.options)
    assert [v.reason for v in verdicts] == ["INTERNAL_ERROR", "MALFORMED"]


def test_an_unknown_status_code_refuses_as_revoked() -> None:
    world = World()
    world.status.set(CLAIMS.ref, 7, NOW)  # no such status code: refused, never passed
    assert run(world, world.minted()) == "REVOKED"
    assert [v.reason for v in verify_batch([world.minted()], NOW, world.keyset, world.status, world.replay, world.options)] == ["REVOKED"]
