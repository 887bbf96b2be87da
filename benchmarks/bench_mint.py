"""Minting: what the issuer pays per live code, with and without drawing the QR code.

``mint-code`` is ``Minter.mint_live_claims``, the issuer's hot path (pack, one
Ed25519 signature, base45). The SVG variants add what a server-rendered image
would cost per holder and period: segno choosing the mask itself (it scores all
eight, as the QR standard asks) and segno given a fixed mask. The holder page
draws the QR code in the browser instead, so these figures are the cost that
design avoids, not one the service pays.
"""

from __future__ import annotations

import io
from typing import Any

import segno

from issuer.minting import Minter
from keys.keypair import SigningKey

from .bench_verify import measure
from .conftest import NOW
from .kit import CLAIMS, ROTATION_SECRET, SEED

PER_ROUND = 100


def _minter() -> Minter:
    return Minter(SigningKey(SEED), ROTATION_SECRET, period_s=15)


def _svg(code: str, mask: int | None) -> bytes:
    buf = io.BytesIO()
    # The issuer's own parameters (issuer/holder_api.py), plus the mask when fixed.
    segno.make(code, error="m", micro=False, boost_error=False, mask=mask).save(
        buf, kind="svg", scale=1, border=4, omitsize=True, xmldecl=False, svgns=True
    )
    return buf.getvalue()


def test_mint_code(benchmark: Any) -> None:
    minter = _minter()
    mint = minter.mint_live_claims

    def run() -> None:
        for _ in range(PER_ROUND):
            mint(CLAIMS, NOW)

    benchmark.group = "mint"
    measure(benchmark, lambda: (), run, rounds=60)


def test_mint_svg_auto_mask(benchmark: Any) -> None:
    minter = _minter()
    count = 20

    def run() -> None:
        for _ in range(count):
            _svg(minter.mint_live_claims(CLAIMS, NOW).code, None)

    benchmark.group = "mint"
    benchmark.extra_info["svg_bytes"] = len(_svg(minter.mint_live_claims(CLAIMS, NOW).code, None))
    measure(benchmark, lambda: (), run, per_round=count, rounds=15)


def test_mint_svg_fixed_mask(benchmark: Any) -> None:
    minter = _minter()
    count = 20

    def run() -> None:
        for _ in range(count):
            _svg(minter.mint_live_claims(CLAIMS, NOW).code, 0)

    benchmark.group = "mint"
    measure(benchmark, lambda: (), run, per_round=count, rounds=15)
