"""Settings, read once from ``INSPECTION_*`` environment variables and decoded with msgspec.

Every field below is one variable: ``database_url`` is ``INSPECTION_DATABASE_URL``.
Unset variables take the embedded defaults, so a fresh checkout runs with no
configuration at all; a wrong value stops start-up with a message naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfoNotFoundError

import msgspec

from inspection import clock

PREFIX = "INSPECTION_"

PositiveInt = Annotated[int, msgspec.Meta(ge=1)]
DayList = Annotated[str, msgspec.Meta(pattern=r"^\s*\d+(\s*,\s*\d+)*\s*$")]


class SettingsError(Exception):
    """A configuration variable holds a value the system cannot use."""


class Settings(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=False):
    """The whole configuration of a web or worker process."""

    data_dir: str = "var"
    database_url: str = ""
    redis_url: str = ""
    smtp_url: str = ""
    mail_from: str = "Inspection <no-reply@localhost>"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: Literal["vi", "en"] = "vi"
    # Who inspects (e.g. "Sở Nội vụ tỉnh Đồng Tháp"): the leaders' dashboard names its whole
    # scope so; empty, it reads "all units". The scope is data, not a fixed "district".
    inspecting_body: str = ""
    deadline_days_critical: PositiveInt = 7
    deadline_days_major: PositiveInt = 15
    deadline_days_minor: PositiveInt = 30
    reminder_days_before: DayList = "7,3,1"
    overdue_repeat_days: PositiveInt = 2
    escalation_after_days: PositiveInt = 7
    # The queue (issue 3): reminders, overdue notices and the digest go out at this local hour.
    notify_hour: Annotated[int, msgspec.Meta(ge=0, le=23)] = 8
    # The leaders' weekly digest goes out on this ISO weekday (1 = Monday ... 7 = Sunday).
    digest_weekday: Annotated[int, msgspec.Meta(ge=1, le=7)] = 1
    # Seconds between tries of a mail the SMTP server refused; one more try than delays.
    mail_retry_delays: DayList = "10,60,300,900"
    # SMTP connections each worker keeps open and reuses; sends beyond these wait for one.
    smtp_connections: PositiveInt = 2
    # The longest a send job or a sweep may run. arq marks a running job in progress for this
    # plus 10 s, so the job of a worker that died blocks its id for no longer than that.
    send_timeout_seconds: PositiveInt = 60
    # A notification claimed this long ago and still not sent is claimed again by the sweep
    # (Redis lost its job, or the worker died while sending). Longer than a send can last
    # (see _check_queue_limits), so no row is claimed again while its send is under way.
    queue_stale_seconds: PositiveInt = 90
    evidence_max_bytes: PositiveInt = 20 * 1024 * 1024
    session_idle_minutes: PositiveInt = 60
    cookie_secure: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'inspection.sqlite3'}"

    @property
    def reminder_days(self) -> tuple[int, ...]:
        return tuple(sorted({int(d) for d in self.reminder_days_before.split(",")}, reverse=True))

    @property
    def mail_retry_seconds(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.mail_retry_delays.split(","))


def _env_name(field: str) -> str:
    return PREFIX + field.upper()


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Decode the settings from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    fields = set(Settings.__struct_fields__)
    raw = {
        name[len(PREFIX) :].lower(): value
        for name, value in environ.items()
        if name.startswith(PREFIX) and name[len(PREFIX) :].lower() in fields
    }
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_explain(exc)) from None
    _check_urls(settings)
    _check_timezone(settings)
    _check_queue_limits(settings)
    return settings


# arq keeps a job's in-progress mark for the job's timeout plus this many seconds.
IN_PROGRESS_MARGIN_SECONDS = 10


def _check_queue_limits(settings: Settings) -> None:
    least = settings.send_timeout_seconds + IN_PROGRESS_MARGIN_SECONDS
    if settings.queue_stale_seconds <= least:
        raise SettingsError(
            f"{_env_name('queue_stale_seconds')}: {settings.queue_stale_seconds} must be more than "
            f"{_env_name('send_timeout_seconds')} + {IN_PROGRESS_MARGIN_SECONDS} ({least}), "
            "or a notification would be claimed again while its send may still be under way"
        )


def _check_timezone(settings: Settings) -> None:
    try:
        clock.zone(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"{_env_name('timezone')}: unknown time zone {settings.timezone!r} (e.g. Asia/Ho_Chi_Minh)"
        ) from None


def _explain(exc: msgspec.ValidationError) -> str:
    message = str(exc)
    match = re.search(r"at `\$\.(\w+)`", message)
    if not match:
        return f"Invalid configuration: {message}"
    reason = message[: match.start()].rstrip(" -")
    return f"{_env_name(match.group(1))}: {reason}"


def _check_urls(settings: Settings) -> None:
    schemes = {
        "database_url": ("sqlite://", "postgresql://", "postgres://"),
        "redis_url": ("redis://", "rediss://", "unix://"),
        "smtp_url": ("smtp://", "smtps://"),
        "base_url": ("http://", "https://"),
    }
    for field, allowed in schemes.items():
        value: str = getattr(settings, field)
        if value and not value.startswith(allowed):
            raise SettingsError(
                f"{_env_name(field)}: expected a URL starting with {' or '.join(allowed)}, got {value!r}"
            )
