"""The six-months rule (上上月 window) and what each kind of application needs."""

from __future__ import annotations

from datetime import date

import pytest

from issuer.applications.model import ApplicationKind, EvidenceKind, ProofBasis
from issuer.applications.rules import Draft, add_months, months_before, problems, required_months
from issuer.model import Credential, Status
from keys.vocabulary import PermitType
from tests.issuer.idgen import make_id


@pytest.mark.parametrize("applied_on, window", [
    (date(2026, 12, 1), ("2026-05", "2026-10")),
    (date(2026, 12, 31), ("2026-05", "2026-10")),
    (date(2027, 1, 15), ("2026-06", "2026-11")),
    (date(2027, 2, 28), ("2026-07", "2026-12")),
    (date(2027, 3, 1), ("2026-08", "2027-01")),
    (date(2026, 7, 10), ("2025-12", "2026-05")),
    (date(2026, 6, 10), ("2025-11", "2026-04")),
])
def test_window_ends_with_the_month_two_months_back(applied_on: date, window: tuple[str, str]) -> None:
    assert required_months(applied_on) == window


def test_month_arithmetic_across_year_ends() -> None:
    assert add_months("2026-01", -1) == "2025-12"
    assert add_months("2026-12", 1) == "2027-01"
    assert add_months("2026-03", -15) == "2024-12"
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)


def permit(**overrides: object) -> Draft:
    values: dict[str, object] = dict(kind=ApplicationKind.RESIDENCE_PERMIT, district_code=6,
                                     address="北京市海淀区学院路30号", residence_since=date(2025, 1, 1),
                                     proof_basis=ProofBasis.TAX, proof_from="2026-05", proof_to="2026-10",
                                     target_cred_id=None)
    values.update(overrides)
    return Draft(**values)  # type: ignore[arg-type]


def card(valid_from: date, status: Status = Status.ACTIVE, ptype: PermitType = PermitType.REGISTRATION_CARD,
         valid_until: date = date(2027, 6, 1)) -> Credential:
    return Credential(cred_id="00112233aabbccdd", card_number=None, permit_type=ptype, holder_name="王芳",
                      id_number=make_id(), address="北京市海淀区学院路30号", district_code=6, issued_on=valid_from,
                      valid_from=valid_from, valid_until=valid_until, status=status, revoke_reason=None,
                      version=1, status_index=5)


DEC = date(2026, 12, 10)


def test_tax_months_must_cover_may_to_october_for_december() -> None:
    assert problems(permit(), today=DEC, evidence={EvidenceKind.TAX}, own_credentials=[]) == {}
    short = problems(permit(proof_from="2026-06"), today=DEC, evidence={EvidenceKind.TAX}, own_credentials=[])
    assert "proof_from" in short and "2026-05" in short["proof_from"][0]
    early = problems(permit(proof_to="2026-09"), today=DEC, evidence={EvidenceKind.TAX}, own_credentials=[])
    assert "proof_from" in early


def test_the_same_months_fail_in_the_next_year() -> None:
    # In January 2027 the window moves to June-November 2026: May-October no longer covers it.
    late = problems(permit(), today=date(2027, 1, 5), evidence={EvidenceKind.TAX}, own_credentials=[])
    assert "2026-06" in late["proof_from"][0] and "2026-11" in late["proof_from"][0]


def test_proof_needs_its_evidence_of_the_right_kind() -> None:
    found = problems(permit(), today=DEC, evidence={EvidenceKind.SOCIAL_INSURANCE}, own_credentials=[])
    assert set(found) == {"evidence"}
    social = permit(proof_basis=ProofBasis.SOCIAL_INSURANCE)
    assert problems(social, today=DEC, evidence={EvidenceKind.SOCIAL_INSURANCE}, own_credentials=[]) == {}


def test_registration_held_six_months() -> None:
    basis = permit(proof_basis=ProofBasis.REGISTRATION, proof_from=None, proof_to=None)
    # A live card from 10 June 2026 is six months old on 10 December 2026, not on the 9th.
    held = [card(date(2026, 6, 10))]
    # A card holder converts it (卡换证) rather than applying for a second credential.
    assert set(problems(basis, today=DEC, evidence=set(), own_credentials=held)) == {"kind"}
    conversion = Draft(kind=ApplicationKind.CONVERSION, district_code=None, address=None, residence_since=None,
                       proof_basis=ProofBasis.REGISTRATION, proof_from=None, proof_to=None,
                       target_cred_id="00112233aabbccdd")
    assert problems(conversion, today=DEC, evidence=set(), own_credentials=held) == {}
    assert "proof_basis" in problems(conversion, today=date(2026, 12, 9), evidence=set(), own_credentials=held)


def test_missing_fields_are_reported_by_field() -> None:
    empty = Draft(kind=ApplicationKind.REGISTRATION_CARD, district_code=None, address=None, residence_since=None,
                  proof_basis=None, proof_from=None, proof_to=None, target_cred_id=None)
    assert set(problems(empty, today=DEC, evidence=set(), own_credentials=[])) == {
        "district_code", "address", "residence_since"}
    future = permit(kind=ApplicationKind.REGISTRATION_CARD, residence_since=date(2027, 1, 1))
    assert set(problems(future, today=DEC, evidence=set(), own_credentials=[])) == {"residence_since"}


def test_endorsement_only_inside_its_window() -> None:
    permit_held = card(date(2026, 1, 1), ptype=PermitType.RESIDENCE_PERMIT, valid_until=date(2027, 1, 31))
    draft = Draft(kind=ApplicationKind.ENDORSEMENT, district_code=None, address=None, residence_since=None,
                  proof_basis=None, proof_from=None, proof_to=None, target_cred_id=permit_held.cred_id)
    assert problems(draft, today=date(2026, 11, 2), evidence=set(), own_credentials=[permit_held]) == {}
    assert "target_cred_id" in problems(draft, today=date(2026, 11, 1), evidence=set(),
                                        own_credentials=[permit_held])
    assert "target_cred_id" in problems(draft, today=DEC, evidence=set(), own_credentials=[])


def test_change_needs_something_new_and_conversion_a_card() -> None:
    held = card(date(2026, 1, 1))
    same = Draft(kind=ApplicationKind.CHANGE, district_code=6, address=held.address, residence_since=None,
                 proof_basis=None, proof_from=None, proof_to=None, target_cred_id=held.cred_id)
    assert "address" in problems(same, today=DEC, evidence=set(), own_credentials=[held])
    moved = Draft(kind=ApplicationKind.CHANGE, district_code=3, address="北京市朝阳区望京街9号2号楼",
                  residence_since=None, proof_basis=None, proof_from=None, proof_to=None, target_cred_id=held.cred_id)
    assert problems(moved, today=DEC, evidence=set(), own_credentials=[held]) == {}
    permit_held = card(date(2026, 1, 1), ptype=PermitType.RESIDENCE_PERMIT)
    conv = Draft(kind=ApplicationKind.CONVERSION, district_code=None, address=None, residence_since=None,
                 proof_basis=ProofBasis.TAX, proof_from="2026-05", proof_to="2026-10",
                 target_cred_id=permit_held.cred_id)
    assert "target_cred_id" in problems(conv, today=DEC, evidence={EvidenceKind.TAX}, own_credentials=[permit_held])
