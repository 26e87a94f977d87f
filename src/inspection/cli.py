"""The ``inspection`` command: run the system, migrate, load checklists, manage users, demo data."""

from __future__ import annotations

import asyncio
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import ExitStack
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import click
import msgspec

from inspection.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def _with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    from inspection.db.engine import UnknownMigrations, close_database, open_database

    engine = await open_database(settings.effective_database_url)
    try:
        return await work()
    except UnknownMigrations as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        await close_database(engine)


def _embedded_secret(settings: Settings) -> Settings:
    """Without INSPECTION_SECRET_KEY, keep one generated key under the data folder."""
    if settings.secret_key:
        return settings
    path = settings.data_path / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return msgspec.structs.replace(settings, secret_key=path.read_text().strip())


@click.group()
def main() -> None:
    """Inspections, findings and corrective actions chased until closed."""


@main.command()
def migrate() -> None:
    """Apply the database migrations."""
    from inspection.db.engine import migrate as run_migrations

    settings = _settings()
    _run(_with_database(settings, run_migrations))
    click.echo("Database is up to date.")


async def _prepare(settings: Settings, demo: bool) -> None:
    from inspection.checklists.loader import load_checklists
    from inspection.db.engine import migrate as run_migrations
    from inspection.paths import CHECKLISTS

    async def work() -> None:
        await run_migrations()
        for result in await load_checklists(CHECKLISTS):
            state = "loaded" if result.created else "unchanged"
            click.echo(f"Checklist {result.code} v{result.number}: {state}")
        if demo:
            from inspection.demo import load_demo

            for line in await load_demo(settings):
                click.echo(line)

    await _with_database(settings, work)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Load demo data for Cao Lãnh district (once).")
def serve(host: str, port: int, demo: bool) -> None:
    """Run everything in one process on embedded defaults: migrations, checklists, web and worker."""
    from inspection.embedded_redis import EmbeddedRedis
    from inspection.processes import signal_when_orphaned

    # While uvicorn runs, SIGINT and SIGTERM are its own: it stops the web app and the worker,
    # then raises the signal again. Before and after, they raise _Stopped here, so the ExitStack
    # stops the Redis it started. A hang-up (a closed terminal, or the launcher that started
    # serve dying) stops it as a SIGTERM does; under nohup, hang-ups stay ignored.
    for stopping in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stopping, _stop)
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, _hang_up)
        signal_when_orphaned(signal.SIGHUP)
    settings = _embedded_secret(_settings())
    try:
        with ExitStack() as stack:
            if not settings.redis_url:
                redis = stack.enter_context(EmbeddedRedis(settings.data_path / "redis"))
                settings = msgspec.structs.replace(settings, redis_url=redis.url)
                click.echo(f"Embedded Redis at {redis.url}")
            _run(_prepare(settings, demo))
            click.echo(f"Serving on http://{host}:{port}  (API schema: http://{host}:{port}/schema)")
            _run(_serve(settings, host, port, with_worker=True))
    except _Stopped as stopped:
        # Everything started has stopped: end as the signal asked, for whoever waits on serve.
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(stopped.signum, signal.SIG_DFL)
        signal.raise_signal(stopped.signum)


class _Stopped(Exception):
    """A signal asked ``serve`` to stop (raised in the main thread by :func:`_stop`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by signal {signum}")
        self.signum = signum


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise _Stopped(signum)


def _hang_up(_signum: int, _frame: FrameType | None) -> None:
    signal.raise_signal(signal.SIGTERM)


async def _serve(settings: Settings, host: str, port: int, *, with_worker: bool) -> None:
    import uvicorn

    from inspection.app import create_app

    app = create_app(settings, with_worker=with_worker)
    await uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info")).serve()


@main.command()
def worker() -> None:
    """Run one queue worker: sends notices, reminders and escalations (needs INSPECTION_REDIS_URL)."""
    from inspection.queue.worker import run_worker

    settings = _settings()
    if not settings.redis_url:
        raise click.ClickException("INSPECTION_REDIS_URL: a worker needs the Redis the web processes use")
    run_worker(settings)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def web(host: str, port: int) -> None:
    """Run one web process (production: several behind a proxy, on PostgreSQL and Redis)."""
    settings = _settings()
    if not settings.redis_url:
        raise click.ClickException("INSPECTION_REDIS_URL: a web process needs a shared Redis")
    if not settings.secret_key:
        raise click.ClickException("INSPECTION_SECRET_KEY: set the same secret on every web process")
    _run(_serve(settings, host, port, with_worker=False))


@main.group()
def checklists() -> None:
    """Checklist files."""


@checklists.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def checklists_validate(paths: tuple[Path, ...]) -> None:
    """Check checklist files (default: the checklists/ folder) and list every mistake."""
    from inspection.checklists.validate import validate_paths
    from inspection.paths import CHECKLISTS

    errors, checked = validate_paths(list(paths) or [CHECKLISTS])
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        raise click.ClickException(f"{len(errors)} error(s) in {checked} file(s)")
    click.echo(f"{checked} file(s) valid.")


@checklists.command("load")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def checklists_load(folder: Path | None) -> None:
    """Load checklist files into the database; a changed file becomes a new version."""
    from inspection.checklists.loader import load_checklists
    from inspection.checklists.validate import ChecklistError
    from inspection.paths import CHECKLISTS

    settings = _settings()
    try:
        results = _run(_with_database(settings, lambda: load_checklists(folder or CHECKLISTS)))
    except ChecklistError as exc:
        raise click.ClickException(str(exc)) from None
    for result in results:
        click.echo(f"Checklist {result.code} v{result.number}: {'loaded' if result.created else 'unchanged'}")


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["admin", "inspector", "unit_head", "leader", "observer"])
)
@click.option("--unit", "unit_code", default=None, help="Unit code, e.g. X-ANBINH.")
@click.option("--email", default="")
@click.option("--language", default="vi", type=click.Choice(["vi", "en"]))
@click.password_option()
def users_create(
    username: str, full_name: str, role: str, unit_code: str | None, email: str, language: str, password: str
) -> None:
    """Create a user (the first administrator, for instance)."""
    from inspection.db.tables import Unit
    from inspection.errors import ServiceError
    from inspection.schemas import UserIn
    from inspection.services.directory import create_user

    async def work() -> int:
        unit_id = None
        if unit_code:
            row = await Unit.select(Unit.id).where(Unit.code == unit_code).first()
            if row is None:
                raise click.ClickException(f"--unit: no unit with code {unit_code}")
            unit_id = row["id"]
        try:
            data = msgspec.convert(
                {
                    "username": username,
                    "full_name": full_name,
                    "role": role,
                    "unit_id": unit_id,
                    "email": email,
                    "language": language,
                    "password": password,
                },
                UserIn,
            )
        except msgspec.ValidationError as exc:
            raise click.ClickException(str(exc)) from None
        try:
            return (await create_user(data, settings)).id
        except ServiceError as exc:
            raise click.ClickException(f"{exc.field or 'user'}: {exc.message}") from None

    settings = _settings()
    user_id = _run(_with_database(settings, work))
    click.echo(f"User {username} created (id {user_id}).")


@main.command()
def demo() -> None:
    """Load the Cao Lãnh demo data into the configured database (migrates and loads checklists first)."""
    _run(_prepare(_settings(), demo=True))


if __name__ == "__main__":
    sys.exit(main())
