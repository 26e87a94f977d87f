"""Loading checklist files into versions: idempotent, versioned on change, all or nothing."""

from __future__ import annotations

import asyncio
import shutil
from typing import TYPE_CHECKING

import httpx
import pytest

from inspection.checklists.loader import decode_definition, load_checklist, load_checklists
from inspection.checklists.validate import ChecklistError, load_checklist_file
from inspection.db.tables import Checklist, ChecklistVersion
from inspection.paths import CHECKLISTS
from tests.factories import DATA, make_user, token_headers

if TYPE_CHECKING:
    from pathlib import Path

    from piccolo.engine.base import Engine

SHIPPED_CODES = ["commune-one-stop", "par-index-department", "par-index-district"]


def shipped_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "checklists"
    folder.mkdir()
    for path in CHECKLISTS.glob("*.toml"):
        shutil.copyfile(path, folder / path.name)
    return folder


async def versions(code: str) -> list[dict[str, object]]:
    return await (
        ChecklistVersion.select(
            ChecklistVersion.number,
            ChecklistVersion.sha256,
            ChecklistVersion.max_points,
            ChecklistVersion.source,
        )
        .where(ChecklistVersion.checklist.code == code)
        .order_by(ChecklistVersion.number)
    )


async def test_loading_twice_creates_nothing_the_second_time(db: Engine, tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    first = await load_checklists(folder)
    assert [(r.code, r.number, r.created) for r in first] == [(code, 1, True) for code in SHIPPED_CODES]
    again = await load_checklists(folder)
    assert [(r.code, r.number, r.created) for r in again] == [(code, 1, False) for code in SHIPPED_CODES]
    assert await Checklist.count() == 3
    assert await ChecklistVersion.count() == 3
    [district] = await versions("par-index-district")
    assert (district["max_points"], district["source"]) == (100.0, "par_index_district.toml")


async def test_stored_definition_reads_back_as_the_file(db: Engine, tmp_path: Path) -> None:
    path = shipped_copy(tmp_path) / "commune_one_stop.toml"
    await load_checklist(path)
    row = await ChecklistVersion.select(ChecklistVersion.definition).first()
    assert row is not None
    assert decode_definition(row["definition"]) == load_checklist_file(path)


async def test_comments_and_layout_do_not_make_a_new_version(db: Engine, tmp_path: Path) -> None:
    path = shipped_copy(tmp_path) / "commune_one_stop.toml"
    await load_checklist(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "# Bản sao có chú thích mới\n\n" + text.replace("max_points = 1.0", "max_points   =   1.0"),
        encoding="utf-8",
    )
    result = await load_checklist(path)
    assert (result.number, result.created) == (1, False)
    assert await ChecklistVersion.count() == 1


async def test_a_changed_file_becomes_the_next_version(db: Engine, tmp_path: Path) -> None:
    path = shipped_copy(tmp_path) / "commune_one_stop.toml"
    await load_checklist(path)
    text = path.read_text(encoding="utf-8")
    title = "Phiếu kiểm tra công tác cải cách hành chính tại Bộ phận Tiếp nhận và Trả kết quả UBND cấp xã"
    changed = text.replace(title, "Phiếu kiểm tra Bộ phận Một cửa cấp xã").replace(
        "Công chức có mặt đúng giờ", "Công chức có mặt đúng giờ làm việc"
    )
    assert changed.count("Phiếu kiểm tra Bộ phận Một cửa cấp xã") == 1
    path.write_text(changed, encoding="utf-8")
    result = await load_checklist(path)
    assert (result.code, result.number, result.created) == ("commune-one-stop", 2, True)
    stored = await versions("commune-one-stop")
    assert [row["number"] for row in stored] == [1, 2]
    assert stored[0]["sha256"] != stored[1]["sha256"]
    checklist = await Checklist.select(Checklist.title_vi).where(Checklist.code == "commune-one-stop").first()
    assert checklist == {"title_vi": "Phiếu kiểm tra Bộ phận Một cửa cấp xã"}
    # Going back to the first content finds version 1 again instead of adding a third.
    path.write_text(text, encoding="utf-8")
    assert (await load_checklist(path)).number == 1
    assert await ChecklistVersion.count() == 2


async def test_a_bad_file_in_the_folder_means_nothing_is_written(db: Engine, tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    (folder / "broken.toml").write_text('[checklist]\ncode = "broken"\ntitle_vi = "Hỏng"\n', encoding="utf-8")
    with pytest.raises(ChecklistError) as caught:
        await load_checklists(folder)
    assert [error.source for error in caught.value.errors] == [str(folder / "broken.toml")]
    assert await Checklist.count() == 0
    assert await ChecklistVersion.count() == 0


async def test_a_bad_change_leaves_loaded_versions_alone(db: Engine, tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    await load_checklists(folder)
    district = folder / "par_index_district.toml"
    district.write_text(
        district.read_text(encoding="utf-8").replace('title_vi = "Yếu"', 'title_vi = "Kém"'), encoding="utf-8"
    )
    commune = folder / "commune_one_stop.toml"
    commune.write_text(
        commune.read_text(encoding="utf-8").replace("max_points = 22.0", "max_points = 23.0"),
        encoding="utf-8",
    )
    with pytest.raises(ChecklistError) as caught:
        await load_checklists(folder)
    # The section no longer adds up, and so the checklist total neither.
    assert {(error.source, error.code) for error in caught.value.errors} == {
        (str(commune), "B"),
        (str(commune), ""),
    }
    assert await ChecklistVersion.count() == 3


async def test_loaders_running_at_once_add_one_version(db: Engine, tmp_path: Path) -> None:
    path = shipped_copy(tmp_path) / "commune_one_stop.toml"
    results = await asyncio.gather(*(load_checklist(path) for _ in range(4)))
    assert sorted(result.created for result in results) == [False, False, False, True]
    assert {result.number for result in results} == {1}
    assert await ChecklistVersion.count() == 1


async def test_an_admin_uploads_a_checklist_and_mistakes_come_back_located(client: httpx.AsyncClient) -> None:
    admin = await token_headers(await make_user("admin", username="admin"))
    inspector = await token_headers(await make_user("inspector", username="insp"))
    text = (DATA / "mini.toml").read_text(encoding="utf-8")
    url = "/api/checklists?filename=mini.toml"
    first = await client.post(
        url, content=text.encode(), headers={**admin, "Content-Type": "application/toml"}
    )
    assert first.status_code == 201 and first.json()["number"] == 1 and first.json()["created"] is True
    again = await client.post(
        url, content=text.encode(), headers={**admin, "Content-Type": "application/toml"}
    )
    assert again.status_code == 200 and again.json()["created"] is False
    assert (await client.post(url, content=text.encode(), headers=inspector)).status_code == 403

    broken = text.replace('response_type = "score"', 'response_type = "stars"')
    refused = await client.post(url, content=broken.encode(), headers=admin)
    assert refused.status_code == 400
    [mistake] = refused.json()["extra"]
    assert mistake["key"].startswith("mini.toml:") and "B.1.1" in mistake["key"]
    assert "stars" in mistake["message"] or "response_type" in mistake["message"]
    versions = (await client.get("/api/checklists", headers=inspector)).json()
    assert [(v["checklist_code"], v["number"]) for v in versions] == [("mini", 1)]


def test_a_checklist_names_only_kinds_of_unit_the_directory_knows(tmp_path: Path) -> None:
    mini = (DATA / "mini.toml").read_text(encoding="utf-8")
    typo = tmp_path / "typo.toml"
    typo.write_text(mini.replace('applies_to = ["commune"]', 'applies_to = ["comune"]'), encoding="utf-8")
    with pytest.raises(ChecklistError) as caught:
        load_checklist_file(typo)
    assert str(caught.value) == f"{typo}:6: Invalid enum value 'comune' (at $.checklist.applies_to[0])"
    assert load_checklist_file(DATA / "mini.toml").checklist.applies_to == ["commune"]
