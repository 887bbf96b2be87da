"""The acceptance notice (受理通知): where and when to come, and what to bring.

One list of rows, in Chinese and English, rendered as a page (notice.html) and as
a printable A4 PDF drawn with the issuer's CJK font (issuer.pdf).
"""

from __future__ import annotations

from pathlib import Path

from issuer.applications.model import Application, Appointment
from issuer.applications.stations import Station
from issuer.pdf import cjk_pdf

from .i18n import TEXT

__all__ = ["TITLE", "notice_pdf", "notice_rows"]

TITLE = ("北京市居住证申请受理通知", "Residence permit application: appointment notice")


def notice_rows(app: Application, appt: Appointment, station: Station) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """(label, value) pairs, each as (zh, en)."""
    when_zh = f"{appt.day} {appt.half.name_zh} {appt.half.hours}"
    when_en = f"{appt.day} {'morning' if appt.half.value == 'am' else 'afternoon'} {appt.half.hours}"
    return [
        (TEXT["reference"], (app.app_id, app.app_id)),
        (TEXT["name"], (app.holder_name, app.holder_name)),
        (TEXT["id_number"], (app.masked_id_number, app.masked_id_number)),
        (TEXT["kind"], (app.kind.name_zh, app.kind.name_en)),
        (("办理地点", "Station"), (f"{station.name_zh}（{station.kind_zh}）", station.name_en)),
        (("地址", "Address"), (station.address, station.address)),
        (("预约时间", "Time"), (when_zh, when_en)),
        (TEXT["bring"], TEXT["bring_list"]),
        (("提示", "Note"), TEXT["keep_record"]),
    ]


def notice_pdf(rows: list[tuple[tuple[str, str], tuple[str, str]]], *, font: Path) -> bytes:
    """The notice on one A4 page, each row in Chinese with its English below."""
    pdf = cjk_pdf(font, f"{TITLE[0]} / {TITLE[1]}")
    pdf.add_page()
    left, width = 18.0, 174.0
    pdf.set_xy(left, 20)
    pdf.set_font("cjk", size=17)
    pdf.cell(width, 10, TITLE[0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.set_x(left)
    pdf.cell(width, 6, TITLE[1], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for (label_zh, label_en), (value_zh, value_en) in rows:
        top = pdf.get_y()
        pdf.set_xy(left, top)
        pdf.set_font("cjk", size=10)
        pdf.multi_cell(40, 5.5, f"{label_zh}\n{label_en}")
        label_end = pdf.get_y()
        pdf.set_xy(left + 42, top)
        pdf.set_font("cjk", size=11)
        pdf.multi_cell(width - 42, 5.5, value_zh)
        if value_en != value_zh:
            pdf.set_x(left + 42)
            pdf.set_font("cjk", size=9)
            pdf.multi_cell(width - 42, 5, value_en)
        pdf.set_y(max(label_end, pdf.get_y()) + 3)
    return bytes(pdf.output())
