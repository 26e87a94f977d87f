"""Piccolo's configuration module (``PICCOLO_CONF``): the app registry, and the engine.

``DB`` is set by :func:`inspection.db.engine.bind` when a process opens its database
(``inspection migrate`` included), so Piccolo's migration runner always uses the engine
the process opened; nothing reads it before.
"""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

DB: Engine[Any] | None = None

APP_REGISTRY = AppRegistry(apps=["inspection.db.piccolo_app"])
