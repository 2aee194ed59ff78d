"""Deprecated: ``phonogap.server`` moved to :mod:`phonogap.store.server`.

Kept for one release: each old name resolves with a ``DeprecationWarning`` naming its new path.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    "DATABASE_NAME": "phonogap.store.server:DATABASE_NAME",
    "DATA_COLLECTION": "phonogap.store.server:DATA_COLLECTION",
    "DEFAULT_SERVER_DIR": "phonogap.store.server:DEFAULT_SERVER_DIR",
    "DOCS_COLLECTION": "phonogap.store.server:DOCS_COLLECTION",
    "LAUNCHPAD_DATABASE": "phonogap.store.server:LAUNCHPAD_DATABASE",
    "SERVER_DIR_VARIABLE": "phonogap.store.server:SERVER_DIR_VARIABLE",
    "SERVER_EXECUTABLE": "phonogap.store.server:SERVER_EXECUTABLE",
    "ServerError": "phonogap.store.server:ServerError",
    "ServerInfo": "phonogap.store.server:ServerInfo",
    "create_indexes": "phonogap.store.server:create_indexes",
    "free_port": "phonogap.store.server:free_port",
    "server_dir": "phonogap.store.server:server_dir",
    "server_status": "phonogap.store.server:server_status",
    "start_server": "phonogap.store.server:start_server",
    "stop_server": "phonogap.store.server:stop_server",
}
"""Old name to ``"new.module:attribute"``."""


def __getattr__(name: str) -> Any:
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
