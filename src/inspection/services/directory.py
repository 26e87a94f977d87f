"""Units and users (the administrators' directory), and signing in."""

from __future__ import annotations

from typing import Any

from inspection import clock
from inspection.auth.middleware import principal_from_user
from inspection.auth.passwords import hash_password, verify_password
from inspection.auth.principal import Principal
from inspection.auth.sessions import LoginThrottle, SessionStore
from inspection.auth.tokens import new_token
from inspection.db.engine import write_transaction
from inspection.db.tables import ApiToken, Unit, User
from inspection.errors import Invalid, NotFound
from inspection.queue import outbox
from inspection.schemas import (
    TeamCandidateOut,
    TokenOut,
    UnitIn,
    UnitOut,
    UnitPatch,
    UserIn,
    UserOut,
    UserPatch,
)
from inspection.services.context import patched_columns
from inspection.settings import Settings


def _unit_out(r: dict[str, Any]) -> UnitOut:
    return UnitOut(
        id=r["id"],
        code=r["code"],
        name_vi=r["name_vi"],
        name_en=r["name_en"],
        kind=r["kind"],
        parent_id=r["parent"],
        email=r["email"],
        head_id=r["head_id"],
        active=r["active"],
    )


async def list_units(principal: Principal) -> list[UnitOut]:
    query = Unit.select().order_by(Unit.kind).order_by(Unit.code)
    if not principal.reads_everything:
        query = query.where(Unit.id == (principal.unit_id or 0))
    return [_unit_out(r) for r in await query]


async def get_unit(principal: Principal, unit_id: int) -> UnitOut:
    if not principal.reads_everything and principal.unit_id != unit_id:
        raise NotFound("No such unit")
    row = await Unit.select().where(Unit.id == unit_id).first()
    if row is None:
        raise NotFound("No such unit")
    return _unit_out(row)


async def _check_parent(parent_id: int | None, unit_id: int | None = None) -> None:
    if parent_id is None:
        return
    seen = {unit_id} if unit_id else set()
    current: int | None = parent_id
    while current is not None:
        if current in seen:
            raise Invalid("A unit cannot be placed under itself", field="parent_id")
        seen.add(current)
        row = await Unit.select(Unit.parent).where(Unit.id == current).first()
        if row is None:
            raise Invalid("No unit %(unit)s", field="parent_id", unit=current)
        current = row["parent"]


async def create_unit(data: UnitIn) -> UnitOut:
    await _check_parent(data.parent_id)
    async with write_transaction():
        unit = Unit(
            code=data.code,
            name_vi=data.name_vi,
            name_en=data.name_en,
            kind=data.kind,
            parent=data.parent_id,
            email=data.email,
        )
        await unit.save()
    return await get_unit_admin(unit.id)


async def get_unit_admin(unit_id: int) -> UnitOut:
    row = await Unit.select().where(Unit.id == unit_id).first()
    if row is None:
        raise NotFound("No such unit")
    return _unit_out(row)


async def update_unit(unit_id: int, data: UnitPatch, settings: Settings) -> UnitOut:
    """Change a unit; a new head takes over the unit's open actions and their reminders."""
    current = await get_unit_admin(unit_id)
    if data.parent_id is not None:
        await _check_parent(data.parent_id, unit_id)
    if data.head_id is not None:
        head = await User.select(User.role, User.unit, User.active).where(User.id == data.head_id).first()
        if head is None or head["role"] != "unit_head" or head["unit"] != unit_id or not head["active"]:
            raise Invalid("The head must be an active unit_head user of this unit", field="head_id")
    values = patched_columns(
        data,
        {
            "name_vi": Unit.name_vi,
            "name_en": Unit.name_en,
            "kind": Unit.kind,
            "parent_id": Unit.parent,
            "email": Unit.email,
            "head_id": Unit.head_id,
            "active": Unit.active,
        },
    )
    if values:
        async with write_transaction():
            await Unit.update(values).where(Unit.id == unit_id)
            if data.head_id is not None and data.head_id != current.head_id:
                await outbox.move_unit_actions_to_head(unit_id, data.head_id, settings)
    return await get_unit_admin(unit_id)


def _user_out(r: dict[str, Any]) -> UserOut:
    return UserOut(
        id=r["id"],
        username=r["username"],
        full_name=r["full_name"],
        email=r["email"],
        role=r["role"],
        unit_id=r["unit"],
        language=r["language"],
        active=r["active"],
    )


async def list_users() -> list[UserOut]:
    rows = await User.select(*(c for c in User._meta.columns if c._meta.name != "password_hash")).order_by(
        User.username
    )
    return [_user_out(r) for r in rows]


async def team_candidates() -> list[TeamCandidateOut]:
    """The people who can be on an inspection's team: active inspectors, by name."""
    rows = await (
        User.select(User.id, User.full_name, User.role, User.unit, User.unit.name_vi)
        .where((User.role == "inspector") & (User.active == True))
        .order_by(User.full_name)
    )
    return [
        TeamCandidateOut(
            id=r["id"],
            full_name=r["full_name"],
            role=r["role"],
            unit_id=r["unit"],
            unit_name=r["unit.name_vi"] or "",
        )
        for r in rows
    ]


async def get_user(user_id: int) -> UserOut:
    row = await User.select().where(User.id == user_id).first()
    if row is None:
        raise NotFound("No such user")
    return _user_out(row)


async def _check_user_unit(role: str, unit_id: int | None) -> None:
    if role == "unit_head" and unit_id is None:
        raise Invalid("A unit head must belong to a unit", field="unit_id")
    if unit_id is not None and not await Unit.exists().where(Unit.id == unit_id):
        raise Invalid("No unit %(unit)s", field="unit_id", unit=unit_id)


async def create_user(data: UserIn, settings: Settings) -> UserOut:
    """Create a user; the first unit head of a unit becomes its head and takes its open actions."""
    await _check_user_unit(data.role, data.unit_id)
    password_hash = await hash_password(data.password)
    async with write_transaction():
        user = User(
            username=data.username,
            full_name=data.full_name,
            email=data.email,
            role=data.role,
            unit=data.unit_id,
            password_hash=password_hash,
            language=data.language,
            created_at=clock.now(),
        )
        await user.save()
        if data.role == "unit_head" and data.unit_id is not None:
            await Unit.update({Unit.head_id: user.id}).where(
                (Unit.id == data.unit_id) & Unit.head_id.is_null()
            )
    return await get_user(user.id)


async def update_user(user_id: int, data: UserPatch) -> UserOut:
    current = await get_user(user_id)
    role = data.role or current.role
    unit_id = data.unit_id if data.unit_id is not None else current.unit_id
    await _check_user_unit(role, unit_id)
    values = patched_columns(
        data,
        {
            "full_name": User.full_name,
            "email": User.email,
            "role": User.role,
            "unit_id": User.unit,
            "language": User.language,
            "active": User.active,
        },
    )
    if data.password is not None:
        values[User.password_hash] = await hash_password(data.password)
    if values:
        async with write_transaction():
            await User.update(values).where(User.id == user_id)
    return await get_user(user_id)


async def authenticate(username: str, password: str, address: str, throttle: LoginThrottle) -> User:
    """The user for these credentials; failures are counted, and guessing slowed down
    (:class:`~inspection.auth.sessions.LoginThrottle`)."""
    await throttle.admit(username, address)
    user = await User.objects().where((User.username == username) & (User.active == True)).first()
    if not await verify_password(user.password_hash if user else None, password) or user is None:
        await throttle.failed(username, address)
        raise Invalid("Wrong username or password", field="password")
    await throttle.succeeded(username, address)
    return user


async def sign_in(
    username: str,
    password: str,
    address: str,
    old_token: str | None,
    sessions: SessionStore,
    throttle: LoginThrottle,
) -> tuple[Principal, str]:
    """Check the credentials and open a session; the principal and the session's token.

    ``old_token`` is the session the caller had, if any: it ends, and the new session has a
    new token every time, so a session id planted before signing in is worthless.
    """
    user = await authenticate(username, password, address, throttle)
    principal = await principal_from_user(user)
    return principal, await renew_session(principal, old_token, sessions)


async def renew_session(principal: Principal, old_token: str | None, sessions: SessionStore) -> str:
    """A new session for ``principal`` in place of the one ``old_token`` names; its token."""
    await sign_out(old_token, sessions)
    return await sessions.create(principal)


async def sign_out(token: str | None, sessions: SessionStore) -> None:
    """End the session ``token`` names, if any."""
    if token:
        await sessions.end(token)


async def create_token(principal: Principal, name: str) -> TokenOut:
    token, digest = new_token()
    async with write_transaction():
        row = ApiToken(user=principal.id, name=name, token_sha256=digest, created_at=clock.now())
        await row.save()
    return TokenOut(id=row.id, name=name, token=token, created_at=row.created_at)


async def list_tokens(principal: Principal) -> list[TokenOut]:
    rows = await ApiToken.select().where(ApiToken.user == principal.id).order_by(ApiToken.id)
    return [
        TokenOut(id=r["id"], name=r["name"], created_at=r["created_at"], revoked=r["revoked"]) for r in rows
    ]


async def revoke_token(principal: Principal, token_id: int) -> None:
    """Revoke one of the user's tokens (the token cache follows the commit)."""
    async with write_transaction():
        done = (
            await ApiToken.update({ApiToken.revoked: True})
            .where((ApiToken.id == token_id) & (ApiToken.user == principal.id))
            .returning(ApiToken.id)
        )
    if not done:
        raise NotFound("No such token")
