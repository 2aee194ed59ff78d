"""Application layer: where results live and how work is queued.

* :mod:`~phonogap.store.jobstore`: the JobStore (embedded MontyStore, MongoDB, a file).
* :mod:`~phonogap.store.server`: the bundled local MongoDB-protocol server.
* :mod:`~phonogap.store.launchpad`: FireWorks launchpads and submission.
* :mod:`~phonogap.store.queries`: finding output documents in a store.

``phonogap.store`` was a module in phonogap 0.1; its names still resolve here for one release,
with a ``DeprecationWarning`` naming their new module.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    name: f"phonogap.store.jobstore:{name}"
    for name in (
        "DATABASE_NAME",
        "DEFAULT_STORE_DIR",
        "STORE_CONFIG_VARIABLE",
        "STORE_DIR_VARIABLE",
        "StoreConfigError",
        "describe_store",
        "embedded_store",
        "get_store",
        "local_server_store",
        "mongo_store",
        "store_from_file",
    )
}
"""Names of the former ``phonogap.store`` module, now in :mod:`phonogap.store.jobstore`."""


def __getattr__(name: str) -> Any:
    """Resolve a name of the former module (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
