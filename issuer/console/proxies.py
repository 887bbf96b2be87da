"""Who may apply for someone else at the counter, and what must be seen (委托代办).

Online applications are only for oneself; at the counter a proxy may apply for a
child under 16, an elderly person with limited mobility or a disabled person. The
proxy's identity and the proof of the relationship are always recorded; a written
mandate (委托书) is required except for a child under 16, whose guardian acts by law.
The record keeps the proxy's masked ID number and the last four characters for the
credential page, and the full number for the file, never in notes or notices.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from issuer.errors import InvalidInputError
from issuer.idnumber import IdNumberError, mask_id_number, validate_id_number
from issuer.model import add_years

__all__ = ["BASES", "RELATIONSHIPS", "birth_date", "proxy_record"]

BASES = {
    "child_under_16": ("未满16周岁的未成年人", "a child under 16"),
    "elderly": ("行动不便的老年人", "an elderly person with limited mobility"),
    "disabled": ("残疾人", "a disabled person"),
}
RELATIONSHIPS = {
    "parent": ("父母", "parent"), "guardian": ("监护人", "guardian"), "child": ("子女", "child"),
    "spouse": ("配偶", "spouse"), "relative": ("其他近亲属", "other relative"), "other": ("其他受托人", "other agent"),
}


def birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def proxy_record(*, basis: str, applicant_id: str, name: str, id_number: str, relationship: str,
                 relationship_proof: str, mandate: str, today: date) -> dict[str, Any]:
    """The proxy JSON of a counter application; INVALID_INPUT naming what is missing."""
    if basis not in BASES:
        raise InvalidInputError("请选择代办情形", "choose why a proxy applies")
    if relationship not in RELATIONSHIPS:
        raise InvalidInputError("请选择与申请人的关系", "choose the relationship to the applicant")
    if not name.strip() or len(name) > 50:
        raise InvalidInputError("请填写代办人姓名", "enter the proxy's name")
    try:
        proxy_id = validate_id_number(id_number.strip().upper(), today=today)
    except IdNumberError as exc:
        raise InvalidInputError(f"代办人身份号码无效（{exc.code}）", f"the proxy's ID number is invalid ({exc.code})") from None
    if proxy_id == applicant_id:
        raise InvalidInputError("代办人不能是申请人本人", "the proxy cannot be the applicant")
    if not relationship_proof.strip():
        raise InvalidInputError("请登记关系证明（如户口簿、出生医学证明）",
                                "record the proof of relationship (household register, birth certificate…)")
    child = add_years(birth_date(applicant_id), 16) > today
    if basis == "child_under_16" and not child:
        raise InvalidInputError("申请人已满16周岁，不能按未成年人代办", "the applicant is 16 or older")
    if basis != "child_under_16" and not mandate.strip():
        raise InvalidInputError("请登记书面委托书", "record the written mandate")
    return {
        "basis": basis, "basis_label": BASES[basis][0],
        "name": name.strip(), "id_number": proxy_id, "id_number_masked": mask_id_number(proxy_id),
        "relationship": relationship, "relationship_label": RELATIONSHIPS[relationship][0],
        "relationship_proof": relationship_proof.strip()[:200],
        "mandate": mandate.strip()[:200] or None,
    }
