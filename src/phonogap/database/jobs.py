"""Deprecated old home of the database jobs (kept for one release).

They moved to :mod:`phonogap.jobs.database`. Each name below warns and returns the object at its
new path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "build_database": "phonogap.jobs.database:build_database",
    "label_database": "phonogap.jobs.database:label_database",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
