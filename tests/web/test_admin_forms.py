"""The administrator's unit and user forms, in Vietnamese: a refused form comes back as typed,
its message beside the field (marked invalid, described by the message), not at the top."""

from __future__ import annotations

import re

import httpx

from inspection.db.tables import Unit, User
from tests.factories import make_unit, make_user
from tests.web.conftest import login, post_form
from tests.web.test_vietnamese import field_error

Client = httpx.AsyncClient


def _nothing_at_the_top(page: str) -> None:
    """The page's message area holds no message: the refusal is at its field."""
    area = re.search(r'<div id="messages"[^>]*>(.*?)</div>', page, re.S)
    assert area is None or not area[1].strip(), area and area[1]


async def test_a_refused_unit_comes_back_as_typed_with_the_message_at_the_field(client: Client) -> None:
    await make_unit("X-MYLONG")
    await make_user("admin", username="quantri")
    await login(client, "quantri")
    taken = await post_form(
        client,
        "/admin/units/new",
        "/admin/units/new",
        {"code": "X-MYLONG", "name_vi": "Xã Mỹ Long mới", "name_en": "My Long", "kind": "ward"},
    )
    assert taken.status_code == 409
    assert field_error(taken.text, "code") == "Đã có đơn vị mang mã này"
    _nothing_at_the_top(taken.text)
    assert 'value="X-MYLONG"' in taken.text and 'value="Xã Mỹ Long mới"' in taken.text
    assert re.search(r'<option value="ward" selected>', taken.text)

    unit = await make_unit("X-ANBINH")
    looped = await post_form(
        client,
        f"/admin/units/{unit.id}",
        f"/admin/units/{unit.id}",
        {"name_vi": "Xã An Bình mới", "parent_id": str(unit.id), "email": "a@b.vn"},
    )
    assert looped.status_code == 400
    assert field_error(looped.text, "parent_id") == "Một đơn vị không thể trực thuộc chính nó"
    assert 'value="a@b.vn"' in looped.text and 'value="Xã An Bình mới"' in looped.text
    _nothing_at_the_top(looped.text)
    assert await Unit.select(Unit.name_vi).where(Unit.id == unit.id).first() == {"name_vi": unit.name_vi}
    assert await Unit.count() == 2


async def test_a_refused_user_comes_back_as_typed_with_the_message_at_the_field(client: Client) -> None:
    unit = await make_unit("X-MYLONG")
    await make_user("admin", username="quantri")
    await make_user("inspector", username="thanh")
    await login(client, "quantri")
    before = await User.count()
    taken = await post_form(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {
            "username": "thanh",
            "full_name": "Nguyễn Văn Thành",
            "role": "unit_head",
            "unit_id": str(unit.id),
            "password": "mat-khau-dai",
            "language": "vi",
        },
    )
    assert taken.status_code == 409
    assert field_error(taken.text, "username") == "Tên đăng nhập này đã được dùng"
    _nothing_at_the_top(taken.text)
    assert 'value="Nguyễn Văn Thành"' in taken.text
    assert re.search(r'<option value="unit_head" selected>', taken.text)
    assert re.search(rf'<option value="{unit.id}" selected>', taken.text)
    assert "mat-khau-dai" not in taken.text  # a password is never sent back

    short = await post_form(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {"username": "lan", "full_name": "Lê Thị Lan", "role": "inspector", "password": "ngan"},
    )
    assert short.status_code == 400
    assert field_error(short.text, "password").startswith("Mật khẩu")
    assert 'value="lan"' in short.text
    assert await User.count() == before
