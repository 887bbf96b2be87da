"""Valid synthetic ID numbers for tests (generated, never real people)."""

from __future__ import annotations

from datetime import date

from issuer.idnumber import check_character


def make_id(area: str = "110105", born: date = date(1990, 5, 17), seq: int = 123) -> str:
    """An 18-character ID number with a correct check character."""
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)
