"""The command line and the published API schema, as an administrator meets them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from inspection.cli import main


def test_checklists_validate_accepts_the_shipped_files() -> None:
    result = CliRunner().invoke(main, ["checklists", "validate"])
    assert result.exit_code == 0, result.output
    assert "3 file(s) valid" in result.output


def test_checklists_validate_lists_every_mistake_with_file_line_and_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        """[checklist]
code = "bad"
title_vi = "Sai"

[[sections]]
code = "A"
title_vi = "Phần A"
max_points = 5.0

[[sections.criteria]]
code = "A.1"
title_vi = "Tiêu chí"
max_points = 3.0

[[sections.criteria.items]]
code = "A.1.1"
text_vi = "Mục một"
response_type = "yes_no"
max_points = 1.0
""",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.toml"
    broken.write_text('[checklist]\ncode = "x"\ntitle_vi = \n', encoding="utf-8")
    result = CliRunner().invoke(main, ["checklists", "validate", str(bad), str(broken)])
    assert result.exit_code == 1
    assert "bad.toml:" in result.output and "A.1" in result.output and "do not add up" in result.output
    assert "broken.toml:3" in result.output
    assert "error(s) in 2 file(s)" in result.output


def test_a_wrong_setting_stops_the_command_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTION_DEADLINE_DAYS_MAJOR", "soon")
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 1
    assert "INSPECTION_DEADLINE_DAYS_MAJOR" in result.output


async def test_the_openapi_schema_is_published(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    moves = {"acknowledge", "progress", "report-fixed", "close", "reopen"}
    assert {f"/api/actions/{{action_id}}/{move}" for move in moves} <= set(schema["paths"])
    assert "/api/inspections/{inspection_id}/answers/{item_code}" in schema["paths"]


def test_migrate_refuses_a_database_of_the_older_migrations_and_leaves_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migrations were squashed: a demo database made before is refused, untouched,
    with a message that says what to do."""
    path = tmp_path / "old.sqlite3"
    monkeypatch.setenv("INSPECTION_DATABASE_URL", f"sqlite:///{path}")
    assert CliRunner().invoke(main, ["migrate"]).exit_code == 0
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO migration (name, app_name, ran_on)"
            " VALUES ('2026-11-25T21:50:00:000000', 'inspection', '')"
        )
        connection.execute(
            "INSERT INTO unit (code, name_vi, name_en, kind, email, active)"
            " VALUES ('X', 'Xã', '', 'commune', '', 1)"
        )

    result = CliRunner().invoke(main, ["migrate"])

    assert result.exit_code == 1
    assert "older version of inspection" in result.output
    assert "2026-11-25T21:50:00:000000" in result.output
    assert "Traceback" not in result.output
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT code FROM unit").fetchall() == [("X",)]
