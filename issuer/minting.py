"""Turning a registry credential into the codes a holder shows.

Four kinds, all in keys.wire's format (its current version, v2):

* live (MINTED): one per rotation period, with a fresh nonce, fetched by the
  holder's phone while it is online;
* offline pass (PASS): signed once for up to 72 hours; the phone adds a TOTP code
  per period, computed from a per-pass secret the issuer derives from its rotation
  secret, so the issuer keeps nothing per pass;
* device-bound pass (DEVICE): signed once for up to 72 hours for one phone's
  public key; the phone signs each time step with its private key, so no
  verifier needs a secret to tell a live code, and a copy on another phone fails;
* paper (PAPER): one static code per printed confirmation slip.

Only an active, unexpired credential gets a code. Minting is a pack, one Ed25519
signature and a base45 encode, tens of thousands per second on one core; QR images
are drawn by the holder's page, never here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable

from issuer.model import Credential, Status
from keys.timekeeping import DAY_S, beijing_day, end_of_day, step_at
from keys.keypair import SigningKey
from keys.keyset import b64u
from keys.vocabulary import disclosed_field_names
from keys.totp import DIGITS, pass_secret
from keys.device_key import alg_of
from keys.wire import PASS_MAX_HOURS, Claims, encode_device_pass, encode_minted, encode_pass, encode_paper

__all__ = [
    "DevicePass",
    "LiveCode",
    "Minter",
    "NotMintable",
    "OfflinePass",
    "PaperCode",
    "claims_for",
]


class NotMintable(Exception):
    """The credential cannot be shown now (suspended, revoked, expired): HTTP 409."""

    code = "CREDENTIAL_NOT_ACTIVE"

    def __init__(self, status: str) -> None:
        super().__init__(f"credential is {status}")
        self.status = status
        self.message_zh = f"证件状态为“{_STATUS_ZH.get(status, status)}”，不能出示二维码"
        self.message_en = f"credential is {status}; no code can be shown"


_STATUS_ZH = {s.value: s.name_zh for s in Status}


def claims_for(credential: Credential) -> Claims:
    """The wire claims for the credential's current version (name cut to fit by the encoder).

    ``ref`` is the status-list index of this version: a 变更 or 卡换证 gets a new
    one, so codes for the old version stop verifying once the list is republished.
    """
    return Claims(
        credential.status_index,
        int(credential.permit_type),
        credential.district_code,
        credential.valid_until,
        credential.id_last4,
        credential.holder_name,
    )


def require_mintable(credential: Credential, now: float) -> None:
    """NotMintable unless the credential is active and valid on the Beijing day of ``now``."""
    if credential.status is not Status.ACTIVE:
        raise NotMintable(credential.status.value)
    if credential.valid_until < beijing_day(now):
        raise NotMintable(Status.EXPIRED.value)


@dataclass(frozen=True)
class LiveCode:
    """A live code; ``disclose`` the field names the holder chose to show a business (None: no choice)."""

    code: str
    step: int
    period: int
    expires_in: float
    disclose: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "step": self.step, "period": self.period,
                "expires_in": round(self.expires_in, 3),
                "disclose": None if self.disclose is None else list(self.disclose)}


@dataclass(frozen=True)
class OfflinePass:
    """A signed pass and what the device needs to add its liveness trailer."""

    pass_bytes: bytes
    pass_id: bytes
    period: int
    secret: bytes = field(repr=False)
    not_before: int
    not_after: int
    digits: int = DIGITS

    def to_json(self) -> dict[str, Any]:
        return {
            "pass": b64u(self.pass_bytes),
            "pass_id": self.pass_id.hex(),
            "period": self.period,
            "digits": self.digits,
            "algorithm": "SHA1",
            "secret": b64u(self.secret),
            "not_before": self.not_before,
            "not_after": self.not_after,
        }


@dataclass(frozen=True)
class DevicePass:
    """A device-bound pass; the phone appends each step and its signature of it.

    ``renew_after``: from then on the page fetches a new pass whenever it is
    online, so a phone that is online now and then never runs out.
    """

    pass_bytes: bytes
    period: int
    not_before: int
    not_after: int
    alg: str

    @property
    def renew_after(self) -> int:
        return self.not_before + (self.not_after - self.not_before) // 2

    def to_json(self) -> dict[str, Any]:
        return {
            "pass": b64u(self.pass_bytes),
            "period": self.period,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "renew_after": self.renew_after,
            "alg": self.alg,
        }


@dataclass(frozen=True)
class PaperCode:
    code: str
    issued_at: int
    not_after: int


class Minter:
    """Mints codes with one signing key.

    ``lead_s``: a live code asked for this close to the end of its period is
    minted for the next period instead. The holder's page refreshes about a second
    before a code expires, and gets a code that is good for the whole next period
    (verifiers accept one step of skew either way, so a code a second early passes).
    """

    def __init__(
        self,
        signer: SigningKey,
        rotation_secret: bytes,
        *,
        period_s: int = 15,
        pass_hours: int = 24,
        slip_days: int = 365,
        lead_s: float = 2.0,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        if not 1 <= period_s <= 255:
            raise ValueError("the period is 1..255 seconds")
        if not 1 <= pass_hours <= PASS_MAX_HOURS:
            raise ValueError(f"a pass lasts 1..{PASS_MAX_HOURS} hours")
        if not 0 <= lead_s < period_s:
            raise ValueError("the lead must be shorter than the period")
        self.signer = signer
        self._rotation_secret = rotation_secret
        self.period_s = period_s
        self.pass_hours = pass_hours
        self.slip_days = slip_days
        self.lead_s = lead_s
        self._random = random_bytes

    def __repr__(self) -> str:
        return f"Minter(kid={self.signer.kid.hex()}, period_s={self.period_s})"

    def mint_live(self, credential: Credential, now: float, disclose: int = 0) -> LiveCode:
        """A live code for the current period (or the next one, within ``lead_s`` of it).

        ``disclose``: the holder's choice of what a business may see, as the wire's
        ``disclose`` byte (``keys.vocabulary.disclosure_byte``; 0 for no choice),
        signed into this one code only.
        """
        require_mintable(credential, now)
        claims = claims_for(credential)
        return self.mint_live_claims(claims._replace(disclose=disclose) if disclose else claims, now)

    def mint_live_claims(self, claims: Claims, now: float) -> LiveCode:
        """``mint_live`` for claims already built (no status check): the hot path."""
        period = self.period_s
        step = step_at(now + self.lead_s, period)
        code = encode_minted(self.signer, claims, step=step, period=period, nonce=self._random(3))
        return LiveCode(code, step, period, (step + 1) * period - now, disclosed_field_names(claims.disclose))

    def mint_pass(self, credential: Credential, now: float) -> OfflinePass:
        """An offline pass valid from now for ``pass_hours`` with its TOTP parameters."""
        require_mintable(credential, now)
        pass_id = self._random(8)
        not_before = int(now)
        hours = self.pass_hours
        signed = encode_pass(
            self.signer, claims_for(credential), pass_id=pass_id, period=self.period_s,
            not_before=not_before, hours=hours,
        )
        secret = pass_secret(self._rotation_secret, pass_id)
        return OfflinePass(signed, pass_id, self.period_s, secret, not_before, not_before + hours * 3600)

    def mint_device_pass(self, credential: Credential, key_field: bytes, pass_ref: int, now: float) -> DevicePass:
        """A pass for one registered device key (keys.device_key field) and its status index."""
        require_mintable(credential, now)
        not_before = int(now)
        hours = self.pass_hours
        signed = encode_device_pass(
            self.signer, claims_for(credential), period=self.period_s, not_before=not_before,
            hours=hours, pass_ref=pass_ref, device_key=key_field,
        )
        return DevicePass(signed, self.period_s, not_before, not_before + hours * 3600, alg_of(key_field).value)

    def mint_paper(self, credential: Credential, now: float) -> PaperCode:
        """The static slip code: valid until the permit's last day or ``slip_days``, whichever is first."""
        require_mintable(credential, now)
        issued_at = int(now)
        not_after = min(end_of_day(credential.valid_until), issued_at + self.slip_days * DAY_S)
        code = encode_paper(self.signer, claims_for(credential), issued_at=issued_at, not_after=not_after)
        return PaperCode(code, issued_at, not_after)
