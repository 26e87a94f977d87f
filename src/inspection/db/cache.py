"""Reads kept in memory while the database has not changed.

Each cache names the tables its values are read from. An entry is stored under their
generation read before it was computed, and the whole cache is dropped as soon as that
generation moves, so a value computed while another process committed to one of them is
never served afterwards. With no generation to follow (a PostgreSQL
process without a change feed, or its listener down) nothing is cached.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

from piccolo.table import Table

from inspection.db import sql

V = TypeVar("V")

# The tables that announce their changes (migrations 0004 and 0007); a kept read may come
# from these only. A finding announces a change only while it has a corrective action, so
# it may be read only through its action.
ANNOUNCED = frozenset({"api_token", "app_user", "corrective_action", "finding", "unit"})


class ReadCache(Generic[V]):
    def __init__(self, *tables: type[Table], size: int = 2048) -> None:
        """A cache of values read from ``tables`` only."""
        self._tables = tuple(sorted(table._meta.tablename for table in tables))
        silent = sorted(set(self._tables) - ANNOUNCED)
        if silent:
            raise ValueError(
                f"changes to {', '.join(silent)} are not announced: nothing read from them can be kept"
            )
        self._size = size
        self._generation: sql.Generation | None = None
        self._entries: dict[Hashable, V] = {}

    def _current(self) -> sql.Generation | None:
        generation = sql.generation(self._tables)
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        return generation

    def get(self, key: Hashable) -> tuple[V | None, sql.Generation | None]:
        """The value kept for ``key`` (or None), and the generation to :meth:`put` a new one at."""
        generation = self._current()
        if generation is None:
            return None, None
        return self._entries.get(key), generation

    def put(self, key: Hashable, value: V, generation: sql.Generation | None) -> None:
        if generation is None or self._current() != generation:
            return
        if len(self._entries) >= self._size:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = value
