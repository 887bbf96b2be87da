"""Settings from the environment: read once, checked at start-up, secrets kept out of sight.

``Env`` reads typed values with bounds and names the variable in every
``ConfigError``, so a bad value stops a service before it serves rather than
surfacing later as a refused code. ``Secret`` holds a value whose ``repr`` and
``str`` never show it, so a configuration can be logged or put in a traceback
whole. An empty variable counts as unset.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Mapping, TypeVar

T = TypeVar("T", str, bytes)

MIN_SECRET_BYTES = 16


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Secret(Generic[T]):
    """A value that is never shown: ``repr`` and ``str`` say only that it is held.

    Compare secrets with ``equals`` (constant time), never with ``==`` on the
    revealed values.
    """

    _value: T = field(repr=False)

    def reveal(self) -> T:
        return self._value

    def equals(self, other: T) -> bool:
        mine = self._value.encode("utf-8", "surrogatepass") if isinstance(self._value, str) else self._value
        theirs = other.encode("utf-8", "surrogatepass") if isinstance(other, str) else other
        return hmac.compare_digest(mine, theirs)

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


class Env:
    """Typed reads of one environment mapping (``os.environ`` by default)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env: Mapping[str, str] = os.environ if env is None else env

    def raw(self, name: str) -> str | None:
        value = self.env.get(name)
        return None if value is None or value.strip() == "" else value.strip()

    def text(self, name: str, default: str) -> str:
        value = self.raw(name)
        return default if value is None else value

    def path(self, name: str, default: Path) -> Path:
        value = self.raw(name)
        return default if value is None else Path(value)

    def optional_path(self, name: str) -> Path | None:
        value = self.raw(name)
        return None if value is None else Path(value)

    def flag(self, name: str, default: bool) -> bool:
        value = (self.raw(name) or "").lower()
        if not value:
            return default
        if value in ("1", "true", "yes", "on"):
            return True
        if value in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} must be 0 or 1, got {value!r}")

    def number(self, name: str, default: float, *, low: float, high: float) -> float:
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {raw}")
        return value

    def integer(self, name: str, default: int, *, low: int, high: int | None = None) -> int:
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ConfigError(f"{name} must be {bound}, got {raw}")
        return value

    def secret(self, name: str) -> Secret[str] | None:
        """A secret given directly in the environment (prefer a ``*_FILE``)."""
        raw = self.raw(name)
        return None if raw is None else Secret(raw)


def json_entries(document: str, source: str, shape: str) -> list[Any]:
    """The list a configuration file holds (``shape`` names its entries' fields, for the message).

    The key and organisation files are JSON lists of objects; a file that is not
    one says so, naming the file, instead of failing somewhere later.
    """
    try:
        entries = json.loads(document)
    except ValueError as exc:
        raise ConfigError(f"{source} is not JSON: {exc}") from None
    if not isinstance(entries, list):
        raise ConfigError(f"{source} must hold a JSON list of {{{shape}}}")
    return entries


def read_secret_file(variable: str, path: Path, *, min_bytes: int = MIN_SECRET_BYTES) -> Secret[bytes]:
    """A binary secret stored as base64 text (as ``python -m keys export-rotation-secret`` writes it)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(f"{variable}: {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{variable}: cannot read {path}: {exc}") from None
    try:
        secret = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{variable}: {path} must hold base64 text") from None
    if len(secret) < min_bytes:
        raise ConfigError(f"{variable}: the secret in {path} is shorter than {min_bytes} bytes")
    return Secret(secret)


def read_text_secret(variable: str, path: Path, *, min_chars: int = 1) -> Secret[str]:
    """A text secret (a token, a passphrase) from a file, stripped."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"{variable}: {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{variable}: cannot read {path}: {exc}") from None
    if len(text) < min_chars:
        raise ConfigError(f"{variable}: the value in {path} is shorter than {min_chars} characters")
    return Secret(text)
