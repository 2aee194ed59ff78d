"""Deprecated old home of the atomate2 relaxation jobs (kept for one release).

They moved to :mod:`phonogap.jobs.structures`. Each name below warns and returns the object at
its new path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "collect_relaxations": "phonogap.jobs.structures:collect_relaxations",
    "relax_with_atomate2": "phonogap.jobs.structures:relax_with_atomate2",
    "relaxation_job": "phonogap.jobs.structures:relaxation_job",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
