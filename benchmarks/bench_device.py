"""The device-bound mode in process: a full verify against the raw cost of its two signatures.

A DEVICE code needs two signature checks: the issuer's Ed25519 signature on the
pass and the device's signature on the step (Ed25519 or ECDSA P-256). Each round
of ``interleaved[...]`` times, one right after the other (alternating which goes
first), on a hundred codes of the same kind:

* the raw pair: exactly those two checks on the very bytes the codes carry and
  nothing else (no split, no time window, no status or replay store): two
  libsodium ``crypto_sign_open`` calls, or one and an OpenSSL ECDSA P-256 verify
  (``cryptography``) with the P-256 key object built in setup, so the baseline
  pays no point decompression;
* ``verifier.core.verify`` as the service calls it (memory stores, status age
  checked).

Both sides are timed in CPU time of the benchmark's thread (``time.thread_time``),
so time spent waiting for a core that other processes hold is not counted, and
the ratio is taken between the fastest round of each side: a busy, shared
machine disturbs it far less than two wall-clock benchmarks run minutes apart. Every code has its own pass
and its own device key, so the verifier's cache of decoded P-256 keys never helps
(the worst case); ``[P-256 seen before]`` shows the same hundred phones every
round, each with a new pass, as a verifier sees holders it has seen before.
Like bench_verify, the module runs twice and the report keeps the better pass.
"""

from __future__ import annotations

import itertools
import os
import time
from typing import Any

import nacl.bindings
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from keys.base45 import b45decode
from keys.device_key import DeviceAlg, DeviceSigner
from keys.wire import DEVICE_TRAILER, PREFIX, device_step_message, device_text, encode_device_pass
from verifier.core import Options, verify
from verifier.replay import MemoryReplayStore
from verifier.status import MemoryStatusSource

from .bench_verify import PER_ROUND, _in_sweep, measure, sweep  # noqa: F401  (the two passes, as there)
from .conftest import NOW
from .kit import CLAIMS, World

PERIOD = 15
#: pass indices inside the benchmark's status list (2^20 entries), none of them revoked
_PASS_REFS = itertools.cycle(range(1 << 19, 1 << 20))


def device_codes(
    world: World, alg: DeviceAlg, n: int, signers: list[DeviceSigner] | None = None
) -> list[tuple[str, DeviceSigner]]:
    """``n`` codes for the step of NOW, each of its own pass and its own fresh device key
    (or the keys of ``signers``: phones seen before)."""
    step = int(NOW // PERIOD)
    out = []
    for i in range(n):
        signer = signers[i] if signers is not None else DeviceSigner(alg, os.urandom(32))
        signed = encode_device_pass(
            world.key, CLAIMS, period=PERIOD, not_before=int(NOW) - 3600, hours=24,
            pass_ref=next(_PASS_REFS), device_key=signer.field,
        )
        out.append((device_text(signed, step, signer.sign(device_step_message(signed, step))), signer))
    return out


def _parts(text: str) -> tuple[bytes, bytes, bytes]:
    """(issuer-signed bytes, issuer signature, device signature) of a DEVICE code."""
    raw = b45decode(text[len(PREFIX) :])
    end = len(raw) - DEVICE_TRAILER.size
    return raw[: end - 64], raw[end - 64 : end], raw[end + 2 :]


@pytest.mark.parametrize(
    ("alg", "seen"), [(DeviceAlg.ED25519, False), (DeviceAlg.P256, False), (DeviceAlg.P256, True)],
    ids=["Ed25519", "P-256", "P-256 seen before"],
)
def test_interleaved(benchmark: Any, world: World, options: Options, status_source: MemoryStatusSource,
                     alg: DeviceAlg, seen: bool) -> None:
    keyset = world.keyset
    issuer_key = world.key.public_key
    crypto_sign_open = nacl.bindings.crypto_sign_open
    step = int(NOW // PERIOD)
    ecdsa = ec.ECDSA(hashes.SHA256())
    best = {"raw": float("inf"), "verify": float("inf")}
    # "seen before": the same phones every round, so the verifier's cache of decoded keys answers
    phones = [DeviceSigner(alg, os.urandom(32)) for _ in range(PER_ROUND)] if seen else None

    def setup() -> tuple[Any, ...]:
        codes = device_codes(world, alg, PER_ROUND, phones)
        raw = []
        for text, signer in codes:
            signed, signature, device_sig = _parts(text)
            message = device_step_message(signed + signature, step)
            if alg is DeviceAlg.ED25519:
                raw.append((signature + signed, device_sig + message, signer.field[1:], None))
            else:
                assert signer._p256 is not None
                der = encode_dss_signature(int.from_bytes(device_sig[:32], "big"), int.from_bytes(device_sig[32:], "big"))
                raw.append((signature + signed, (der, message), None, signer._p256.public_key()))
        return ([text for text, _ in codes], raw, MemoryReplayStore())

    def run_raw(raw: list[Any]) -> float:
        started = time.thread_time()
        for issuer_sm, device, ed_key, p256_key in raw:
            crypto_sign_open(issuer_sm, issuer_key)
            if ed_key is not None:
                crypto_sign_open(device, ed_key)
            else:
                p256_key.verify(device[0], device[1], ecdsa)
        return time.thread_time() - started

    def run_verify(texts: list[str], replay: MemoryReplayStore) -> float:
        started = time.thread_time()
        for text in texts:
            if not verify(text, NOW, keyset, status_source, replay, options).valid:
                raise AssertionError(text)
        return time.thread_time() - started

    rounds = itertools.count()

    def run(texts: list[str], raw: list[Any], replay: MemoryReplayStore) -> None:
        if next(rounds) % 2:  # alternate which side goes first, so neither always follows the setup
            verify_s, raw_s = run_verify(texts, replay), run_raw(raw)
        else:
            raw_s, verify_s = run_raw(raw), run_verify(texts, replay)
        best["raw"] = min(best["raw"], raw_s)
        best["verify"] = min(best["verify"], verify_s)

    benchmark.group = "device"
    measure(benchmark, setup, run, rounds=40)
    benchmark.extra_info["raw_pair_us"] = best["raw"] / PER_ROUND * 1e6
    benchmark.extra_info["verify_us"] = best["verify"] / PER_ROUND * 1e6
    benchmark.extra_info["ratio"] = best["raw"] / best["verify"]
