"""Deprecated old home of the summary jobs (kept for one release).

The jobs moved to :mod:`phonogap.jobs.summaries`, ``kappa_row`` to
:mod:`phonogap.schemas.kappa`. Each name below warns and returns the object at its new path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "kappa_row": "phonogap.schemas.kappa:kappa_row",
    "summarise_benchmarks": "phonogap.jobs.summaries:summarise_benchmarks",
    "summarise_scan": "phonogap.jobs.summaries:summarise_scan",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
