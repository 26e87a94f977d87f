"""Piccolo's configuration module (``PICCOLO_CONF``): the engine from settings and our app.

``DB`` is replaced by :func:`inspection.db.engine.bind` when a process opens its database,
so Piccolo's migration runner always uses the engine the process opened.
"""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from inspection.db.engine import make_engine
from inspection.settings import load_settings

DB: Engine[Any] = make_engine(load_settings().effective_database_url)

APP_REGISTRY = AppRegistry(apps=["inspection.db.piccolo_app"])
