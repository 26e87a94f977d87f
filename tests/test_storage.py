"""Evidence files: limits and content-addressed storage."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from inspection.errors import Invalid
from inspection.storage import FileBlobStore, check_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"x" * 32


def test_a_file_over_the_limit_is_refused_with_its_size() -> None:
    with pytest.raises(Invalid) as error:
        check_upload("scan.png", "image/png", PNG, max_bytes=10)
    assert "40 bytes; at most 10" in error.value.message and error.value.field == "file"


def test_the_recorded_type_follows_the_extension_when_the_browser_sends_a_vague_one() -> None:
    assert check_upload("bien-ban.PDF", "application/octet-stream", b"%PDF-1.7", 100) == "application/pdf"


def stored_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


async def test_blobs_are_stored_once_under_their_hash(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    key = await store.put(PNG)
    assert key == hashlib.sha256(PNG).hexdigest()
    assert await store.put(PNG) == key
    assert await store.get(key) == PNG
    assert stored_files(tmp_path) == [f"{key[:2]}/{key}"]
    with pytest.raises(ValueError):
        await store.get("../../etc/passwd")
