from datetime import date, datetime, timedelta, timezone

import pytest

from keys import errors
from keys.reasons import REASONS, REASONS_BY_CODE, SERVICE_REASONS, Fault, Tone, message, messages_document, reason
from keys.timekeeping import BEIJING, beijing_date, beijing_day, beijing_day_number, day_number, end_of_day, step_at
from keys.vocabulary import MODE_NAMES, Mode, PermitType, StatusCode


def _reason_classes() -> dict[str, type[errors.CredentialError]]:
    found: dict[str, type[errors.CredentialError]] = {}
    pending = [errors.CredentialError]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found.setdefault(sub.reason, sub)
            pending.append(sub)
    return found


def test_every_refusal_class_has_exactly_one_row_and_every_row_a_class() -> None:
    assert set(_reason_classes()) == set(REASONS) - {"VALID"}
    assert REASONS[0] == "VALID" and len(set(REASONS)) == len(REASONS)


@pytest.mark.parametrize("code", REASONS)
def test_every_reason_says_what_it_means_and_what_to_do_in_both_languages(code: str) -> None:
    row = reason(code)
    for label in (row.message, row.action):
        assert label.zh and label.en and label.zh != label.en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in label.zh)
    assert (row.tone is Tone.VALID) == (code == "VALID") == (row.fault is None)
    assert message(code) == {"zh": row.message.zh, "en": row.message.en}


def test_service_reasons_are_those_whose_fault_is_the_service() -> None:
    assert SERVICE_REASONS == {"SERVICE_UNAVAILABLE", "STATUS_STALE", "INTERNAL_ERROR"}
    assert all(REASONS_BY_CODE[c].tone is Tone.UNVERIFIED for c in SERVICE_REASONS)
    assert REASONS_BY_CODE["LIVENESS_UNVERIFIABLE"].tone is Tone.CHECK_ID
    assert REASONS_BY_CODE["REPLAYED"].fault is Fault.HOLDER


def test_an_unknown_code_never_reads_as_valid() -> None:
    assert reason("NO_SUCH_REASON").code == "MALFORMED"


def test_the_messages_document_is_built_from_the_vocabulary() -> None:
    doc = messages_document()
    assert list(doc["reasons"]) == list(REASONS)
    assert doc["reasons"]["STALE"] == {
        "zh": "二维码已过期：疑似截图或照片，请出示实时二维码",
        "en": "Code too old: probably a screenshot or photo; show the live code",
        "tone": "refused",
        "fault": "holder",
        "action": {"zh": "请持证人打开实时二维码后重新扫码", "en": "Ask the holder to open the live code, then scan again"},
        "remedy": None,
    }
    assert {code for code, row in doc["reasons"].items() if row["remedy"] == "refresh_data"} == {"UNKNOWN_KEY", "STATUS_STALE"}
    assert doc["statuses"]["3"] == {"status": "SUPERSEDED", "zh": "已被新版本取代", "en": "Replaced"}
    assert doc["permit_types"]["2"] == {"type": "REGISTRATION_CARD", "zh": "居住登记卡", "en": "Residence registration card"}
    assert doc["modes"]["PAPER"] == {"code": 3, "zh": "纸质确认单", "en": "paper slip"}
    assert doc["statuses"]["2"] == {"status": "REVOKED", "zh": "已注销", "en": "Revoked"}
    assert doc["districts"]["6"] == {"zh": "海淀区", "en": "Haidian"}
    assert doc["tones"] == ["valid", "check_id", "unverified", "refused"]


def test_permit_types_modes_and_status_codes_keep_their_numbers() -> None:
    assert [(int(t), t.name_zh) for t in PermitType] == [(1, "居住证"), (2, "居住登记卡")]
    assert PermitType.from_zh(" 居住登记卡 ") is PermitType.REGISTRATION_CARD
    with pytest.raises(KeyError):
        PermitType.from_zh("护照")
    assert MODE_NAMES == {1: "MINTED", 2: "PASS", 3: "PAPER", 4: "DEVICE"} and Mode(2).label.en == "offline pass (one-time code, weaker mode)"
    assert [int(s) for s in StatusCode] == [0, 1, 2, 3]


def test_step_at_counts_whole_periods_from_the_epoch() -> None:
    assert step_at(0, 15) == 0 and step_at(14.999, 15) == 0 and step_at(15, 15) == 1
    assert step_at(1_795_400_000.5, 30) == 59_846_666


def test_the_beijing_day_turns_at_midnight_in_beijing_not_utc() -> None:
    midnight = datetime(2026, 11, 24, tzinfo=BEIJING).timestamp()  # 2026-11-23T16:00Z
    assert beijing_day(midnight - 1) == date(2026, 11, 23) and beijing_day(midnight) == date(2026, 11, 24)
    assert beijing_day_number(midnight) == day_number(date(2026, 11, 24))
    assert end_of_day(date(2026, 11, 23)) == midnight - 1
    utc_evening = datetime(2026, 11, 23, 16, 30, tzinfo=timezone.utc)
    assert beijing_date(utc_evening) == date(2026, 11, 24)
    assert beijing_date(utc_evening.astimezone(timezone(timedelta(hours=-5)))) == date(2026, 11, 24)
    with pytest.raises(ValueError):
        beijing_date(datetime(2026, 11, 23, 12))
