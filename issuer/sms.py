"""Text messages to a mobile number: one interface, and the development outbox.

Verification codes and notices about applications all go through `SmsSender`.
There is no gateway in this project: `DevOutbox` keeps every message in memory
and appends it to a JSON-lines file, which is what developers and the tests read.
A deployment plugs its operator's gateway in behind the same one method.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

__all__ = ["DevOutbox", "SmsMessage", "SmsSender"]


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str
    at: datetime


class SmsSender(Protocol):
    def send(self, phone: str, text: str, now: datetime) -> None:
        """Queue one message; must not raise for an unreachable phone."""


class DevOutbox:
    """Messages kept in memory (for tests) and appended to ``path`` (for developers)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._messages: list[SmsMessage] = []
        self._lock = threading.Lock()

    def send(self, phone: str, text: str, now: datetime) -> None:
        message = SmsMessage(phone, text, now)
        with self._lock:
            self._messages.append(message)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({"phone": phone, "text": text, "at": now.isoformat()},
                                       ensure_ascii=False) + "\n")

    def messages(self, phone: str | None = None) -> list[SmsMessage]:
        """Messages sent so far, oldest first, optionally to one number."""
        with self._lock:
            return [m for m in self._messages if phone is None or m.phone == phone]
