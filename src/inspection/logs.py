"""The logging set-up that web and worker processes share: one format, the level from settings.

Lines read ``LEVEL - time - logger - module - message`` (Litestar's standard format), written
to stderr as they are logged (Litestar's ``console`` handler). Not through its queue handler:
a process that ends on a signal (uvicorn raises SIGTERM again once shut down) would lose the
lines still queued, such as the worker's last words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.logging.config import LoggingConfig

if TYPE_CHECKING:
    from inspection.settings import Settings


def logging_config(settings: Settings, **options: Any) -> LoggingConfig:
    """Every logger at ``INSPECTION_LOG_LEVEL``; ``options`` adds the web app's own fields.

    arq logs two INFO lines for every job (started, finished) besides the send job's own
    line, so its INFO lines show only at DEBUG; its warnings and errors show at any level.
    """
    arq_level = "WARNING" if settings.log_level == "INFO" else settings.log_level
    return LoggingConfig(
        root={"level": settings.log_level, "handlers": ["console"]},
        loggers={"arq": {"level": arq_level}},
        **options,
    )


def configure_logging(settings: Settings) -> None:
    """Set up logging in a process that runs no Litestar app (which does this itself)."""
    logging_config(settings).configure()
