"""Random, never-reused status-list indices.

Each (credential, version) gets a position in the published status list. Positions
are drawn uniformly at random from a large space rather than handed out in order,
so a position says nothing about when or where a credential was issued, and a
verifier fetching the list learns nothing about which holder it is checking
(herd privacy). An index is never given out twice, not even after its version has
been superseded: a code minted for an old version must keep failing.

The space starts at 2**17 and doubles whenever it would become more than half
full, which keeps the herd large and rejection sampling cheap. It never shrinks,
so every index ever issued stays inside it. The current size is stored in the
`meta` table for the status-list builder to read.
"""

from __future__ import annotations

import random
import sqlite3

__all__ = ["MAX_INDEX_SPACE", "MIN_INDEX_SPACE", "IndexAllocator", "IndexSpaceExhausted"]

MIN_INDEX_SPACE = 2**17
MAX_INDEX_SPACE = 2**24  # three bytes in a QR claim
_SPACE_KEY = "status_index_space"


class IndexSpaceExhausted(RuntimeError):
    """More than half of MAX_INDEX_SPACE would be in use; the wire format must grow."""


class IndexAllocator:
    """Allocates indices inside the caller's write transaction.

    Keeps the set of used indices in memory so a bulk import of 100,000 rows does not
    query once per row. The cache is checked against the table's row count at every
    allocation (rows are never deleted, so another writer shows up as a mismatch) and
    reloaded when they disagree.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[int] | None = None

    def invalidate(self) -> None:
        """Forget the cache, e.g. after a rolled-back transaction."""
        self._used = None

    def space(self, conn: sqlite3.Connection) -> int:
        """Current size of the index space (positions 0 .. size-1)."""
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (_SPACE_KEY,)).fetchone()
        return int(row[0]) if row else MIN_INDEX_SPACE

    def allocate(self, conn: sqlite3.Connection, count: int) -> list[int]:
        """`count` fresh indices; the caller must insert them before committing."""
        used = self._load(conn)
        space = self.space(conn)
        needed = len(used) + count
        grown = space
        while needed > grown // 2:
            grown *= 2
        if grown > MAX_INDEX_SPACE:
            raise IndexSpaceExhausted(f"{needed} indices do not fit in {MAX_INDEX_SPACE // 2}")
        if grown != space:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_SPACE_KEY, str(grown)),
            )
        fresh: list[int] = []
        draw = self._rng.randrange
        for _ in range(count):
            idx = draw(grown)
            while idx in used:
                idx = draw(grown)
            used.add(idx)
            fresh.append(idx)
        return fresh

    def _load(self, conn: sqlite3.Connection) -> set[int]:
        # Credential versions and printed slips (issuer.slip_register) share one space.
        stored = int(conn.execute(
            "SELECT (SELECT count(*) FROM status_indices) + (SELECT count(*) FROM slips)").fetchone()[0])
        if self._used is None or len(self._used) != stored:
            self._used = {row[0] for row in conn.execute(
                "SELECT idx FROM status_indices UNION ALL SELECT status_index FROM slips")}
        return self._used
