"""The paper confirmation slip (确认单): a printed, stamped page with a static QR code.

For holders without a smartphone. The code is PAPER mode: signed, bound to the
credential's current version (so it stops verifying on revocation or 变更), valid
until the permit's last day or at most a year, and static. A static code proves
that the slip is genuine, not that the bearer is the holder, so the slip says so
in both languages and a verifier answers ``requires_id_check``.

Two renderings of the same content: HTML (print from the browser) and PDF (drawn
with fpdf2 using the Noto Sans CJK font from Debian's fonts-noto-cjk; the QR code
is drawn as vector rectangles so it prints sharp at any size).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Iterator

import segno

from issuer.lifecycle import Lifecycle
from issuer.model import Credential
from keys.timekeeping import BEIJING
from issuer.registry import Registry

from .config import Config
from .devkeys import open_keys
from .minting import Minter, PaperCode, require_mintable
from .pdf import PdfUnavailable, cjk_pdf
from .slip_register import SlipRegister

__all__ = ["PdfUnavailable", "Slip", "issue_slip", "slip_html", "slip_pdf", "write_slip_file"]

NOTE_ZH = (
    "本确认单上的二维码为静态码，只能证明确认单真实有效，不能证明出示人即为持证人。"
    "核验人员须同时查验出示人的身份证件，核对姓名及公民身份号码后四位。"
    "证件注销、暂停或变更后，本确认单随即失效。"
)
NOTE_EN = (
    "The code on this slip is static: it proves the slip is genuine, not that the bearer is the holder. "
    "The checker must compare an identity document (name and last four characters of the ID number). "
    "The slip stops verifying when the permit is revoked, suspended or changed."
)
TITLE_ZH = "北京市居住证件电子凭证确认单"
TITLE_EN = "Residence Permit Confirmation Slip"


@dataclass(frozen=True)
class Slip:
    """One printed slip: the credential as of printing, its paper code and where it was printed.

    ``serial`` numbers the slip in the register (issuer.slip_register); printing it
    voided every earlier slip of the credential.
    """

    credential: Credential
    paper: PaperCode
    office: str
    serial: int = 0
    station: str = ""


def issue_slip(
    registry: Registry,
    lifecycle: Lifecycle,
    minter: Minter,
    cred_id: str,
    *,
    now: float,
    actor: str,
    office: str,
    station: str | None = None,
) -> Slip:
    """Mint the paper code for a new slip, voiding the earlier ones, and audit the printing.

    The code's ``ref`` is the slip's own status-list index (issuer.slip_register), so
    the slip stops verifying when it is reprinted, when the permit changes version,
    is suspended or is revoked. ``station`` is the printing station (default ``office``).
    """
    now_dt = datetime.fromtimestamp(now, BEIJING)
    cred = lifecycle.get(cred_id, today=now_dt.date())
    require_mintable(cred, now)
    where = station or office
    with registry.transaction():
        earlier = [p.serial for p in SlipRegister(registry).of_credential(cred.cred_id) if p.valid]
        printed = SlipRegister(registry).record(cred.cred_id, cred.version, where, actor=actor, now=now_dt)
        paper = minter.mint_paper(replace(cred, status_index=printed.status_index), now)
        registry.record_audit(
            actor=actor, operation="slip.print", cred_id=cred.cred_id, now=now_dt,
            details={"issued_at": paper.issued_at, "not_after": paper.not_after, "version": cred.version,
                     "serial": printed.serial, "station": where, "voided": earlier},
        )
    return Slip(cred, paper, office, printed.serial, where)


def _beijing(ts: int) -> str:
    return datetime.fromtimestamp(ts, BEIJING).strftime("%Y-%m-%d %H:%M")


def fields(slip: Slip) -> list[tuple[str, str, str]]:
    """(Chinese label, English label, value) rows shown on the slip."""
    c = slip.credential
    district = c.district
    return [
        ("姓名", "Name", c.holder_name),
        ("公民身份号码", "ID number", c.masked_id_number),
        ("证件类型", "Permit type", f"{c.permit_type.name_zh} {c.permit_type.name_en}"),
        ("居住地址", "Address", c.address),
        ("所属区", "District", f"{district.name_zh} {district.name_en}"),
        ("证件有效期至", "Permit valid until", c.valid_until.isoformat()),
        ("凭证编号", "Credential ID", f"{c.cred_id} (v{c.version})"),
        ("确认单签发时间", "Slip issued", _beijing(slip.paper.issued_at) + " (UTC+8)"),
        ("确认单有效期至", "Slip valid until", _beijing(slip.paper.not_after) + " (UTC+8)"),
        ("确认单编号", "Slip serial", f"No. {slip.serial}（补打作废此前各单 / a reprint voids earlier slips）"),
        ("打印单位", "Printed at", slip.station or slip.office),
    ]


def _qr(code: str) -> segno.QRCode:
    return segno.make(code, error="m", micro=False, boost_error=False)


def _css() -> str:
    return resources.files("issuer").joinpath("static/slip.css").read_text(encoding="utf-8")


def slip_html(slip: Slip) -> str:
    """A self-contained printable HTML page (styles inline, QR code as inline SVG)."""
    e = html.escape
    svg = _qr(slip.paper.code).svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr",
        title="核验二维码（静态码）/ Verification code (static)",
    )
    rows = "\n".join(
        f'<tr><th scope="row">{e(zh)}<span class="en">{e(en)}</span></th><td>{e(value)}</td></tr>'
        for zh, en, value in fields(slip)
    )
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{e(TITLE_ZH)} / {e(TITLE_EN)}</title>
<style>{_css()}</style>
</head>
<body>
<main class="slip">
<header>
<h1>{e(TITLE_ZH)}<span class="en">{e(TITLE_EN)}</span></h1>
<p class="office">{e(slip.office)}</p>
</header>
<div class="body">
<table class="fields">
{rows}
</table>
<figure class="code" role="img" aria-label="核验二维码（静态码）/ Verification code (static)">
{svg}
<figcaption>核验二维码（静态码）<span class="en">Verification code (static)</span></figcaption>
</figure>
</div>
<section class="note">
<p>{e(NOTE_ZH)}</p>
<p class="en">{e(NOTE_EN)}</p>
</section>
<section class="stamp">
<div class="stamp-box">签发机关盖章<span class="en">Official stamp</span></div>
<div class="signature">
<p>经办人 <span class="en">Clerk</span>：<span class="line"></span></p>
<p>日期 <span class="en">Date</span>：<span class="line"></span></p>
</div>
</section>
</main>
</body>
</html>
"""


def _runs(row: bytes | bytearray) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of dark modules in a matrix row."""
    start = None
    for x, dark in enumerate(row):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            yield start, x - start
            start = None
    if start is not None:
        yield start, len(row) - start


def slip_pdf(slip: Slip, *, font: Path) -> bytes:
    """The slip as an A4 PDF; PdfUnavailable when fpdf2 or the font is missing."""
    pdf = cjk_pdf(font, f"{TITLE_ZH} / {TITLE_EN}")
    pdf.add_page()
    left, width = 18.0, 174.0
    pdf.set_xy(left, 18)
    pdf.set_font("cjk", size=18)
    pdf.cell(width, 10, TITLE_ZH, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(left)
    pdf.set_font("cjk", size=11)
    pdf.cell(width, 6, TITLE_EN, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(left)
    pdf.set_font("cjk", size=9)
    pdf.cell(width, 6, slip.office, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.line(left, 44, left + width, 44)

    # Fields on the left, the QR code on the right.
    y = 50.0
    label_w, value_w, row_h = 42.0, 66.0, 11.0
    for zh, en, value in fields(slip):
        pdf.set_xy(left, y)
        pdf.set_font("cjk", size=10)
        pdf.cell(label_w, 5.5, zh)
        pdf.set_xy(left, y + 5)
        pdf.set_font("cjk", size=7)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(label_w, 4, en)
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(left + label_w, y + 1)
        pdf.set_font("cjk", size=10)
        pdf.multi_cell(value_w, 5, value)
        y += row_h

    qr = _qr(slip.paper.code)
    modules = qr.symbol_size(border=0)[0]
    box = 60.0
    module = box / (modules + 8)
    qx, qy = left + width - box, 50.0
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(qr.matrix):
        for start, length in _runs(row):
            pdf.rect(qx + (4 + start) * module, qy + (4 + r) * module, length * module, module, style="F")
    pdf.set_font("cjk", size=9)
    pdf.set_xy(qx, qy + box + 1)
    pdf.cell(box, 5, "核验二维码（静态码）", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(qx, qy + box + 6)
    pdf.set_font("cjk", size=7)
    pdf.cell(box, 4, "Verification code (static)", align="C")

    y = max(y, qy + box + 12) + 4
    pdf.set_draw_color(150, 0, 0)
    pdf.rect(left, y, width, 34)
    pdf.set_xy(left + 3, y + 3)
    pdf.set_font("cjk", size=10)
    pdf.set_text_color(150, 0, 0)
    pdf.multi_cell(width - 6, 5.5, NOTE_ZH)
    pdf.set_x(left + 3)
    pdf.set_font("cjk", size=8)
    pdf.multi_cell(width - 6, 4.2, NOTE_EN)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)

    y += 44
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.ellipse(left + width - 50, y, 44, 44)
    pdf.set_dash_pattern()
    pdf.set_font("cjk", size=9)
    pdf.set_xy(left + width - 50, y + 18)
    pdf.cell(44, 5, "签发机关盖章", align="C")
    pdf.set_xy(left + width - 50, y + 23)
    pdf.set_font("cjk", size=7)
    pdf.cell(44, 4, "Official stamp", align="C")
    pdf.set_font("cjk", size=10)
    for i, (zh, en) in enumerate((("经办人", "Clerk"), ("日期", "Date"))):
        line_y = y + 12 + i * 16
        pdf.set_xy(left, line_y - 5)
        pdf.cell(30, 5, f"{zh} {en}：")
        pdf.line(left + 32, line_y, left + 100, line_y)
    return bytes(pdf.output())


def write_slip_file(
    cred_id: str,
    out: str | Path,
    *,
    now: float,
    config: Config | None = None,
    actor: str = "cli",
) -> Path:
    """Mint a slip for ``cred_id`` and write it to ``out`` (.pdf or .html): what the CLI calls.

    Opens the keys and the registry from ``config`` (default: the environment),
    exactly as the service does. Raises LifecycleError, NotMintable, KeyFileError
    or PdfUnavailable with a message fit for the terminal.
    """
    target = Path(out)
    suffix = target.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise ValueError("the output file must end in .pdf or .html")
    cfg = config if config is not None else Config.from_env()
    keys = open_keys(cfg, now)
    minter = Minter(keys.signer, keys.rotation_secret, period_s=cfg.period_s,
                    pass_hours=cfg.pass_hours, slip_days=cfg.slip_days)
    with Registry(cfg.registry_path) as registry:
        slip = issue_slip(registry, Lifecycle(registry), minter, cred_id, now=now, actor=actor,
                          office=cfg.office_name)
    if suffix == ".pdf":
        target.write_bytes(slip_pdf(slip, font=cfg.cjk_font))
    else:
        target.write_text(slip_html(slip), encoding="utf-8")
    return target
