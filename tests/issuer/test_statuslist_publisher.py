"""The published status list: rebuilt on change, and "newer" always decidable by its issue time."""

from __future__ import annotations

import json
import random
from pathlib import Path

from issuer.model import Status
from issuer.registry import Registry
from issuer.statuslist_publisher import StatusPublisher
from keys.keypair import SigningKey
from tests.issuer.clock import CLERK, NOW
from tests.issuer.test_registry import new


def test_a_change_within_the_same_second_is_issued_at_a_later_second(tmp_path: Path) -> None:
    with Registry(tmp_path / "issuer.db", rng=random.Random(3)) as registry:
        cred = registry.insert_credential(new(), actor=CLERK, now=NOW)
        publisher = StatusPublisher(SigningKey(bytes(32)), ttl_s=3600)
        t = NOW.timestamp()
        first = publisher.current(registry, t)
        assert publisher.current(registry, t + 0.5) is first  # nothing changed: the same document
        registry.set_status(cred.cred_id, Status.REVOKED, actor=CLERK, now=NOW, operation="revoke", reason="t")
        second = publisher.current(registry, t + 0.6)
        assert second.body != first.body
        assert second.issued_at == first.issued_at + 1 == json.loads(second.body)["issued_at"]
        assert publisher.current(registry, t + 10) is second  # unchanged and not aged out: kept
        # aged out: issued again at the clock's second
        assert publisher.current(registry, t + 3600 + 5).issued_at == int(t) + 3605
