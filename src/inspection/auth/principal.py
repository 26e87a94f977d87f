"""The signed-in user as every request sees it, and the languages they read."""

from __future__ import annotations

import msgspec

from inspection.domain.roles import Role
from inspection.i18n import Language as Language


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """A snapshot of the user, kept in the session so requests need no user query."""

    id: int
    username: str
    full_name: str
    role: Role
    unit_id: int | None
    language: Language = "vi"

    @property
    def reads_everything(self) -> bool:
        """Inspectors, leaders, observers and admins see every unit; unit heads their own."""
        return self.role != "unit_head"
