"""Random, never-reused status-list indices.

Each (credential, version) gets a position in the published status list. Positions
are drawn uniformly at random from a large space rather than handed out in order,
so a position says nothing about when or where a credential was issued, and a
verifier fetching the list learns nothing about which holder it is checking
(herd privacy). An index is never given out twice, not even after its version has
been superseded: a code minted for an old version must keep failing.

The space starts at 2**17 and doubles whenever it would become more than half
full (up to 2**28: 134 million versions, slips and device keys in its whole life), which keeps the herd large and rejection sampling cheap. It never shrinks,
so every index ever issued stays inside it. The current size is stored in the
`meta` table for the status-list builder to read, and so is the number of
indices given out (credential versions, printed slips and holder device keys
share the space).

Nothing is cached between calls: several issuer processes (or machines, on
PostgreSQL) allocate from one database. An allocation takes the database's
lock for the space (issuer.db), reads the size and count from `meta`, draws,
asks the tables which of the drawn indices are taken (one query per few hundred
draws, never the whole set) and draws those again.
"""

from __future__ import annotations

import random

from issuer.db import Database
from keys.statuslist import MAX_SIZE

__all__ = ["MAX_INDEX_SPACE", "MIN_INDEX_SPACE", "IndexAllocator", "IndexSpaceExhausted"]

MIN_INDEX_SPACE = 2**17
#: the largest status list (permit-status/2, 2^28): wire v2 carries four-byte indices, and
#: the issuer mints only v2 codes, so an index beyond v1's 2^24 never has to fit three bytes
MAX_INDEX_SPACE = MAX_SIZE
_SPACE_KEY = "status_index_space"
_COUNT_KEY = "status_index_count"
_PROBE = 400  # indices asked about per query


class IndexSpaceExhausted(RuntimeError):
    """More than half of MAX_INDEX_SPACE would be in use; the wire format must grow."""


class IndexAllocator:
    """Allocates indices inside the caller's write transaction."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def space(self, conn: Database) -> int:
        """Current size of the index space (positions 0 .. size-1)."""
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (_SPACE_KEY,)).fetchone()
        return int(row[0]) if row else MIN_INDEX_SPACE

    def allocate(self, conn: Database, count: int) -> list[int]:
        """`count` fresh indices; the caller must insert them before committing."""
        conn.lock(_SPACE_KEY)
        used = self._used_count(conn)
        space = self.space(conn)
        needed = used + count
        grown = space
        while needed > grown // 2:
            grown *= 2
        if grown > MAX_INDEX_SPACE:
            raise IndexSpaceExhausted(f"{needed} indices do not fit in {MAX_INDEX_SPACE // 2}")
        if grown != space:
            _set_meta(conn, _SPACE_KEY, grown)
        draw = self._rng.randrange
        fresh: list[int] = []
        seen: set[int] = set()
        while len(fresh) < count:
            batch: list[int] = []
            while len(batch) < count - len(fresh):
                idx = draw(grown)
                if idx not in seen:
                    seen.add(idx)
                    batch.append(idx)
            taken = _taken(conn, batch)
            fresh += [idx for idx in batch if idx not in taken]
        _set_meta(conn, _COUNT_KEY, needed)
        return fresh

    def _used_count(self, conn: Database) -> int:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (_COUNT_KEY,)).fetchone()
        if row is not None:
            return int(row[0])
        # A registry from before the count was kept: count once.
        return int(conn.execute(
            "SELECT (SELECT count(*) FROM status_indices) + (SELECT count(*) FROM slips) "
            "+ (SELECT count(*) FROM device_keys)").fetchone()[0])


def _taken(conn: Database, candidates: list[int]) -> set[int]:
    """Which of ``candidates`` a credential version, a printed slip or a device key holds already."""
    taken: set[int] = set()
    ordered = sorted(candidates)
    for start in range(0, len(ordered), _PROBE):
        chunk = ordered[start:start + _PROBE]
        marks = ",".join("?" * len(chunk))
        taken.update(int(r[0]) for r in conn.execute(
            f"SELECT idx FROM status_indices WHERE idx IN ({marks}) "
            f"UNION ALL SELECT status_index FROM slips WHERE status_index IN ({marks}) "
            f"UNION ALL SELECT status_index FROM device_keys WHERE status_index IN ({marks})",
            (*chunk, *chunk, *chunk),
        ))
    return taken


def _set_meta(conn: Database, key: str, value: int) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, str(value)),
    )
