"""The paper confirmation slip: HTML and PDF, and the static code printed on it."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from issuer.config import Config
from issuer.lifecycle import Lifecycle
from keys.vocabulary import PermitType
from issuer.registry import Registry
from issuer.slip import NOTE_EN, NOTE_ZH, write_slip_file
from tests.issuer.app_helpers import (
    ADMIN,
    T0,
    Clock,
    TestClient,
    checker,
    issue,
    make_config,
)
from tests.issuer.idgen import make_id


def pdf_qr_text(pdf: bytes) -> str:
    """Redraw the filled rectangles of a PDF page (the QR modules) and decode them."""
    rects: list[tuple[float, float, float, float]] = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(raw)
        except zlib.error:
            content = raw
        for m in re.finditer(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f\b", content):
            rects.append(tuple(float(v) for v in m.groups()))  # type: ignore[arg-type]
    assert rects, "no filled rectangles in the PDF"
    scale = 4
    image = Image.new("L", (int(595.28 * scale), int(841.89 * scale)), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in rects:
        x0, x1 = sorted((x, x + w))
        y0, y1 = sorted((y, y + h))
        draw.rectangle([x0 * scale, image.height - y1 * scale, x1 * scale - 1, image.height - y0 * scale - 1], fill=0)
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    return found[0].text


def test_html_slip(client: TestClient, clock: Clock, browser) -> None:
    cred = issue(client, seq=3, name="赵六")
    r = client.get(f"/admin/credentials/{cred['cred_id']}/slip", headers=ADMIN)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    html = r.text
    assert make_id(seq=3) not in html and cred["id_number_masked"] in html
    assert NOTE_ZH in html and NOTE_EN in html and "盖章" in html and "赵六" in html
    page = browser.new_page(viewport={"width": 900, "height": 1300})
    page.set_content(html)
    png = page.locator("figure.code svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    later = clock() + 200 * 86400
    verdict = checker(client, later).verify(found[0].text, later)
    assert verdict.reason == "VALID" and verdict.mode == "PAPER" and verdict.requires_id_check
    assert verdict.claims is not None and verdict.claims.name == "赵六"
    entries = client.get(f"/admin/credentials/{cred['cred_id']}/audit", headers=ADMIN).json()["entries"]
    assert entries[-1]["operation"] == "slip.print"


def test_pdf_slip(client: TestClient, clock: Clock) -> None:
    cred = issue(client, seq=4, name="孙七")
    r = client.get(f"/admin/credentials/{cred['cred_id']}/slip?format=pdf", headers=ADMIN)
    if r.status_code == 503:
        pytest.fail(f"PDF unavailable: {r.json()}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = r.content
    assert pdf.startswith(b"%PDF-") and b"/FontFile" in pdf
    text = pdf_qr_text(pdf)
    verdict = checker(client, clock()).verify(text, clock())
    assert verdict.reason == "VALID" and verdict.requires_id_check
    # The slip stops verifying once the credential changes.
    client.post(f"/admin/credentials/{cred['cred_id']}/change", headers=ADMIN, json={"district": "西城区"})
    assert checker(client, clock()).verify(text, clock()).reason == "SUPERSEDED"


def test_slip_refusals(client: TestClient, tmp_path: Path, clock: Clock, issuer_keys) -> None:
    cid = issue(client)["cred_id"]
    assert client.get(f"/admin/credentials/{cid}/slip?format=docx", headers=ADMIN).status_code == 400
    client.post(f"/admin/credentials/{cid}/suspend", headers=ADMIN)
    r = client.get(f"/admin/credentials/{cid}/slip", headers=ADMIN)
    assert r.status_code == 409 and r.json()["error"] == "CREDENTIAL_NOT_ACTIVE"
    assert client.get("/admin/credentials/ffffffffffffffff/slip", headers=ADMIN).status_code == 404


def test_pdf_without_font_is_503(tmp_path: Path, clock: Clock, issuer_keys) -> None:
    from issuer.app import create_app

    cfg = make_config(tmp_path, cjk_font=tmp_path / "missing.ttc")
    with TestClient(create_app(cfg, clock=clock, keys=issuer_keys)) as c:
        cid = issue(c)["cred_id"]
        r = c.get(f"/admin/credentials/{cid}/slip?format=pdf", headers=ADMIN)
        assert r.status_code == 503 and r.json()["error"] == "PDF_UNAVAILABLE"


def test_write_slip_file_for_the_cli(tmp_path: Path, issuer_keys) -> None:
    cfg = Config(registry_path=str(tmp_path / "reg.sqlite3"), keys_dir=tmp_path / "keys", dev_dir=tmp_path / "dev")
    from datetime import datetime

    from keys.timekeeping import BEIJING

    now_dt = datetime.fromtimestamp(T0, BEIJING)
    with Registry(cfg.registry_path) as reg:
        cred = Lifecycle(reg).issue(PermitType.REGISTRATION_CARD, "周八", make_id(seq=9), "北京市东城区1号", 1,
                                    now_dt.date(), 2, actor="test", now=now_dt)
    pdf = write_slip_file(cred.cred_id, tmp_path / "slip.pdf", now=T0, config=cfg)
    html = write_slip_file(cred.cred_id.upper(), tmp_path / "slip.html", now=T0, config=cfg)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "周八" in html.read_text(encoding="utf-8")
    text = pdf_qr_text(pdf.read_bytes())
    assert text.startswith("RP:")
    with pytest.raises(ValueError):
        write_slip_file(cred.cred_id, tmp_path / "slip.txt", now=T0, config=cfg)
    with Registry(cfg.registry_path) as reg:
        assert [e.operation for e in reg.audit_entries(cred.cred_id)].count("slip.print") == 2
