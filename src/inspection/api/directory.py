"""Units and users."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from inspection.api.lists import TOTAL_HEADER, WHOLE, Limit, cut
from inspection.api.openapi import may_answer
from inspection.auth.guards import roles
from inspection.auth.principal import Principal
from inspection.auth.sessions import SessionStore
from inspection.schemas import Offset, PathId, UnitIn, UnitOut, UnitPatch, UserIn, UserOut, UserPatch
from inspection.services import directory
from inspection.settings import Settings


class UnitController(Controller):
    path = "/api/units"
    tags = ["units"]

    @get("/", response_headers=TOTAL_HEADER)
    async def list_units(
        self, principal: NamedDependency[Principal], limit: Limit = WHOLE, offset: Offset = 0
    ) -> Response[list[UnitOut]]:
        """The units the user may see (a unit head: their own), by kind and code."""
        return cut(await directory.list_units(principal), limit, offset)

    @get("/{unit_id:int}")
    async def get_unit(self, principal: NamedDependency[Principal], unit_id: PathId) -> UnitOut:
        return await directory.get_unit(principal, unit_id)

    @post("/", guards=[roles("admin")], opt=may_answer(409))
    async def create_unit(self, data: JSONBody[UnitIn]) -> UnitOut:
        return await directory.create_unit(data)

    @patch("/{unit_id:int}", guards=[roles("admin")])
    async def update_unit(
        self, unit_id: PathId, data: JSONBody[UnitPatch], settings: NamedDependency[Settings]
    ) -> UnitOut:
        """Change a unit; setting ``head_id`` moves its open actions to the new head."""
        return await directory.update_unit(unit_id, data, settings)


class UserController(Controller):
    path = "/api/users"
    tags = ["users"]
    guards = [roles("admin")]

    @get("/", response_headers=TOTAL_HEADER)
    async def list_users(self, limit: Limit = WHOLE, offset: Offset = 0) -> Response[list[UserOut]]:
        """Every user, by username (inspectors list who can be on a team at
        ``/api/inspections/team-candidates``)."""
        return cut(await directory.list_users(), limit, offset)

    @get("/{user_id:int}")
    async def get_user(self, user_id: PathId) -> UserOut:
        return await directory.get_user(user_id)

    @post("/", opt=may_answer(409))
    async def create_user(self, data: JSONBody[UserIn], settings: NamedDependency[Settings]) -> UserOut:
        return await directory.create_user(data, settings)

    @patch("/{user_id:int}")
    async def update_user(
        self, user_id: PathId, data: JSONBody[UserPatch], sessions: NamedDependency[SessionStore]
    ) -> UserOut:
        """Change a user; their sessions end, so a new role or a disabled account applies at once."""
        user = await directory.update_user(user_id, data)
        await sessions.end_all_for_user(user_id)
        return user
