"""A4 PDF pages with the CJK font, for everything the issuer prints (slips, notices).

fpdf2 draws the text with Noto Sans CJK from Debian's fonts-noto-cjk (or the file
ISSUER_CJK_FONT names), registered under the family name ``cjk``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["PdfUnavailable", "cjk_pdf"]


class PdfUnavailable(RuntimeError):
    """The PDF cannot be drawn here (fpdf2 missing or no CJK font)."""


def cjk_pdf(font: Path, title: str) -> Any:
    """A new portrait A4 ``FPDF`` with the ``cjk`` font loaded; PdfUnavailable otherwise."""
    try:
        from fpdf import FPDF
    except ImportError:
        raise PdfUnavailable("fpdf2 is not installed") from None
    if not font.is_file():
        raise PdfUnavailable(f"CJK font {font} not found (install fonts-noto-cjk or set ISSUER_CJK_FONT)")
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("issuer")
    pdf.set_auto_page_break(False)
    try:
        if font.suffix.lower() == ".ttc":
            # A .ttc holds several fonts; index 2 of Noto Sans CJK is the Simplified Chinese one.
            pdf.add_font("cjk", fname=str(font), collection_font_number=2)
        else:
            pdf.add_font("cjk", fname=str(font))
    except Exception as exc:
        raise PdfUnavailable(f"cannot load the font {font}: {exc}") from None
    return pdf
