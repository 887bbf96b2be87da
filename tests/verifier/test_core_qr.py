"""Each mode survives the trip through a real QR image and a real decoder."""

import io

import pytest
import segno
import zxingcpp
from PIL import Image

from verifier.core import verify

from .world import NOW, World


def _through_a_qr_image(text: str) -> str:
    qr = segno.make(text, error="m", boost_error=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=6, border=4)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


@pytest.mark.parametrize("mode", ["minted", "offline", "paper"])
def test_round_trip_through_a_qr_image(mode: str) -> None:
    world = World()
    text = getattr(world, mode)()
    decoded = _through_a_qr_image(text)
    assert decoded == text
    verdict = verify(decoded, NOW, world.keyset, world.status, world.replay, world.options)
    assert verdict.reason == "VALID"
    assert verdict.mode == {"minted": "MINTED", "offline": "PASS", "paper": "PAPER"}[mode]


def test_minted_qr_is_version_6_or_below() -> None:
    assert segno.make(World().minted(), error="m", boost_error=False).version <= 6
