"""The test plumbing itself works for real: private Redis (single and cluster),
live uvicorn servers, headless Chromium with a fake camera, and the npm
browser libraries served by keys.edge.static."""

from __future__ import annotations

import io

import httpx
import pytest
import redis
import zxingcpp
from redis.backoff import NoBackoff
from redis.retry import Retry
from PIL import Image
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from keys.edge.static import shared_routes as vendor_routes
from tests.fixtures.browser import qr_png, write_y4m

TEXT = "RP:TEST123"


# --- Redis --------------------------------------------------------------------


@pytest.mark.redis
def test_redis_server_kill_and_restart(redis_server):
    port = redis_server.port
    # redis-py retries refused connections with backoff (seconds) by default.
    client = redis_server.client(socket_timeout=1, retry=Retry(NoBackoff(), 0))
    assert client.set("k", "v")
    assert client.get("k") == b"v"

    redis_server.kill()
    with pytest.raises(redis.ConnectionError):
        client.get("k")

    redis_server.start()
    assert redis_server.port == port
    assert client.get("k") is None  # nothing persisted
    assert client.set("k", "again")
    assert redis.Redis.from_url(redis_server.url).get("k") == b"again"


@pytest.mark.redis
def test_redis_cluster_spans_slots(redis_cluster):
    client = redis_cluster.client()
    keys = [f"key:{i}" for i in range(50)]
    slots = {client.keyslot(k) for k in keys}
    owners = {tuple(client.get_node_from_key(k).name.rsplit(":", 1)) for k in keys}
    assert len(owners) == 3  # keys land on every master
    assert len(slots) > 3
    for k in keys:
        client.set(k, k.upper())
    for k in keys:
        assert client.get(k) == k.upper().encode()
    assert len(redis_cluster.startup_nodes) == 3
    assert redis.Redis.from_url(redis_cluster.url).ping()
    client.close()


# --- vendor routes --------------------------------------------------------------


def test_vendor_routes_serve_npm_files(live_server):
    base = live_server(Starlette(routes=vendor_routes()))
    for name, marker in (("jsQR.js", b"jsQR"), ("qrcode.js", b"qrcode")):
        r = httpx.get(f"{base}/vendor/{name}")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/javascript")
        assert marker in r.content


def test_vendor_route_missing_file_is_503(live_server, monkeypatch, tmp_path):
    import keys.edge.static as vendor

    monkeypatch.setitem(vendor.SHARED_FILES, "/vendor/jsQR.js", tmp_path / "missing.js")
    monkeypatch.setattr(vendor, "REPO_ROOT", tmp_path)
    base = live_server(Starlette(routes=vendor.shared_routes()))
    r = httpx.get(f"{base}/vendor/jsQR.js")
    assert r.status_code == 503
    assert "scripts/setup" in r.text


# --- browser ------------------------------------------------------------------

SCANNER_PAGE = """<!doctype html>
<meta charset="utf-8">
<video id="v" playsinline muted></video>
<canvas id="c" hidden></canvas>
<pre id="out"></pre>
<script src="/vendor/jsQR.js"></script>
<script>
(async () => {
  const video = document.getElementById('v');
  const canvas = document.getElementById('c');
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({video: true});
    await video.play();
  } catch (e) {
    document.getElementById('out').dataset.error = String(e);
    return;
  }
  const tick = () => {
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const code = jsQR(img.data, img.width, img.height);
      if (code && code.data) {
        document.getElementById('out').textContent = code.data;
        return;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
</script>
"""

ENCODER_PAGE = """<!doctype html>
<meta charset="utf-8">
<body style="margin:0;background:#fff">
<div id="qr" style="display:inline-block"></div>
<script src="/vendor/qrcode.js"></script>
<script>
  const qr = qrcode(0, 'M');
  qr.addData(new URLSearchParams(location.search).get('text'), 'Alphanumeric');
  qr.make();
  document.getElementById('qr').innerHTML = qr.createSvgTag({cellSize: 6, margin: 24});
  document.body.dataset.ready = '1';
</script>
</body>
"""


def _page_app() -> Starlette:
    async def scanner(request):
        return HTMLResponse(SCANNER_PAGE)

    async def encoder(request):
        return HTMLResponse(ENCODER_PAGE)

    return Starlette(routes=[Route("/scan", scanner), Route("/encode", encoder), *vendor_routes()])


@pytest.mark.browser
def test_fake_camera_qr_decoded_by_jsqr(live_server, browser_with_camera, tmp_path):
    y4m = write_y4m(qr_png(TEXT), tmp_path / "qr.y4m", scale=1, pad=48, fps=30)
    base = live_server(_page_app())
    browser = browser_with_camera(y4m)
    page = browser.new_page()
    page.goto(f"{base}/scan")
    page.wait_for_function(
        "() => { const o = document.getElementById('out');"
        " return o.textContent !== '' || o.dataset.error; }",
        timeout=10_000,
    )
    assert page.get_attribute("#out", "data-error") is None
    assert page.text_content("#out") == TEXT


@pytest.mark.browser
def test_npm_encoder_renders_decodable_qr(live_server, browser):
    base = live_server(_page_app())
    page = browser.new_page()
    try:
        page.goto(f"{base}/encode?text={TEXT}")
        page.wait_for_selector("body[data-ready='1'] #qr svg", timeout=5_000)
        png = page.locator("#qr").screenshot()
    finally:
        page.close()
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [r.text for r in results] == [TEXT]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert results[0].ec_level == "M"


def test_y4m_layout(tmp_path):
    img = Image.new("RGB", (5, 3), (0, 0, 0))
    path = write_y4m(img, tmp_path / "x.y4m", scale=2, pad=1)
    data = path.read_bytes()
    header, rest = data.split(b"\n", 1)
    assert header == b"YUV4MPEG2 W12 H8 F1:1 Ip A1:1 C420jpeg"
    assert rest.startswith(b"FRAME\n")
    planes = rest[len(b"FRAME\n"):]
    assert len(planes) == 12 * 8 + 2 * (6 * 4)
    y = planes[: 12 * 8]
    assert y[0] == 255 and y[12 * 1 + 1] == 0  # white padding, black image
