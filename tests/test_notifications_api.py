"""An administrator follows the e-mail outbox over the API and sends a failed message again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import msgspec
import pytest
from aiosmtpd.controller import Controller

from inspection.db.engine import write_transaction
from inspection.queue import outbox
from inspection.settings import Settings
from tests.factories import make_action, make_unit, make_user, token_headers
from tests.queue.conftest import Inbox, free_port, run_worker


@pytest.fixture
def mail_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server in this process, and its port."""
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), server_hostname="smtp.test")
    controller.start()
    yield box, controller.port
    controller.stop()


async def _one_failed_notice(settings: Settings, box: Inbox) -> None:
    """An action whose assignment notice the SMTP server refused until the worker gave up."""
    unit = await make_unit("X-ANBINH")
    await make_user("unit_head", unit, username="chutich")
    inspector = await make_user("inspector")
    action = await make_action(unit, inspector, dt.date.today() + dt.timedelta(days=20))
    async with write_transaction():
        await outbox.reconcile(action.id, settings)
    box.down = True
    await run_worker(settings)
    box.down = False


async def test_only_administrators_see_the_outbox(client: httpx.AsyncClient) -> None:
    for role in ("inspector", "unit_head", "leader", "observer"):
        headers = await token_headers(await make_user(role, username=f"u-{role}"))
        assert (await client.get("/api/notifications", headers=headers)).status_code == 403
        assert (await client.get("/api/notifications/report", headers=headers)).status_code == 403
        assert (await client.post("/api/notifications/1/retry", headers=headers)).status_code == 403
    assert (await client.get("/api/notifications")).status_code == 401


async def test_an_administrator_sends_a_failed_message_again(
    client: httpx.AsyncClient, settings: Settings, mail_server: tuple[Inbox, int]
) -> None:
    box, port = mail_server
    queue_settings = msgspec.structs.replace(
        settings, smtp_url=f"smtp://127.0.0.1:{port}", mail_retry_delays="1"
    )
    await _one_failed_notice(queue_settings, box)
    admin = await token_headers(await make_user("admin", username="quantri"))

    report = (await client.get("/api/notifications/report", headers=admin)).json()
    assert report["failed"] == 1 and report["sent"] == 0 and report["in_doubt"] == 0
    listed = await client.get("/api/notifications", params={"status": "failed"}, headers=admin)
    assert listed.status_code == 200
    [failed] = listed.json()
    assert failed["kind"] == "assigned"
    assert failed["recipient_email"] == "chutich@example.test"
    assert failed["attempts"] == 2
    assert "451" in failed["last_error"]
    everything = (await client.get("/api/notifications", params={"limit": 500}, headers=admin)).json()
    assert {row["status"] for row in everything} == {"failed", "pending"}  # reminders still ahead
    page = (await client.get("/api/notifications", params={"limit": 1, "offset": 1}, headers=admin)).json()
    assert page == everything[1:2]
    bad = await client.get("/api/notifications", params={"status": "lost"}, headers=admin)
    assert bad.status_code == 400

    retried = await client.post(f"/api/notifications/{failed['id']}/retry", headers=admin)
    assert retried.status_code == 200
    assert retried.json()["status"] == "pending" and retried.json()["last_error"] == ""
    again = await client.post(f"/api/notifications/{failed['id']}/retry", headers=admin)
    assert again.status_code == 409
    assert (await client.post("/api/notifications/999999/retry", headers=admin)).status_code == 404

    await run_worker(queue_settings)
    await run_worker(queue_settings)
    assert [to for to, _ in box.summary()] == ["chutich@example.test"]  # once
    report = (await client.get("/api/notifications/report", headers=admin)).json()
    assert report["failed"] == 0 and report["sent"] == 1
