"""Evidence files: one interface for storing blobs, a local-disk implementation, and limits.

Blobs are content-addressed (the key is the SHA-256), so the same photo uploaded twice is
stored once and a stored file can be checked against its recorded hash.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

import anyio.to_thread

from inspection.errors import Invalid

# Extension → the content types accepted for it: photos, scans and office documents.
ALLOWED_TYPES: dict[str, frozenset[str]] = {
    ".jpg": frozenset({"image/jpeg"}),
    ".jpeg": frozenset({"image/jpeg"}),
    ".png": frozenset({"image/png"}),
    ".webp": frozenset({"image/webp"}),
    ".heic": frozenset({"image/heic", "image/heif"}),
    ".pdf": frozenset({"application/pdf"}),
    ".doc": frozenset({"application/msword"}),
    ".docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ".xls": frozenset({"application/vnd.ms-excel"}),
    ".xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    ".txt": frozenset({"text/plain"}),
}
# Leading bytes of the binary formats, so a renamed executable is not accepted as a photo.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}


@runtime_checkable
class BlobStore(Protocol):
    async def put(self, data: bytes) -> str: ...

    async def get(self, key: str) -> bytes: ...


class FileBlobStore:
    """Blobs as files under ``root/ab/abcdef…``, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("bad blob key")
        return self.root / key[:2] / key

    def _put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    async def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        await anyio.to_thread.run_sync(self._put, key, data)
        return key

    async def get(self, key: str) -> bytes:
        return await anyio.to_thread.run_sync(self._path(key).read_bytes)


def check_upload(filename: str, content_type: str, data: bytes, max_bytes: int) -> str:
    """The content type to record, or why the file is refused."""
    if not data:
        raise Invalid("The file is empty", field="file")
    if len(data) > max_bytes:
        raise Invalid(
            "The file is %(size)s bytes; at most %(most)s are allowed",
            field="file",
            size=len(data),
            most=max_bytes,
        )
    extension = Path(filename).suffix.lower()
    allowed = ALLOWED_TYPES.get(extension)
    if allowed is None:
        kinds = ", ".join(sorted(ALLOWED_TYPES))
        raise Invalid(
            f"Files of type {extension or '(none)'} are not accepted; use one of {kinds}", field="file"
        )
    content_type = content_type.split(";")[0].strip().lower()
    if content_type not in allowed:
        content_type = sorted(allowed)[0]
    magic = MAGIC.get(content_type)
    if magic and not data.startswith(magic):
        raise Invalid("The file's content is not %(type)s", field="file", type=content_type)
    return content_type
