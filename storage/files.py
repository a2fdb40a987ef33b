"""Files kept by their SHA-256 under the data directory, never overwritten (R14).

Minutes versions, signed minutes and (later) evidence are legal records: a file, once
stored, is immutable. Each is written to ``<data>/files/<2 hex>/<sha256>`` through a
temporary file and a hard link, which fails instead of replacing an existing name, so two
writers of the same bytes converge and nothing can overwrite a kept file. Reading checks
the hash again: a file altered on disk is reported, never served as the record.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["CorruptFile", "FileStore", "sha256_hex"]


def sha256_hex(data: bytes) -> str:
    """The lowercase hex SHA-256 that names a stored file."""
    return hashlib.sha256(data).hexdigest()


class CorruptFile(Exception):
    """A stored file is missing or no longer hashes to its name."""


class FileStore:
    """Content-addressed files on local disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the file named ``sha256`` lives (it may not exist)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256")
        return self.root / "files" / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` (durably: fsynced before it is linked in); returns its SHA-256."""
        sha = sha256_hex(data)
        final = self.path(sha)
        if final.exists():
            return sha  # the same name is the same bytes: nothing to write
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o444)
            with contextlib.suppress(FileExistsError):  # a concurrent writer won: same bytes
                os.link(tmp, final)
        finally:
            os.unlink(tmp)
        return sha

    def get(self, sha256: str) -> bytes:
        """The stored bytes, checked against their name."""
        try:
            data = self.path(sha256).read_bytes()
        except OSError as exc:
            raise CorruptFile(f"{sha256}: {exc.strerror}") from None
        if sha256_hex(data) != sha256:
            raise CorruptFile(f"{sha256}: content does not match its SHA-256")
        return data
