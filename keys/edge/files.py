"""Files only their owner may read: keys' hashes, secrets, dev passphrases, audit logs.

Every such file is created with mode 0600 from the first byte (``os.open`` with
the mode, never ``chmod`` after writing, which leaves a moment where others may
read it), and replaced atomically so a reader never sees half a file. Missing
parent directories are created 0700; existing ones are left as they are (an
``--out /tmp/secret`` must not change the mode of ``/tmp``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path, *, restrict: bool = False) -> None:
    """Create ``path`` (and parents) mode 0700; with ``restrict`` also tighten an existing one."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if restrict:
        try:
            os.chmod(path, PRIVATE_DIR)
        except OSError:
            pass


def write_private(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` (mode 0600), replacing any old file atomically."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def create_private(path: Path, data: bytes | str) -> bool:
    """Create ``path`` (mode 0600) holding ``data`` unless it exists; True when this call created it.

    Creation is exclusive, so two processes starting together agree on one value.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)
    return True


def open_private_append(path: Path) -> int:
    """A descriptor appending (``O_APPEND``) to ``path``, created 0600 if missing: for logs that
    several processes write whole lines to."""
    private_dir(path.parent)
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
