"""Configuration: defaults that run anywhere, and a wrong value named by its variable."""

from __future__ import annotations

import pytest

from inspection.db.engine import postgres_config
from inspection.settings import SettingsError, load_settings


def test_no_configuration_means_embedded_defaults() -> None:
    settings = load_settings({})
    assert settings.effective_database_url == "sqlite:///var/inspection.sqlite3"
    assert settings.redis_url == "" and settings.smtp_url == ""
    assert settings.reminder_days == (7, 3, 1)


def test_values_are_decoded_from_strings() -> None:
    settings = load_settings(
        {
            "INSPECTION_DATABASE_URL": "postgresql://u@db:5432/insp",
            "INSPECTION_DEADLINE_DAYS_MAJOR": "20",
            "INSPECTION_COOKIE_SECURE": "true",
            "INSPECTION_REMINDER_DAYS_BEFORE": "1, 14,3",
            "UNRELATED": "x",
        }
    )
    assert settings.effective_database_url == "postgresql://u@db:5432/insp"
    assert settings.deadline_days_major == 20
    assert settings.cookie_secure is True
    assert settings.reminder_days == (14, 3, 1)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("INSPECTION_DEADLINE_DAYS_MAJOR", "fifteen", "INSPECTION_DEADLINE_DAYS_MAJOR: Expected `int`"),
        ("INSPECTION_DEADLINE_DAYS_MINOR", "0", "INSPECTION_DEADLINE_DAYS_MINOR: Expected `int` >= 1"),
        (
            "INSPECTION_DATABASE_URL",
            "mysql://x",
            "INSPECTION_DATABASE_URL: expected a URL starting with sqlite://",
        ),
        ("INSPECTION_REDIS_URL", "localhost:6379", "INSPECTION_REDIS_URL"),
        ("INSPECTION_DEFAULT_LANGUAGE", "fr", "INSPECTION_DEFAULT_LANGUAGE"),
        ("INSPECTION_REMINDER_DAYS_BEFORE", "7;3", "INSPECTION_REMINDER_DAYS_BEFORE"),
        ("INSPECTION_TIMEZONE", "Mars/Olympus", "INSPECTION_TIMEZONE: unknown time zone"),
    ],
)
def test_a_wrong_value_names_its_variable(name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({name: value})
    assert str(error.value).startswith(expected), str(error.value)


@pytest.mark.parametrize(
    ("url", "host", "port", "database", "user"),
    [
        ("postgresql://insp@db:6543/kiemtra", "db", 6543, "kiemtra", "insp"),
        ("postgresql://insp@/kiemtra?host=/run/postgresql", "/run/postgresql", 5432, "kiemtra", "insp"),
        ("postgres:///kiemtra", "127.0.0.1", 5432, "kiemtra", "postgres"),
    ],
)
def test_postgresql_urls_name_a_host_or_a_socket_directory(
    url: str, host: str, port: int, database: str, user: str
) -> None:
    assert postgres_config(url) == {
        "host": host,
        "port": port,
        "database": database,
        "user": user,
    }


@pytest.mark.parametrize(
    "environment",
    [
        {"INSPECTION_QUEUE_STALE_SECONDS": "70"},  # the default send timeout, 60, + 10
        {"INSPECTION_SEND_TIMEOUT_SECONDS": "300"},  # the default stale limit, 90, is now too short
        {"INSPECTION_SEND_TIMEOUT_SECONDS": "120", "INSPECTION_QUEUE_STALE_SECONDS": "100"},
    ],
)
def test_a_stale_limit_within_a_send_is_refused(environment: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(environment)
    message = str(error.value)
    assert message.startswith("INSPECTION_QUEUE_STALE_SECONDS: "), message
    assert "INSPECTION_SEND_TIMEOUT_SECONDS" in message


def test_a_stale_limit_beyond_a_send_and_its_mark_is_taken() -> None:
    settings = load_settings(
        {"INSPECTION_SEND_TIMEOUT_SECONDS": "120", "INSPECTION_QUEUE_STALE_SECONDS": "131"}
    )
    assert (settings.send_timeout_seconds, settings.queue_stale_seconds) == (120, 131)
    defaults = load_settings({})
    assert (defaults.send_timeout_seconds, defaults.queue_stale_seconds) == (60, 90)
